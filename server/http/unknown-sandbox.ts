/** Answers a client that asks for a sandbox that does not exist, or for a path with no server: a `connect_error` with a reason, never a hang. */
import type { Server as EngineServer } from "engine.io";
import type { Socket } from "socket.io";
import { createSocketServer } from "../socket-server.ts";

export const unknownSandboxMessage =
  "No sandbox with this id: it expired or never existed. Copy a fresh snippet from the playground page.";

/**
 * The refusal for a Socket.IO client that used a path nobody serves, such as the default `/socket.io`.
 *
 * @example
 * wrongPathMessage("/socket.io/"); // 'No Socket.IO server at /socket.io/: …'
 */
export function wrongPathMessage(path: string): string {
  const shown = path.length > 80 ? `${path.slice(0, 80)}…` : path;
  return `No Socket.IO server at ${shown}: this playground serves each sandbox at its own path. Connect with io(url, { path: "/sandbox/<id>/socket.io" }); the playground page has a snippet to copy.`;
}

/**
 * A Socket.IO server that accepts the handshake only to refuse every namespace with a clear message: the sandbox
 * id is unknown, or the client used a path nobody serves.
 *
 * @example
 * const refusal = createRefusal();
 * refusal.engine.handleRequest(req, res);
 */
export function createRefusal(): { engine: EngineServer; close(): void } {
  const { engine, io } = createSocketServer("refusal");
  const refuse = (socket: Socket, next: (error: Error) => void) => {
    const path = (socket.request.url ?? "/").split("?", 1)[0];
    next(new Error(/^\/sandbox\/[^/]+\/socket\.io\/?$/.test(path) ? unknownSandboxMessage : wrongPathMessage(path)));
    setTimeout(() => socket.conn.close(), 2000).unref();
  };
  io.use(refuse);
  io.of(/.*/).use(refuse);
  return { engine, close: () => io.close() };
}
