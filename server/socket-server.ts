/** The one way this project builds a Socket.IO server: an Engine.IO server with its limits from `config.ts`, guarded on the wire, bound. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Server as EngineServer, type ServerOptions as EngineOptions } from "engine.io";
import { Server, type DefaultEventsMap, type ServerOptions } from "socket.io";
import { Adapter } from "socket.io-adapter";
import { defaultOptions, packetShape, roomLimits, socketServers, type SocketServerKind } from "./config.ts";
import { ConnectionLedger, type LedgerHooks, type LedgerLimits } from "./wire/connection-ledger.ts";
import { measuringParser } from "./wire/measuring-decoder.ts";
import { roomBudget, type AdapterMaker } from "./wire/room-budget.ts";

/** Socket.IO's own constraint on event maps (its `EventsMap` is not exported from the package root). */
type EventsMap = Record<string, any>;

/** What a server's participants may do, beyond its kind's frame size; a sandbox passes its owner's settings. */
export interface WireLimits extends LedgerLimits {
  /** UTF-8 bytes of one packet's data (attachments included); more gets an error ack. */
  payloadBytes: number;
  /** Namespaces at once, the program's own included; a CONNECT that would make one more is refused. */
  maxNamespaces: number;
}

export interface SocketServerOptions {
  adapter?: ServerOptions["adapter"];
  limits?: Partial<WireLimits>;
  /** Where refusals are told (a sandbox's console); by default nowhere. */
  hooks?: LedgerHooks;
  /** A program's `connectionStateRecovery` (the adapter must then be session-aware). */
  connectionStateRecovery?: ServerOptions["connectionStateRecovery"];
  /** A program's heartbeat, in ms (Engine.IO's defaults otherwise). */
  pingInterval?: number;
  pingTimeout?: number;
}

/**
 * Builds a Socket.IO server of one kind (sandbox, control, refusal) that never listens: the caller routes
 * requests and upgrades to `engine`. Every packet is measured before it is parsed (`measuringParser`), the
 * socket cap holds from the handshake on (`ConnectionLedger`), empty child namespaces are removed, rooms are
 * bounded per socket (`roomBudget`), and slow readers are closed. The type parameters are `Server`'s own; a
 * program's `new Server(server, options)` adds `connectionStateRecovery` and the heartbeat (`pingInterval`,
 * `pingTimeout`).
 *
 * @example
 * const { engine, io } = createSocketServer<ClientToServerEvents, ServerToClientEvents>("sandbox", { limits: { maxSockets: 64 } });
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
  { adapter, limits = {}, hooks, connectionStateRecovery, pingInterval, pingTimeout }: SocketServerOptions = {},
): { engine: EngineServer; io: Server<Listen, Emit, ServerSide, Data>; ledger: ConnectionLedger } {
  const { maxFrameBytes, anyOrigin } = socketServers[kind];
  // The heartbeat is the engine's: a program that sets pingInterval / pingTimeout sets them here.
  const heartbeat = { ...(pingInterval === undefined ? {} : { pingInterval }), ...(pingTimeout === undefined ? {} : { pingTimeout }) };
  const wire: WireLimits = {
    maxSockets: Infinity,
    namespacesPerConnection: packetShape.namespacesPerConnection,
    maxQueuedBytes: defaultOptions.maxQueuedBytes,
    packetsPerSecond: defaultOptions.maxEventsPerSecond,
    payloadBytes: maxFrameBytes,
    maxNamespaces: Infinity,
    ...limits,
  };
  const ledger = new ConnectionLedger(wire, hooks);
  const engine = new ExplainingEngine(ledger, {
    maxHttpBufferSize: maxFrameBytes,
    ...heartbeat,
    allowRequest(req, callback) {
      ledger.allowRequest(req as IncomingMessage, callback);
    },
    ...(anyOrigin ? { cors: { origin: "*" } } : {}),
  });
  ledger.watch(engine); // before bind: the ledger must know each connection before Socket.IO builds its decoder
  const io: Server<Listen, Emit, ServerSide, Data> = new Server<Listen, Emit, ServerSide, Data>({
    adapter: roomBudget((adapter as AdapterMaker | undefined) ?? Adapter, roomLimits, (conn, nsp, text) =>
      hooks?.report(conn, nsp, `${conn ? hooks.nameOf(conn) : "A socket"} ${text}`),
    ),
    ...(connectionStateRecovery ? { connectionStateRecovery } : {}),
    serveClient: false,
    cleanupEmptyChildNamespaces: true,
    // A connection that joins no namespace holds a place until then: Socket.IO's 45 s is long for that.
    connectTimeout: 10_000,
    parser: measuringParser(ledger, {
      budget: { bytes: wire.payloadBytes, depth: packetShape.depth, keys: packetShape.keys, strings: packetShape.strings },
      nameChars: packetShape.nameChars,
      newNamespace(nsp) {
        return io._nsps.has(nsp) || io._nsps.size < wire.maxNamespaces
          ? undefined
          : `this sandbox already has ${io._nsps.size} namespaces, the limit; new ones open as others empty.`;
      },
    }),
  });
  io.bind(engine);
  return { engine, io, ledger };
}

/** Engine.IO, plus: a polling POST over `maxHttpBufferSize` is explained to the client before its session closes. */
class ExplainingEngine extends EngineServer {
  #ledger: ConnectionLedger;

  constructor(ledger: ConnectionLedger, options: EngineOptions) {
    super(options);
    this.#ledger = ledger;
    // A WebSocket ping from a client would be answered with a pong that no bound counts: one that pings without
    // reading piles pongs up in memory. Engine.IO has its own heartbeat (the server pings), and browsers never ping.
    const ws = (this as unknown as { ws?: { options: { autoPong?: boolean } } }).ws;
    if (ws) ws.options.autoPong = false;
  }

  override handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const sid = req.method === "POST" ? new URL(req.url ?? "/", "http://x").searchParams.get("sid") : null;
    const conn = sid !== null && Object.hasOwn(this.clients, sid) ? this.clients[sid] : undefined;
    if (conn) {
      const max = this.opts.maxHttpBufferSize ?? 1e6;
      // With a Content-Length the reason goes out (on the pending long poll) before Engine.IO's 413; without one, after it.
      if (Number(req.headers["content-length"]) > max) this.#ledger.refuseOversized(conn, max);
      else res.once("finish", () => res.statusCode === 413 && this.#ledger.refuseOversized(conn, max));
    }
    super.handleRequest(req, res);
  }
}
