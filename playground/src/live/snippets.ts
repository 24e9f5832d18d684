/** Code a learner copies to join their sandbox from outside the page: origin, namespace and path, never a secret. */

export interface SnippetTarget {
  origin: string;
  namespace: string;
  /** `/sandbox/<id>/socket.io` */
  path: string;
  /** Event name the lesson uses. */
  event: string;
}

/**
 * A Node ES module script (needs `npm install socket.io-client`).
 *
 * @example
 * nodeSnippet({ origin: "http://localhost:5173", namespace: "/", path: "/sandbox/x/socket.io", event: "chat message" });
 */
export function nodeSnippet({ origin, namespace, path, event }: SnippetTarget): string {
  return `// save as client.mjs, then: npm install socket.io-client && node client.mjs
import { io } from "socket.io-client";

const socket = io(${JSON.stringify(origin + namespace)}, { path: ${JSON.stringify(path)} });

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
export function browserSnippet({ origin, namespace, path, event }: SnippetTarget): string {
  return `<script src="https://cdn.socket.io/4.8.1/socket.io.min.js"></script>
<script>
  const socket = io(${JSON.stringify(origin + namespace)}, { path: ${JSON.stringify(path)} });
  socket.on("connect", () => socket.emit(${JSON.stringify(event)}, "hello from a browser"));
  socket.onAny((event, ...args) => console.log("received", event, ...args));
</script>
`;
}
