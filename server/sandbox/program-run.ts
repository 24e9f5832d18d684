/** One run of a lesson program: a fresh Socket.IO server, every namespace instrumented, the program's handlers on it. */
import type { Server as EngineServer } from "engine.io";
import type { Namespace, Socket } from "socket.io";
import type { Adapter } from "socket.io-adapter";
import { adminNamespace, type AdminAccess } from "../admin/admin-access.ts";
import { adminGate, instrumentAdmin } from "../admin/admin-instrument.ts";
import type { ClientToServerEvents, Delivery, ServerToClientEvents } from "../../contract/protocol.ts";
import type { LessonServer, ProgramModule } from "../programs/program.ts";
import type { CallSite } from "../runtime/call-sites.ts";
import type { PreparedCode, RunningProgram } from "../runtime/learner-program.ts";
import { startNative } from "../runtime/native-program.ts";
import { createSocketServer, type WireLimits } from "../socket-server.ts";
import { WireError } from "../wire/measuring-decoder.ts";
import { DeliveryTracer } from "./delivery-trace.ts";
import type { HandlerContext, ReservedEmit } from "./handler-context.ts";
import type { InboundGuard } from "./inbound-guard.ts";
import { inboundMiddleware } from "./inbound-middleware.ts";
import { RunConsoleTarget, RunLedgerHooks, RunTraceContext } from "./run-views.ts";
import { boundedSessionAdapter, type RecoveryLimits } from "./recovery-adapter.ts";
import type { Occupancy } from "./occupancy.ts";
import { programConsole, type ProgramLine } from "./program-console.ts";
import { SandboxDatabase, type StoreLedger } from "../store/sandbox-database.ts";
import type { SocketDirectory } from "./socket-directory.ts";

/** What a run shares with its sandbox, which outlives it. */
export interface RunHost {
  /** The sandbox's socket cap, payload budget, namespace cap and slow-reader bound. */
  limits: Partial<WireLimits>;
  directory: SocketDirectory;
  context: HandlerContext;
  guard: InboundGuard;
  occupancy: Occupancy;
  /** The owner's live settings, read by the program when an event arrives (`recovery` when a run starts). */
  settings: { readonly broadcast: boolean; readonly recovery?: boolean; readonly unique?: boolean };
  /** What connection state recovery may keep, when a program turns it on. */
  recoveryLimits: RecoveryLimits;
  /** What the SQL database of a program that has one may hold: this sandbox's bytes and every sandbox's ledger. */
  storeLimits: { maxBytes: number; ledger: StoreLedger };
  feed(line: ProgramLine): void;
  /** Whether a program or event line is shown in full now; false: a flood, the line is only counted (see `FeedStream`). */
  lineWanted(): boolean;
  trace(delivery: Omit<Delivery, "seq" | "at" | "run">): void;
  /** As `lineWanted`, for a delivery. */
  deliveryWanted(): boolean;
  /** A socket came, went, joined or left a room. */
  socketsChanged(): void;
  /** The Admin UI's credentials once the owner asked for it (then every run installs it); undefined before. */
  admin?(): AdminAccess | undefined;
}

/** One node of a multi-node sandbox (the scaling lesson): its number, and what it shares with the other nodes. */
export interface ClusterNode {
  /** 1-based: "server 1", "server 2". */
  number: number;
  /** One tracer for every node, so a delivery that crosses nodes is one row. */
  tracer: DeliveryTracer;
  site: CallSite;
  /** Its server's adapter class, traced: the cluster bus's while the Adapter switch is on. */
  adapter: typeof Adapter;
}

/**
 * The tracer of a run: names and triggers from the sandbox, the program's line from `site`; the Admin UI's
 * traffic is not traced (it is no delivery, and never interrupts one being traced).
 *
 * @example
 * const tracer = runTracer(host, { line: undefined });
 */
export function runTracer(host: RunHost, site: CallSite, nodeOf?: (nsp: Namespace) => number | undefined): DeliveryTracer {
  return new DeliveryTracer(new RunTraceContext(host, site, nodeOf));
}

/**
 * Starts `program` on a new server at once: the built-in program natively, or learner `code` in its own
 * QuickJS engine. Connections get the socket cap, a feed line, the inbound guard, delivery tracing and their
 * handler context; `close()` ends the run without a word about its sockets.
 *
 * @example
 * const run = new ProgramRun(programs.chat, host);
 * httpServer.on("upgrade", (req, socket, head) => run.engine.handleUpgrade(req, socket, head));
 * run.close(); // before starting the next one
 */
export class ProgramRun {
  readonly engine: EngineServer;
  readonly io: LessonServer;
  readonly tracer: DeliveryTracer;
  #host: RunHost;
  #program: RunningProgram;
  #closed = false;
  /** Set when this run is one node of a multi-node sandbox. */
  #node: ClusterNode | undefined;
  /** Stops the Admin UI's instrumentation, once installed. */
  #stopAdmin: (() => void) | undefined;
  /** The program's SQL database, freed with the run. */
  #db: SandboxDatabase | undefined;
  /** " on server 2" in a multi-node sandbox's feed lines, "" otherwise. */
  #on: string;
  /** Each socket's `emitReserved` (see `HandlerContext.cover`), which also tells this run about errors and disconnections. */
  #reserved: ReservedEmit;

  constructor(program: ProgramModule, host: RunHost, code?: PreparedCode, node?: ClusterNode) {
    this.#host = host;
    this.#node = node;
    this.#on = node ? ` on server ${node.number}` : "";
    this.#reserved = host.context.reservedEmitter((socket, event, args) => this.#reservedEvent(socket, event, args));
    const { directory } = host;
    // The program notes the line of each call it makes here; the trace and the console read it (no stack traces).
    const site: CallSite = node?.site ?? { line: undefined };
    this.tracer = node?.tracer ?? runTracer(host, site);
    // The program's `new Server(server, { … })` options: its heartbeat, and recovery while the owner has it on.
    const recovery = !node && host.settings.recovery ? program.server?.recovery : undefined;
    ({ engine: this.engine, io: this.io } = createSocketServer<ClientToServerEvents, ServerToClientEvents>("sandbox", {
      ...program.server?.heartbeat,
      ...(recovery
        ? { connectionStateRecovery: { ...recovery }, adapter: this.tracer.adapterOn(boundedSessionAdapter(host.recoveryLimits)) }
        : { adapter: node?.adapter ?? this.tracer.adapter }),
      limits: host.limits,
      hooks: new RunLedgerHooks(host),
    }));
    // One directory over every node of a multi-node sandbox: the first node starts the list, the others join it.
    if (!node || node.number === 1) directory.follow(this.io);
    else directory.alsoFollow(this.io);
    this.io.on("new_namespace", (nsp) => this.#instrument(nsp));
    this.#instrument(this.io.of("/"));
    this.enableAdmin();
    const console = programConsole(new RunConsoleTarget(host, site));
    // A program that keeps messages gets a database of its own, empty at each start, as a fresh ":memory:" one.
    this.#db = program.database
      ? new SandboxDatabase({ ...host.storeLimits, refused: (text) => host.feed({ level: "warn", kind: "system", text }) })
      : undefined;
    const run = { console, settings: host.settings, site, ...(this.#db ? { db: this.#db } : {}) };
    this.#program = code ? code.start(this.io, run) : startNative(program.run, this.io, run);
  }

  /** Installs the Admin UI's server side on this run if the owner has asked for it (once; later runs do it at start). */
  enableAdmin(): void {
    const access = this.#host.admin?.();
    if (!access || this.#stopAdmin || this.#closed) return;
    this.#stopAdmin = instrumentAdmin(this.io, access, `server ${this.#node?.number ?? 1}`);
  }

  /** The broadcast switch moved: learner code hears it at once (built-in programs read it live). */
  settingsChanged(settings: { broadcast: boolean }): void {
    this.#program.settingsChanged(settings);
  }

  /** Resolves once the program has run every call into it asked for so far (learner code runs in an engine thread). */
  codeSettled(): Promise<void> {
    return this.#program.settled();
  }

  /** The QuickJS engine's memory while learner code runs (asked of its engine thread); undefined for a built-in program. */
  codeMemory(): Promise<{ heapBytes: number; wasmBytes: number } | undefined> {
    return this.#program.memory();
  }

  /** Closes the server; its sockets' disconnections are not reported (a new run or nothing replaces it). */
  close(): void {
    this.#closed = true;
    // As a server process that is replaced: the program stops first, so no handler of it runs for the closing sockets.
    this.#program.stop();
    this.io.close();
    this.#stopAdmin?.();
    this.#db?.close();
  }

  #instrument(nsp: Namespace): void {
    const { context } = this.#host;
    if (nsp.name === adminNamespace) return this.#instrumentAdmin(nsp);
    // The socket cap is the connection ledger's (at the handshake and at each CONNECT, before a socket exists).
    nsp.use((socket, next) => context.connecting(socket, next));
    // First in line, also in a regex namespace's children, which copy the program's listeners before this runs.
    nsp.prependListener("connection", (socket: Socket) => this.#onConnection(socket));
    // Joining and leaving rooms is told by the tracing adapter (`TraceContext.roomsChanged`).
  }

  /**
   * The Admin UI's namespace: under the socket cap and behind the owner's credentials, but no card, no feed line and
   * no trace; it is read-only, so any event its sockets send is refused.
   */
  #instrumentAdmin(nsp: Namespace): void {
    // Its CONNECTs pass the connection ledger like any other, so its sockets count under the socket cap.
    nsp.use(adminGate(() => this.#host.admin?.()));
    nsp.on("connection", (socket: Socket) => {
      socket.use((packet) => {
        const ack = packet.at(-1);
        if (typeof ack === "function") ack({ ok: false, error: "The Admin UI is read-only here: run commands in the server console instead." });
      });
    });
  }

  #onConnection(socket: Socket): void {
    const host = this.#host;
    const client = host.directory.nameOf(socket);
    host.occupancy.socketJoined();
    // The run hears the socket's "error" and "disconnect" before the program's listeners do, with no listener of its own.
    host.context.cover(socket, this.#reserved);
    this.tracer.watch(socket);
    host.feed({ level: "info", kind: "connection", text: `${client} connected to ${socket.nsp.name}${this.#on} (id ${socket.id})`, client, socketId: socket.id, nsp: socket.nsp.name });
    useFirst(socket, inboundMiddleware(socket, host));
    host.socketsChanged();
  }

  #reservedEvent(socket: Socket, event: string, args: unknown[]): void {
    if (event === "disconnect") this.#onDisconnect(socket, args[0] as string);
    else if (event === "error") this.#onError(socket, args[0] as Error);
  }

  #onError(socket: Socket, error: Error): void {
    // The measuring decoder has told the owner about the packets it refused (WireError); anything else is told here.
    if (error instanceof WireError) return;
    const client = this.#host.directory.nameOf(socket);
    this.#host.feed({ level: "error", kind: "system", text: `${client}'s connection failed (${error.message}); Socket.IO closed it.`, client, socketId: socket.id, nsp: socket.nsp.name });
  }

  #onDisconnect(socket: Socket, reason: string): void {
    this.tracer.unwatch(socket);
    if (this.#closed) return;
    const host = this.#host;
    const client = host.directory.nameOf(socket);
    host.occupancy.socketLeft();
    host.feed({ level: "info", kind: "disconnection", text: `${client} disconnected from ${socket.nsp.name}${this.#on} (${reason})`, client, socketId: socket.id, nsp: socket.nsp.name });
    host.socketsChanged();
  }
}

type SocketMiddleware = Parameters<Socket["use"]>[0];

/**
 * `socket.use(middleware)`, with the list made to size when it is the socket's first: Socket.IO's `use` pushes onto
 * an empty array, which V8 then grows to 17 slots (150 bytes on every socket of a thousand sandboxes).
 */
function useFirst(socket: Socket, middleware: SocketMiddleware): void {
  // `fns` is Socket.IO's private list of socket middlewares (socket.io/lib/socket.ts), run in order for each event.
  const own = socket as unknown as { fns: SocketMiddleware[] };
  if (Array.isArray(own.fns) && own.fns.length === 0) own.fns = [middleware];
  else socket.use(middleware);
}
