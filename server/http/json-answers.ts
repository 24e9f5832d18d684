/** Every refusal as JSON `{ error }`: on a response, on a raw socket (upgrades, unparsable requests), and for bare errors. */
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** The body of every 4xx/5xx the playground sends: one sentence saying what was wrong and what to do. */
export interface ErrorBody {
  error: string;
}

/**
 * Answers with `body` as JSON, never cached.
 *
 * @example
 * sendJson(res, 404, { error: "Nothing at /api/nope: the API has one endpoint, POST /api/sandboxes." });
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/**
 * Writes a whole HTTP response with a JSON `{ error }` straight onto a socket that has no `ServerResponse` (an
 * upgrade request, a request Node could not parse), then destroys the socket: it holds no file descriptor after.
 *
 * @example
 * httpServer.on("upgrade", (req, socket) => refuseSocket(socket, 404, `Nothing to upgrade at ${req.url}.`));
 */
export function refuseSocket(socket: Duplex, status: number, error: string): void {
  socket.on("error", () => {}); // the peer may be gone already; nothing is left to tell it
  if (socket.writable && !socket.destroyed) {
    const text = JSON.stringify({ error } satisfies ErrorBody);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n` +
        "Connection: close\r\n" +
        "Content-Type: application/json; charset=utf-8\r\n" +
        "Cache-Control: no-store\r\n" +
        `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

/**
 * Makes sure every 4xx/5xx sent on `res` has a JSON `{ error }` body: `explain` turns the status and whatever body
 * was about to go (empty, as Engine.IO's polling transport and sirv send them, or Engine.IO's `{ code, message }`)
 * into a sentence. Successful responses and bodies that are an `{ error }` already pass through untouched.
 *
 * @example
 * engine.handleRequest(req, withJsonErrors(res, (status) => `Socket.IO refused this request (${status}).`));
 */
export function withJsonErrors(res: ServerResponse, explain: (status: number, body: string) => string): ServerResponse {
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: OutgoingHttpHeaders) => ServerResponse;
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
  // An error status is held back until the body is known; anything else goes out as usual.
  let held: { status: number; headers: OutgoingHttpHeaders } | undefined;
  const release = () => {
    if (held) writeHead(held.status, held.headers);
    held = undefined;
  };
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((arg) => typeof arg === "object" && arg !== null) as OutgoingHttpHeaders | undefined;
    if (status >= 400 && !res.headersSent) held = { status, headers: headers ?? {} };
    else writeHead(status, headers);
    return res;
  }) as ServerResponse["writeHead"];
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    release();
    return write(chunk, ...rest);
  }) as ServerResponse["write"];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const status = held?.status ?? res.statusCode;
    const body = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
    if (status < 400 || res.headersSent || isErrorBody(body)) {
      release();
      return end(chunk, ...rest);
    }
    const kept = Object.entries(held?.headers ?? {}).filter(([name]) => !/^(content-type|content-length|cache-control)$/i.test(name));
    held = undefined;
    const text = JSON.stringify({ error: explain(status, body) } satisfies ErrorBody);
    writeHead(status, {
      ...Object.fromEntries(kept),
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-store",
    });
    return end(text);
  }) as ServerResponse["end"];
  return res;
}

function isErrorBody(body: string): boolean {
  if (!body.startsWith("{")) return false;
  try {
    return typeof (JSON.parse(body) as Partial<ErrorBody>).error === "string";
  } catch {
    return false;
  }
}
