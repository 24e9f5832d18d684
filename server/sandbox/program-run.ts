/** One run of a lesson program: a fresh Socket.IO server, every namespace instrumented, the program's handlers on it. */
import type { Server as EngineServer } from "engine.io";
import type { Namespace, Socket } from "socket.io";
import type { ClientToServerEvents, Delivery, ServerToClientEvents } from "../../contract/protocol.ts";
import type { LessonServer, ProgramModule } from "../programs/program.ts";
import type { CallSite } from "../runtime/call-sites.ts";
import type { PreparedCode, RunningProgram } from "../runtime/learner-program.ts";
import { startNative } from "../runtime/native-program.ts";
import { createSocketServer } from "../socket-server.ts";
import { DeliveryTracer } from "./delivery-trace.ts";
import type { HandlerContext } from "./handler-context.ts";
import type { InboundGuard } from "./inbound-guard.ts";
import { inboundMiddleware } from "./inbound-middleware.ts";
import { boundedSessionAdapter, type RecoveryLimits } from "./recovery-adapter.ts";
import type { Occupancy } from "./occupancy.ts";
import { programConsole, type ProgramLine } from "./program-console.ts";
import type { SocketDirectory } from "./socket-directory.ts";

/** What a run shares with its sandbox, which outlives it. */
export interface RunHost {
  maxSockets: number;
  directory: SocketDirectory;
  context: HandlerContext;
  guard: InboundGuard;
  occupancy: Occupancy;
  /** The owner's live settings, read by the program when an event arrives (`recovery` when a run starts). */
  settings: { readonly broadcast: boolean; readonly recovery?: boolean };
  /** What connection state recovery may keep, when a program turns it on. */
  recoveryLimits: RecoveryLimits;
  feed(line: ProgramLine): void;
  trace(delivery: Omit<Delivery, "seq" | "at" | "run">): void;
  /** A socket came, went, joined or left a room. */
  socketsChanged(): void;
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

  constructor(program: ProgramModule, host: RunHost, code?: PreparedCode) {
    this.#host = host;
    const { directory, context } = host;
    // The program notes the line of each call it makes here; the trace and the console read it (no stack traces).
    const site: CallSite = { line: undefined };
    this.tracer = new DeliveryTracer({
      nameOf: (socket) => directory.nameOf(socket),
      trigger: () => {
        const handling = context.current();
        return handling?.event ? { client: directory.nameOf(handling.socket), event: handling.event } : undefined;
      },
      programLine: () => site.line,
      report: (delivery) => host.trace(delivery),
    });
    directory.forgetNamespaces();
    // The program's `new Server(server, { … })` options: its heartbeat, and recovery while the owner has it on.
    const recovery = host.settings.recovery ? program.server?.recovery : undefined;
    ({ engine: this.engine, io: this.io } = createSocketServer<ClientToServerEvents, ServerToClientEvents>("sandbox", {
      ...program.server?.heartbeat,
      ...(recovery
        ? { connectionStateRecovery: { ...recovery }, adapter: this.tracer.adapterOn(boundedSessionAdapter(host.recoveryLimits)) }
        : { adapter: this.tracer.adapter }),
    }));
    this.io.on("new_namespace", (nsp) => this.#instrument(nsp));
    this.#instrument(this.io.of("/"));
    const console = programConsole({ site, handling: () => context.current(), nameOf: (socket) => directory.nameOf(socket), feed: host.feed });
    const run = { console, settings: host.settings, site };
    this.#program = code ? code.start(this.io, run) : startNative(program.run, this.io, run);
  }

  /** The broadcast switch moved: learner code hears it at once (built-in programs read it live). */
  settingsChanged(settings: { broadcast: boolean }): void {
    this.#program.settingsChanged(settings);
  }

  /** The QuickJS engine's memory while learner code runs; undefined for a built-in program. */
  codeMemory(): { heapBytes: number; wasmBytes: number } | undefined {
    return this.#program.memory();
  }

  /** Closes the server; its sockets' disconnections are not reported (a new run or nothing replaces it). */
  close(): void {
    this.#closed = true;
    // As a server process that is replaced: the program stops first, so no handler of it runs for the closing sockets.
    this.#program.stop();
    this.io.close();
  }

  #instrument(nsp: Namespace): void {
    const { directory, context, maxSockets } = this.#host;
    directory.track(nsp);
    nsp.use((socket, next) => {
      const count = directory.count;
      if (count >= maxSockets) {
        this.#host.feed({ level: "warn", kind: "system", text: `Refused a connection to ${nsp.name}: this sandbox already has ${count} sockets, the limit.` });
        return next(new Error(`This sandbox is full (${maxSockets} sockets); disconnect a client and try again.`));
      }
      context.connecting(socket, next);
    });
    // First in line, also in a regex namespace's children, which copy the program's listeners before this runs.
    nsp.prependListener("connection", (socket: Socket) => this.#onConnection(socket));
    nsp.adapter.on("join-room", () => this.#host.socketsChanged());
    nsp.adapter.on("leave-room", () => this.#host.socketsChanged());
  }

  #onConnection(socket: Socket): void {
    const host = this.#host;
    const client = host.directory.nameOf(socket);
    const where = { client, socketId: socket.id, nsp: socket.nsp.name };
    host.occupancy.socketJoined();
    host.context.cover(socket);
    this.tracer.watch(socket);
    host.feed({ level: "info", kind: "connection", text: `${client} connected to ${socket.nsp.name} (id ${socket.id})`, ...where });
    socket.use(inboundMiddleware(socket, { guard: host.guard, context: host.context, nameOf: (s) => host.directory.nameOf(s), feed: host.feed }));
    socket.on("error", (error) => {
      // Socket.IO's parser refuses malformed packets and reserved event names alike, then closes the connection.
      const what = error.message === "invalid payload" ? "a malformed packet or a reserved event name such as \"disconnect\"" : error.message;
      host.feed({ level: "error", kind: "system", text: `${client} sent a frame Socket.IO could not read (${what}); Socket.IO closed that connection.`, ...where });
    });
    socket.on("disconnect", (reason) => {
      if (this.#closed) return;
      host.occupancy.socketLeft();
      host.feed({ level: "info", kind: "disconnection", text: `${client} disconnected from ${socket.nsp.name} (${reason})`, ...where });
      host.socketsChanged();
    });
    host.socketsChanged();
  }
}
