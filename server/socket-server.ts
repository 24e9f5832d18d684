/** The one way this project builds a Socket.IO server: an Engine.IO server with its limits from `config.ts`, bound. */
import { Server as EngineServer } from "engine.io";
import { Server, type DefaultEventsMap, type ServerOptions } from "socket.io";
import { socketServers, type SocketServerKind } from "./config.ts";

/** Socket.IO's own constraint on event maps (its `EventsMap` is not exported from the package root). */
type EventsMap = Record<string, any>;

/**
 * Builds a Socket.IO server of one kind (sandbox, control, refusal) that never listens: the caller routes
 * requests and upgrades to `engine`. The type parameters are `Server`'s own; `options` adds e.g. the `adapter`,
 * `connectionStateRecovery` and the heartbeat (`pingInterval`, `pingTimeout`).
 *
 * @example
 * const { engine, io } = createSocketServer<ClientToServerEvents, ServerToClientEvents>("sandbox");
 * httpServer.on("upgrade", (req, socket, head) => engine.handleUpgrade(req, socket, head));
 * io.on("connection", (socket) => socket.emit("online", []));
 */
export function createSocketServer<
  Listen extends EventsMap = DefaultEventsMap,
  Emit extends EventsMap = Listen,
  ServerSide extends EventsMap = DefaultEventsMap,
  Data = any,
>(
  kind: SocketServerKind,
  { pingInterval, pingTimeout, ...options }: Pick<Partial<ServerOptions>, "adapter" | "connectionStateRecovery" | "pingInterval" | "pingTimeout"> = {},
): { engine: EngineServer; io: Server<Listen, Emit, ServerSide, Data> } {
  const { maxFrameBytes, anyOrigin } = socketServers[kind];
  // The heartbeat is the engine's: a program that sets pingInterval / pingTimeout sets them here.
  const heartbeat = { ...(pingInterval === undefined ? {} : { pingInterval }), ...(pingTimeout === undefined ? {} : { pingTimeout }) };
  const engine = new EngineServer({ maxHttpBufferSize: maxFrameBytes, ...heartbeat, ...(anyOrigin ? { cors: { origin: "*" } } : {}) });
  const io = new Server<Listen, Emit, ServerSide, Data>({ ...options, serveClient: false });
  io.bind(engine);
  return { engine, io };
}
