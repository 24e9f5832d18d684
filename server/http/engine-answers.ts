/** Engine.IO's own refusals as sentences a learner can act on, on polling responses and on refused upgrades alike. */
import type { IncomingMessage } from "node:http";
import type { Server as EngineServer } from "engine.io";
import { refuseSocket } from "./json-answers.ts";

/** Engine.IO's error codes (`Server.errors`), explained. */
const byCode: Record<number, (context: { name?: string; message?: string }) => string> = {
  0: () => 'Unknown transport: Socket.IO clients connect with "polling" or "websocket".',
  1: () => "Session ID unknown: this server does not know this Socket.IO session (it restarted, the session timed out, or a load balancer without sticky sessions sent the request to another server); the client starts a new one by itself.",
  2: () => "A Socket.IO connection starts with a GET request; connect with a Socket.IO v4 client.",
  3: ({ name }) => `Socket.IO could not use this request${name ? ` (${name})` : ""}; connect with a Socket.IO v4 client.`,
  4: ({ message }) => message || "Socket.IO refused this connection.",
  5: () => "This server speaks Engine.IO 4 (socket.io-client 3 and 4); a socket.io-client 2 cannot connect: upgrade it.",
};

/** What a bare status from Engine.IO's polling transport means. */
const byStatus: Record<number, string> = {
  400: "Socket.IO refused this polling request: one poll at a time per session, and text packets only; use a Socket.IO v4 client.",
  413: "This Socket.IO message is larger than the server accepts (maxHttpBufferSize); send less data at once.",
  500: "A Socket.IO polling request is a GET (to receive) or a POST (to send).",
};

/**
 * The sentence for an Engine.IO error response: its `{ code, message }` body explained, or its bare status.
 *
 * @example
 * explainEngineError(400, '{"code":0,"message":"Transport unknown"}'); // 'Unknown transport: …'
 * explainEngineError(413, ""); // 'This Socket.IO message is larger than …'
 */
export function explainEngineError(status: number, body: string): string {
  const parsed = parse(body);
  if (parsed && typeof parsed.code === "number" && byCode[parsed.code]) return byCode[parsed.code]({ message: parsed.message });
  return byStatus[status] ?? `Socket.IO refused this request (HTTP ${status}); connect with a Socket.IO v4 client.`;
}

const upgrades = new WeakSet<IncomingMessage>();
const explained = new WeakSet<EngineServer>();

/**
 * Marks `req` as an upgrade and makes sure `engine` answers a refused upgrade with a JSON `{ error }` instead of
 * Engine.IO's bare text: its `connection_error` event comes before its own answer, so this one is written first
 * and Engine.IO finds the socket already closed.
 *
 * @example
 * explainUpgradeErrors(engine, req);
 * engine.handleUpgrade(req, socket, head);
 */
export function explainUpgradeErrors(engine: EngineServer, req: IncomingMessage): void {
  upgrades.add(req);
  if (explained.has(engine)) return;
  explained.add(engine);
  engine.on("connection_error", refuseUpgrade);
}

/** Engine.IO refused a handshake: an upgrade (before its WebSocket handshake) gets a JSON answer first. */
function refuseUpgrade(error: { req: IncomingMessage & { websocket?: unknown }; code: number; context?: { name?: string; message?: string } }): void {
  // After the WebSocket handshake (`req.websocket` set) there is no HTTP answer to give; Engine.IO closes it.
  if (!upgrades.has(error.req) || error.req.websocket) return;
  const explain = byCode[error.code] ?? byCode[3];
  refuseSocket(error.req.socket, error.code === 4 ? 403 : 400, explain(error.context ?? {}));
}

function parse(body: string): { code?: unknown; message?: string } | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null ? (value as { code?: unknown; message?: string }) : undefined;
  } catch {
    return undefined;
  }
}
