/** Code a learner copies to join their sandbox from outside the page: origin, namespace and path, never the owner's secret. */

export interface SnippetTarget {
  origin: string;
  namespace: string;
  /** The auth token the namespace's middleware wants (a lesson fact, e.g. `/admin`'s), if any. */
  token?: string;
  /** `/sandbox/<id>/socket.io` */
  path: string;
  /** Event name the lesson uses. */
  event: string;
}

function options(path: string, token?: string): string {
  return `{ path: ${JSON.stringify(path)}${token ? `, auth: { token: ${JSON.stringify(token)} }` : ""} }`;
}

/**
 * A Node ES module script (needs `npm install socket.io-client`).
 *
 * @example
 * nodeSnippet({ origin: "http://localhost:5173", namespace: "/admin", token: "let-me-in", path: "/sandbox/x/socket.io", event: "chat message" });
 */
export function nodeSnippet(target: SnippetTarget): string {
  const { origin, namespace, event } = target;
  return `// save as client.mjs, then: npm install socket.io-client && node client.mjs
import { io } from "socket.io-client";

const socket = io(${JSON.stringify(origin + namespace)}, ${options(target.path, target.token)});

socket.on("connect", () => {
  console.log("connected as", socket.id);
  socket.emit(${JSON.stringify(event)}, "hello from Node");
});
socket.onAny((event, ...args) => console.log("received", event, ...args));
socket.on("connect_error", (error) => console.log("connect_error", error.message));
`;
}

/**
 * An HTML page fragment using the client bundle from the Socket.IO CDN.
 *
 * @example
 * browserSnippet({ origin: location.origin, namespace: "/", path: ticket.path, event: "chat message" });
 */
export function browserSnippet(target: SnippetTarget): string {
  const { origin, namespace, event } = target;
  return `<script src="https://cdn.socket.io/4.8.1/socket.io.min.js"></script>
<script>
  const socket = io(${JSON.stringify(origin + namespace)}, ${options(target.path, target.token)});
  socket.on("connect", () => socket.emit(${JSON.stringify(event)}, "hello from a browser"));
  socket.onAny((event, ...args) => console.log("received", event, ...args));
</script>
`;
}

/**
 * A Node script that opens two namespaces over one connection (multiplexing): no `forceNew`, same origin and path.
 *
 * @example
 * multiplexedSnippet({ origin, path, event: "chat message" }, { namespace: "/admin", token: "let-me-in" });
 */
export function multiplexedSnippet(main: Omit<SnippetTarget, "namespace" | "token">, other: { namespace: string; token?: string }): string {
  const { origin, path, event } = main;
  return `// save as two.mjs, then: npm install socket.io-client && node two.mjs
import { io } from "socket.io-client";

// Same origin and path, no forceNew: both sockets share one connection (one External card, two sockets).
const main = io(${JSON.stringify(origin + "/")}, { path: ${JSON.stringify(path)} });
const other = io(${JSON.stringify(origin + other.namespace)}, ${options(path, other.token)});

for (const socket of [main, other]) {
  socket.on("connect", () => socket.emit(${JSON.stringify(event)}, "hello from " + socket.nsp));
  socket.onAny((event, ...args) => console.log(socket.nsp, "received", event, ...args));
  socket.on("connect_error", (error) => console.log(socket.nsp, "connect_error", error.message));
}
`;
}
