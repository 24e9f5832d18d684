/** Answers a client that asks for a sandbox that does not exist: a `connect_error` with a reason, never a hang. */
import type { Server as EngineServer } from "engine.io";
import type { Socket } from "socket.io";
import { createSocketServer } from "../socket-server.ts";

export const unknownSandboxMessage =
  "No sandbox with this id: it expired or never existed. Copy a fresh snippet from the playground page.";

/**
 * A Socket.IO server that accepts the handshake only to refuse every namespace with a clear message.
 *
 * @example
 * const refusal = createRefusal();
 * refusal.engine.handleRequest(req, res);
 */
export function createRefusal(): { engine: EngineServer; close(): void } {
  const { engine, io } = createSocketServer("refusal");
  const refuse = (socket: Socket, next: (error: Error) => void) => {
    next(new Error(unknownSandboxMessage));
    setTimeout(() => socket.conn.close(), 2000).unref();
  };
  io.use(refuse);
  io.of(/.*/).use(refuse);
  return { engine, close: () => io.close() };
}
