/** One learner's sandbox: a real Socket.IO server of its own, running one lesson program, traced for its owner. */
import type { Server as EngineServer } from "engine.io";
import type { Socket } from "socket.io";
import { AdminAccess } from "../admin/admin-access.ts";
import { isClientName } from "../../contract/client-names.ts";
import { ClusterRun, nodeCount } from "../cluster/cluster-run.ts";
import type { MissedSession } from "../cluster/node-balancer.ts";
import { RedisLink } from "../cluster/redis-link.ts";
import type { AckResult, AdminUiAccess, ConsoleReply, Delivery, FeedEntry, ProgramName, SandboxSettings, SandboxState, SocketInfo } from "../../contract/protocol.ts";
import { displayText } from "../../contract/display-text.ts";
import type { PlaygroundOptions } from "../config.ts";
import { runCommand } from "../console/console-executor.ts";
import { programs } from "../programs/index.ts";
import type { LessonServer, ProgramModule } from "../programs/program.ts";
import { prepareCode, type PreparedCode } from "../runtime/learner-program.ts";
import { RunRate } from "../runtime/run-rate.ts";
import { FeedStream, type StreamSink } from "./feed-stream.ts";
import { HandlerContext, type Handling } from "./handler-context.ts";
import { InboundGuard } from "./inbound-guard.ts";
import { Occupancy } from "./occupancy.ts";
import type { ProgramLine } from "./program-console.ts";
import { sharedLedger, type StoreLedger } from "../store/sandbox-database.ts";
import { ProgramRun, type RunHost } from "./program-run.ts";
import type { RecoveryLimits } from "./recovery-adapter.ts";
import type { WireLimits } from "../socket-server.ts";
import { cutText } from "./shown-payload.ts";
import { SocketDirectory } from "./socket-directory.ts";

/** What the owner's control channel receives besides the stream. */
export interface SandboxSink extends StreamSink {
  sockets(list: SocketInfo[]): void;
  settings(settings: SandboxState): void;
  /** The sandbox closed itself after a fault (its last feed line says why): its owners are disconnected. */
  closed?(): void;
}

/** The names a sandbox's own secrets and path. */
export interface SandboxIdentity {
  id: string;
  token: string;
  clientKey: string;
}

/** The programs a sandbox can switch to, by name (tests pass their own). */
export type ProgramCatalog = Record<ProgramName, ProgramModule>;

/** A sandbox kept across a restart of the playground server (see `SandboxStore`); learner code is not kept. */
export interface RestoredSandbox {
  /** The program and broadcast flag it ran. */
  settings: SandboxSettings;
  /** The program run it starts with (the restart restarted its server too). */
  run: number;
  /** When it last had no owner page and no socket (ms since the epoch): its idle time goes on from there. */
  idleSince: number;
}

export interface SandboxExtras {
  /** The programs it can run (default: the lessons' programs). */
  catalog?: ProgramCatalog;
  /** Set when the sandbox comes back after a restart; a new sandbox starts on the chat program, idle from now. */
  restored?: RestoredSandbox;
}

/**
 * A sandbox with its own `Server` (namespaces, rooms, middlewares, adapter), reachable through `engine`.
 * Names, owners and idle time, the handler context and the feed outlive each program run.
 *
 * @example
 * const sandbox = new Sandbox({ id, token, clientKey }, resolveOptions(), control.sinkFor(id));
 * httpServer.on("upgrade", (req, socket, head) => sandbox.engine.handleUpgrade(req, socket, head));
 * sandbox.update({ program: "rooms" }); // a fresh server runs the rooms program; clients reconnect
 */
export class Sandbox {
  readonly id: string;
  readonly token: string;
  readonly clientKey: string;
  readonly path: string;
  #options: PlaygroundOptions;
  #sink: SandboxSink;
  #catalog: ProgramCatalog;
  #stream: FeedStream;
  #settings: SandboxSettings = { program: "chat", broadcast: false };
  #directory: SocketDirectory;
  #occupancy: Occupancy;
  #host: RunHost;
  #run: ProgramRun | ClusterRun;
  #socketsTimer: NodeJS.Immediate | undefined;
  #closed = false;
  /** Learner code replacing the program's editable region (undefined: the built-in program runs). */
  #code: string | undefined;
  #codeRequests = 0;
  /** Made when the owner first runs code. */
  #codeRate: RunRate | undefined;
  /** The Admin UI's credentials, made when the owner first asks to open it. */
  #admin: AdminAccess | undefined;

  /** The owner's settings as a program reads them, live (a class: an object literal with getters costs closures and a dictionary). */
  static #LiveSettings = class LiveSettings {
    readonly #sandbox: Sandbox;

    constructor(sandbox: Sandbox) {
      this.#sandbox = sandbox;
    }

    get broadcast(): boolean {
      return this.#sandbox.#settings.broadcast;
    }

    get recovery(): boolean {
      return this.#sandbox.#settings.recovery === true;
    }

    get unique(): boolean {
      return this.#sandbox.#settings.unique === true;
    }
  };

  /**
   * What every program run of a sandbox shares with it. A class (inside `Sandbox`, to reach its private state):
   * one object per sandbox whose methods live once on the prototype, instead of an object literal whose methods
   * and getters are new closures (and, under tsx's keepNames, `name` dictionaries) in each of a thousand sandboxes.
   * Runs call its methods on it (`host.feed(line)`), never detached.
   */
  static #Host = class SandboxHost implements RunHost {
    readonly limits: Partial<WireLimits>;
    readonly directory: SocketDirectory;
    readonly context: HandlerContext;
    readonly guard: InboundGuard;
    readonly occupancy: Occupancy;
    readonly recoveryLimits: RecoveryLimits;
    readonly storeLimits: { maxBytes: number; ledger: StoreLedger };
    readonly settings: RunHost["settings"];
    readonly #sandbox: Sandbox;

    constructor(sandbox: Sandbox, options: PlaygroundOptions, directory: SocketDirectory, occupancy: Occupancy) {
      this.#sandbox = sandbox;
      this.limits = {
        maxSockets: options.maxSocketsPerSandbox,
        payloadBytes: options.maxPayloadBytes,
        maxNamespaces: options.maxNamespaces,
        maxQueuedBytes: options.maxQueuedBytes,
        packetsPerSecond: options.maxEventsPerSecond,
      };
      this.directory = directory;
      this.occupancy = occupancy;
      this.context = new HandlerContext((error, handling) => sandbox.#fault(error, handling));
      this.guard = new InboundGuard(options, () => ({ shapes: sandbox.#catalog[sandbox.#settings.program].accepts, program: sandbox.#settings.program }));
      // Disconnected sessions: a few per socket the sandbox may hold, per namespace.
      this.recoveryLimits = { maxBytes: options.recoveryBytes, maxSessions: options.maxSocketsPerSandbox * 4 };
      this.storeLimits = { maxBytes: options.storeBytes, ledger: sharedLedger(options.storeTotalBytes) };
      this.settings = new Sandbox.#LiveSettings(sandbox);
    }

    feed(line: ProgramLine): void {
      this.#sandbox.#feed(line);
    }

    lineWanted(): boolean {
      return !this.#sandbox.#closed && this.#sandbox.#stream.lineWanted();
    }

    trace(delivery: Omit<Delivery, "seq" | "at" | "run">): void {
      this.#sandbox.#stream.trace(delivery);
    }

    deliveryWanted(): boolean {
      return !this.#sandbox.#closed && this.#sandbox.#stream.deliveryWanted();
    }

    socketsChanged(): void {
      this.#sandbox.#socketsChanged();
    }

    admin(): AdminAccess | undefined {
      return this.#sandbox.#admin;
    }
  };

  constructor(identity: SandboxIdentity, options: PlaygroundOptions, sink: SandboxSink, { catalog = programs, restored }: SandboxExtras = {}) {
    this.id = identity.id;
    this.token = identity.token;
    this.clientKey = identity.clientKey;
    this.path = `/sandbox/${identity.id}/socket.io`;
    this.#options = options;
    this.#sink = sink;
    this.#catalog = catalog;
    this.#stream = new FeedStream(sink, options.backlog, options.feedBytes);
    const directory = (this.#directory = new SocketDirectory(identity.clientKey));
    this.#occupancy = new Occupancy(() => directory.count, Date.now, restored?.idleSince);
    if (restored) {
      this.#settings = { ...restored.settings };
      this.#stream.run = restored.run;
    }
    this.#host = new Sandbox.#Host(this, options, directory, this.#occupancy);
    directory.nodeOf = (socket) => (this.#run instanceof ClusterRun ? this.#run.nodeOf(socket) : undefined);
    this.#run = this.#startRun();
    if (restored) {
      this.#feed({ level: "info", kind: "system", text: "The playground server restarted: this sandbox kept its id, program and broadcast flag; clients reconnect by themselves." });
    }
  }

  /** The engine the HTTP dispatcher hands this sandbox's requests and upgrades to. */
  get engine(): EngineServer {
    return this.#run.engine;
  }

  /** The sandbox's real Socket.IO server (a new one after each program switch). */
  get io(): LessonServer {
    return this.#run.io;
  }

  /** Every server of the current run: one, or each node's in the scaling lesson (node 1 first). */
  get servers(): LessonServer[] {
    return this.#run instanceof ClusterRun ? this.#run.nodes.map((node) => node.io) : [this.#run.io];
  }

  /** The settings it runs now and the run they belong to. */
  get settings(): SandboxState {
    return { ...this.#settings, run: this.#stream.run, edited: this.#code !== undefined };
  }

  /** Sockets connected now, over all namespaces. */
  get socketCount(): number {
    return this.#directory.count;
  }

  /** An owner page connected: the sandbox is in use. */
  ownerJoined(): void {
    this.#occupancy.ownerJoined();
  }

  /** An owner page left: with no sockets and no other owner, the sandbox is idle from now on. */
  ownerLeft(): void {
    this.#occupancy.ownerLeft();
  }

  /** When the sandbox last had no owner page and no socket (ms since the epoch), or undefined while in use. */
  get idleSince(): number | undefined {
    return this.#occupancy.idleSince;
  }

  /** True when nobody (owner page or socket) has used the sandbox for `idleMs`; never while in use. */
  isIdle(now = Date.now()): boolean {
    return this.#occupancy.idleFor(this.#options.idleMs, now);
  }

  /** Changes the broadcast flag at once; a new program starts on a fresh server, as a restart would. */
  update(patch: Partial<SandboxSettings>): SandboxState {
    if (this.#closed) return this.settings;
    const program = patch.program ?? this.#settings.program;
    const switching = program !== this.#settings.program;
    const flipped = (patch.broadcast ?? this.#settings.broadcast) !== this.#settings.broadcast;
    const adapterFlipped = patch.adapter !== undefined && patch.adapter !== (this.#settings.adapter ?? false);
    const recovery = patch.recovery ?? this.#settings.recovery === true;
    const recovering = recovery !== (this.#settings.recovery === true) && this.#catalog[program].server?.recovery !== undefined;
    this.#settings = { ...this.#settings, program, broadcast: patch.broadcast ?? this.#settings.broadcast };
    if (recovery) this.#settings.recovery = true;
    else delete this.#settings.recovery;
    const unique = patch.unique ?? this.#settings.unique === true;
    const uniqueFlipped = unique !== (this.#settings.unique === true) && this.#catalog[program].database === true;
    if (unique) this.#settings.unique = true;
    else delete this.#settings.unique;
    if (patch.adapter !== undefined) this.#settings.adapter = patch.adapter;
    if (patch.sticky !== undefined) this.#settings.sticky = patch.sticky;
    const crashing = patch.crashed !== undefined && patch.crashed !== (this.#settings.crashed === true) && program === "scaling";
    if (patch.crashed) this.#settings.crashed = true;
    else if (patch.crashed === false) delete this.#settings.crashed;
    if (switching || adapterFlipped) delete this.#settings.crashed;
    if (switching) {
      this.#code = undefined;
      this.#codeRequests++;
      this.#restart(`Switched to the ${program} program`);
    } else if (adapterFlipped && program === "scaling") {
      const shared = RedisLink.find(this.#options.redisUrl)?.up ? "the Redis adapter (@socket.io/redis-adapter)" : "a cluster adapter";
      this.#restart(this.#settings.adapter ? `Adapter on: both servers now share ${shared}` : "Adapter off: each server has only its own in-memory adapter");
    } else if (recovering) {
      // Server options are fixed when the server is made: a new server; learner code, if it ran, runs again on it.
      const code = this.#code;
      this.#code = undefined;
      this.#codeRequests++;
      this.#restart(`Connection state recovery ${recovery ? "on" : "off"}`);
      if (code !== undefined) void this.setCode(code);
    } else if (crashing && this.#run instanceof ClusterRun) {
      if (this.#settings.crashed) this.#run.crash(2);
      else this.#run.revive(2);
    } else if (uniqueFlipped) {
      // The table is made when the server starts: a new server, with a fresh database.
      this.#restart(`UNIQUE client_offset ${unique ? "on" : "off"}: a fresh database`);
    }
    if (!switching && flipped) this.#run.settingsChanged(this.#settings);
    this.#sink.settings(this.settings);
    return this.settings;
  }

  /**
   * Runs learner code in place of the program's editable region (`null`: back to the built-in program). The code
   * is parsed and compiled first: a syntax error answers with its line and changes nothing; otherwise the
   * server restarts (a new run) with the code running in its own QuickJS engine.
   */
  async setCode(code: string | null): Promise<AckResult<SandboxState>> {
    const request = ++this.#codeRequests;
    if (code === null) {
      if (this.#code !== undefined) {
        this.#code = undefined;
        this.#restart(`Back to the ${this.#settings.program} lesson's own program`);
        this.#sink.settings(this.settings);
      }
      return { ok: true, data: this.settings };
    }
    if (this.#settings.program === "scaling") return { ok: false, error: "Run code is not available in the scaling lesson yet: its two servers run the lesson's program; use the console and the switches." };
    if (this.#catalog[this.#settings.program].database) {
      return { ok: false, error: "Run code is not available in the delivery lesson yet: your code cannot reach the sandbox's database; use the cards, the switch and the console." };
    }
    if (!(this.#codeRate ??= new RunRate()).take()) return { ok: false, error: "You ran code very often just now; wait a second and press Run code again." };
    const prepared = await this.#prepare(code, request);
    if (!prepared.ok) {
      // The console says it too (CONTRACT: "in the server console"); the program that ran keeps running.
      this.#feed({ level: "error", kind: "program", text: `Your code did not run: ${prepared.error}`, line: prepared.line });
      return prepared;
    }
    if (this.#closed || request !== this.#codeRequests) {
      prepared.program.discard();
      return { ok: false, error: "Newer code or another program replaced this code before it ran; nothing changed." };
    }
    this.#code = code;
    this.#restart("Your code is running", prepared.program);
    this.#sink.settings(this.settings);
    return { ok: true, data: this.settings };
  }

  /** Resolves once learner code, if it runs, has run every call into it asked for so far (tests wait on it). */
  codeSettled(): Promise<void> {
    return this.#run.codeSettled();
  }

  /** The memory of the QuickJS engine running learner code, if it runs (asked of its engine thread). */
  codeMemory(): Promise<{ heapBytes: number; wasmBytes: number } | undefined> {
    return this.#run.codeMemory();
  }

  /**
   * Opens the Admin UI's namespace on this sandbox (from now on, on every run) and answers with what the owner's
   * page needs to connect the Admin UI to it: the credentials go to the owner only, never to participants.
   */
  adminUi(): AdminUiAccess {
    this.#admin ??= new AdminAccess();
    this.#run.enableAdmin();
    return this.#admin.accessFor(this.path);
  }

  /** Every socket with its name, namespace and rooms, as the server sees them. */
  sockets(): SocketInfo[] {
    return this.#directory.list();
  }

  /** The rooms of one socket, own-id room included. */
  rooms(socketId: string): AckResult<string[]> {
    return this.#directory.rooms(socketId);
  }

  /** What its console lines and deliveries cost now, in bytes: at most `feedBytes` (`SANDBOX_FEED_BYTES`). */
  get keptBytes(): number {
    return this.#stream.usedBytes;
  }

  /** True once the sandbox closed (idle, or after a fault); the registry forgets it. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs one console line on the real server; in the scaling lesson `server(N).` runs it on node N. Its output is
   * cut and escaped like every line the owner sees.
   */
  async command(line: string): Promise<AckResult<ConsoleReply>> {
    const reply = await this.#routeCommand(line);
    if (!reply.ok) return reply;
    return { ok: true, data: { ...reply.data, lines: reply.data.lines.map((out) => ({ ...out, text: displayText(cutText(out.text, 4 * 1024)) })) } };
  }

  async #routeCommand(line: string): Promise<AckResult<ConsoleReply>> {
    const prefix = /^(\s*server\s*\(\s*(\d+)\s*\)\s*\.)/.exec(line);
    let io = this.#run.io;
    if (prefix) {
      const number = Number(prefix[2]);
      if (!(this.#run instanceof ClusterRun)) return { ok: false, error: "server(N). picks one of several servers: only the scaling lesson runs more than one.", position: 0 };
      if (number < 1 || number > nodeCount) return { ok: false, error: `This sandbox runs servers 1 to ${nodeCount}; there is no server ${number}.`, position: line.indexOf(prefix[2]) };
      if (this.#run.down.has(number)) return { ok: false, error: `Server ${number} is down (it crashed): turn it back on with the switch under the panel's title.`, position: line.indexOf(prefix[2]) };
      io = this.#run.nodes[number - 1].io;
      const result = await this.#runCommand(line.slice(prefix[1].length), io);
      return result.ok || result.position === undefined ? result : { ...result, position: result.position + prefix[1].length };
    }
    return this.#runCommand(line, io);
  }

  #runCommand(line: string, io: LessonServer): Promise<AckResult<ConsoleReply>> {
    return runCommand(line, {
      io,
      // socket("<id>") names one socket (a multiplexed client's /admin socket); socket("A") its client's first.
      socket: (name) => this.#directory.byId(name) ?? this.#directory.byName(name),
      nameOf: (socketId) => {
        const socket = this.#directory.byId(socketId);
        return socket ? this.nameOf(socket) : socketId;
      },
      traceEmit: (call, emit, sender) => this.#run.tracer.consoleCall(call, emit, sender),
      clients: () => this.sockets().map(({ client, socketId, nsp }) => ({ name: client, socketId, nsp })),
    });
  }

  /** What an owner page that connects now sees first. */
  backlog(): { feed: FeedEntry[]; trace: Delivery[] } {
    return this.#stream.backlog();
  }

  /** "A", "B"… for the owner's simulated clients, "External 1"… for anyone else, per connection. */
  nameOf(socket: Socket): string {
    return this.#directory.nameOf(socket);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearImmediate(this.#socketsTimer);
    this.#run.close();
    this.#stream.close();
  }

  /** Prepares learner code in an engine; if that engine's thread is later lost through no fault of the code, it restarts. */
  #prepare(code: string, request: number): ReturnType<typeof prepareCode> {
    return prepareCode(this.#catalog[this.#settings.program].source, code, this.#options, () => void this.#codeLost(code, request));
  }

  /** Another sandbox's code made the engine thread this code ran in stop: run the same code again, from its text. */
  async #codeLost(code: string, request: number): Promise<void> {
    if (this.#closed || request !== this.#codeRequests || this.#code !== code) return;
    const again = ++this.#codeRequests;
    this.#feed({
      level: "warn",
      kind: "system",
      text: "Another learner's code got stuck in the engine thread that also ran yours, so that thread was stopped; your code starts again from its text.",
    });
    const prepared = await this.#prepare(code, again);
    if (this.#closed || again !== this.#codeRequests) return prepared.ok ? prepared.program.discard() : undefined;
    if (!prepared.ok) {
      this.#code = undefined;
      this.#restart(`Your code could not start again (${prepared.error}); back to the ${this.#settings.program} lesson's own program`);
    } else {
      this.#restart("Your code started again", prepared.program);
    }
    this.#sink.settings(this.settings);
  }

  #restart(what: string, code?: PreparedCode): void {
    const previous = this.#run;
    this.#stream.run++;
    this.#feed({ level: "info", kind: "system", text: `${what}: the server restarted, and clients reconnect as they would to a restarted node index.js.` });
    this.#run = this.#startRun(code);
    previous.close();
  }

  /** A run of the current program: two nodes behind the balancer for the scaling program, one server otherwise. */
  #startRun(code?: PreparedCode): ProgramRun | ClusterRun {
    const program = this.#catalog[this.#settings.program];
    // Every run starts with all its servers up.
    delete this.#settings.crashed;
    if (this.#settings.program !== "scaling") return new ProgramRun(program, this.#host, code);
    return new ClusterRun(program, this.#host, {
      adapter: this.#settings.adapter ?? false,
      redis: RedisLink.find(this.#options.redisUrl),
      // Sticky by default, so the lesson's clients connect; the lesson turns it off to show what breaks.
      sticky: () => this.#settings.sticky ?? true,
      missed: (miss) => this.#missedSession(miss),
    });
  }

  /** Without sticky sessions a request reached a node that never saw its session: Engine.IO answers 400. */
  #missedSession({ node, owner, sid, transport, query }: MissedSession): void {
    const client = query.get("key") === this.clientKey && isClientName(query.get("client")) ? query.get("client") : "A client";
    const what = transport === "polling" ? "polling request" : "WebSocket upgrade";
    this.#feed({
      level: "error",
      kind: "system",
      text: `${client}'s ${what} reached server ${node}, which does not know its session ${sid} (it lives on server ${owner}): Engine.IO answered 400 "Session ID unknown". Sticky sessions keep a session on its server.`,
    });
  }

  /** Something thrown while the program handled `handling` escaped every handler: tell the owner, close this sandbox alone. */
  #fault(error: unknown, handling: Handling): void {
    if (this.#closed) return;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const during = handling.event === undefined ? `${this.nameOf(handling.socket)}'s connection` : `${JSON.stringify(handling.event)} from ${this.nameOf(handling.socket)}`;
    this.#feed({
      level: "error",
      kind: "system",
      text: `The server failed while handling ${during} (${what}). This sandbox was closed so nothing else is affected; the page starts a new one when it reconnects.`,
    });
    this.#stream.flush();
    this.#sink.closed?.();
    this.close();
  }

  #feed(line: ProgramLine): void {
    if (!this.#closed) this.#stream.feed(line);
  }

  #socketsChanged(): void {
    this.#socketsTimer ??= setImmediate(() => {
      this.#socketsTimer = undefined;
      if (!this.#closed) this.#sink.sockets(this.sockets());
    });
  }
}
