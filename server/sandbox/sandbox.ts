/** One learner's sandbox: a real Socket.IO server of its own, running one lesson program, traced for its owner. */
import { format } from "node:util";
import { Server as EngineServer } from "engine.io";
import { Server, type Namespace, type Socket } from "socket.io";
import type { AckResult, ConsoleReply, Delivery, FeedEntry, ProgramName, SandboxSettings, SandboxState, SocketInfo } from "../../contract/protocol.ts";
import type { PlaygroundOptions } from "../config.ts";
import { isClientName } from "../../contract/client-names.ts";
import { runCommand } from "../console/console-executor.ts";
import { programs } from "../programs/index.ts";
import type { LessonServer, ProgramConsole } from "../programs/program.ts";
import { DeliveryTracer } from "./delivery-trace.ts";
import { FeedStream, type StreamSink } from "./feed-stream.ts";
import { InboundGuard } from "./inbound-guard.ts";
import { sourceLine } from "./source-line.ts";

/** What the owner's control channel receives besides the stream. */
export interface SandboxSink extends StreamSink {
  sockets(list: SocketInfo[]): void;
  settings(settings: SandboxState): void;
}

/** The names a sandbox's own secrets and path. */
export interface SandboxIdentity {
  id: string;
  token: string;
  clientKey: string;
}

/**
 * A sandbox with its own `Server` (namespaces, rooms, middlewares, adapter), reachable through `engine`.
 *
 * @example
 * const sandbox = new Sandbox(identity, options, sink);
 * dispatcher.route(req, sandbox.engine);
 */
export class Sandbox {
  readonly id: string;
  readonly token: string;
  readonly clientKey: string;
  readonly path: string;
  #options: PlaygroundOptions;
  #sink: SandboxSink;
  #stream: FeedStream;
  #settings: SandboxSettings = { program: "chat", broadcast: false };
  #io!: LessonServer;
  #engine!: EngineServer;
  #tracer!: DeliveryTracer;
  #guard: InboundGuard;
  #names = new WeakMap<object, string>();
  #nsps = new Set<Namespace>();
  #externals = 0;
  #socketCount = 0;
  #acting: { socket: Socket; event?: string } | undefined;
  #socketsTimer: NodeJS.Immediate | undefined;
  #closed = false;
  /** When the sandbox last had no sockets and no owner (undefined while in use). */
  idleSince: number | undefined = Date.now();
  owners = 0;

  constructor(identity: SandboxIdentity, options: PlaygroundOptions, sink: SandboxSink) {
    this.id = identity.id;
    this.token = identity.token;
    this.clientKey = identity.clientKey;
    this.path = `/sandbox/${identity.id}/socket.io`;
    this.#options = options;
    this.#sink = sink;
    this.#stream = new FeedStream(sink, options.backlog);
    this.#guard = new InboundGuard(options, () => ({
      shapes: programs[this.#settings.program].accepts,
      program: this.#settings.program,
    }));
    this.#start();
  }

  /** The engine the HTTP dispatcher hands this sandbox's requests and upgrades to. */
  get engine(): EngineServer {
    return this.#engine;
  }

  /** The sandbox's real Socket.IO server. */
  get io(): LessonServer {
    return this.#io;
  }

  /** The settings it runs now and the run they belong to. */
  get settings(): SandboxState {
    return { ...this.#settings, run: this.#stream.run };
  }

  get socketCount(): number {
    return this.#socketCount;
  }

  /** Changes the broadcast flag at once; a new program starts on a fresh server, as a restart would. */
  update(patch: Partial<SandboxSettings>): SandboxState {
    const program = patch.program ?? this.#settings.program;
    const switching = program !== this.#settings.program;
    this.#settings = { program, broadcast: patch.broadcast ?? this.#settings.broadcast };
    if (switching) this.#restart(program);
    this.#sink.settings(this.settings);
    return this.settings;
  }

  /** Every socket with its name, namespace and rooms, as the server sees them. */
  sockets(): SocketInfo[] {
    const list: SocketInfo[] = [];
    for (const nsp of this.#namespaces()) {
      for (const socket of nsp.sockets.values()) {
        list.push({
          socketId: socket.id,
          client: this.nameOf(socket),
          nsp: nsp.name,
          rooms: [...socket.rooms],
          simulated: this.#isSimulated(socket),
        });
      }
    }
    return list;
  }

  /** The rooms of one socket, own-id room included. */
  rooms(socketId: string): AckResult<string[]> {
    for (const nsp of this.#namespaces()) {
      const socket = nsp.sockets.get(socketId);
      if (socket) return { ok: true, data: [...socket.rooms] };
    }
    return { ok: false, error: `No socket with id ${socketId} in this sandbox; it may have disconnected.` };
  }

  /** Runs one console line on the real server. */
  command(line: string): Promise<AckResult<ConsoleReply>> {
    return runCommand(line, {
      io: this.#io,
      socket: (name) => this.#socketNamed(name),
      nameOf: (socketId) => this.#nameOfId(socketId),
      traceEmit: (call, emit) => this.#tracer.consoleCall(call, emit),
      clients: () => this.sockets().map(({ client, socketId, nsp }) => ({ name: client, socketId, nsp })),
    });
  }

  backlog(): { feed: FeedEntry[]; trace: Delivery[] } {
    return this.#stream.backlog();
  }

  /** "A", "B"… for the owner's simulated clients, "External 1"… for anyone else, per connection. */
  nameOf(socket: Socket): string {
    let name = this.#names.get(socket.conn);
    if (name === undefined) {
      name = this.#isSimulated(socket) ? String(socket.handshake.query.client) : `External ${++this.#externals}`;
      this.#names.set(socket.conn, name);
    }
    return name;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearImmediate(this.#socketsTimer);
    this.#io.close();
    this.#stream.close();
  }

  #isSimulated(socket: Socket): boolean {
    const { client, key } = socket.handshake.query;
    return key === this.clientKey && isClientName(client);
  }

  #start(): void {
    this.#tracer = new DeliveryTracer({
      nameOf: (socket) => this.nameOf(socket),
      trigger: () => (this.#acting?.event ? { client: this.nameOf(this.#acting.socket), event: this.#acting.event } : undefined),
      programLine: () => sourceLine(programs[this.#settings.program].file),
      report: (delivery) => this.#stream.trace(delivery),
    });
    this.#nsps = new Set();
    this.#socketCount = 0;
    this.#engine = new EngineServer({ maxHttpBufferSize: 1e6, cors: { origin: "*" } });
    this.#io = new Server({ serveClient: false, adapter: this.#tracer.adapter }) as LessonServer;
    this.#io.bind(this.#engine as never);
    this.#io.on("new_namespace", (nsp) => this.#instrument(nsp as Namespace));
    this.#instrument(this.#io.of("/") as Namespace);
    const program = programs[this.#settings.program];
    program.run(this.#io, { console: this.#console(), settings: this.#liveSettings() });
  }

  #restart(program: ProgramName): void {
    const previous = this.#io;
    this.#stream.run++;
    this.#system("info", `Switched to the ${program} program: the server restarted, and clients reconnect as they would to a restarted node index.js.`);
    this.#start();
    previous.close();
  }

  #instrument(nsp: Namespace): void {
    this.#nsps.add(nsp);
    nsp.use((_socket, next) => {
      if (this.#socketCount >= this.#options.maxSocketsPerSandbox) {
        this.#system("warn", `Refused a connection to ${nsp.name}: this sandbox already has ${this.#socketCount} sockets, the limit.`);
        return next(new Error(`This sandbox is full (${this.#options.maxSocketsPerSandbox} sockets); disconnect a client and try again.`));
      }
      next();
    });
    // First in line, also in a regex namespace's children, which copy the program's listeners before this runs.
    nsp.prependListener("connection", (socket: Socket) => this.#onConnection(socket));
    nsp.adapter.on("join-room", () => this.#socketsChanged());
    nsp.adapter.on("leave-room", () => this.#socketsChanged());
  }

  #onConnection(socket: Socket): void {
    const io = this.#io;
    this.#socketCount++;
    this.idleSince = undefined;
    const client = this.nameOf(socket);
    this.#tracer.watch(socket);
    this.#feed({ level: "info", kind: "connection", text: `${client} connected to ${socket.nsp.name} (id ${socket.id})`, client, socketId: socket.id, nsp: socket.nsp.name });
    this.#act(socket);
    socket.use((packet, next) => this.#inbound(socket, packet, next));
    socket.on("error", (error) => {
      // Socket.IO's parser refuses malformed packets and reserved event names alike, then closes the connection.
      const what = error.message === "invalid payload" ? "a malformed packet or a reserved event name such as \"disconnect\"" : error.message;
      this.#system("error", `${client} sent a frame Socket.IO could not read (${what}); Socket.IO closed that connection.`, socket);
    });
    socket.on("disconnect", (reason) => {
      if (io !== this.#io) return; // a replaced server closing its sockets
      this.#socketCount--;
      if (this.#socketCount === 0 && this.owners === 0) this.idleSince = Date.now();
      this.#feed({ level: "info", kind: "disconnection", text: `${client} disconnected from ${socket.nsp.name} (${reason})`, client, socketId: socket.id, nsp: socket.nsp.name });
      this.#act(socket);
      this.#socketsChanged();
    });
    this.#socketsChanged();
  }

  #inbound(socket: Socket, packet: unknown[], next: (error?: Error) => void): void {
    const client = this.nameOf(socket);
    const refusal = this.#guard.check(socket, client, packet);
    if (refusal === "flood") return;
    if (refusal) {
      this.#system("warn", refusal.warning, socket);
      const ack = packet.at(-1);
      if (typeof ack === "function") ack({ ok: false, error: refusal.ack });
      return;
    }
    const [event, ...args] = packet as [string, ...unknown[]];
    this.#feed({ level: "log", kind: "event", text: `${client} sent ${JSON.stringify(event)}`, client, socketId: socket.id, nsp: socket.nsp.name, event, args: args.filter((arg) => typeof arg !== "function") });
    // Socket.IO runs handlers on the next tick after the middlewares; bracket them so emits and logs know their trigger.
    process.nextTick(() => (this.#acting = { socket, event }));
    next();
    process.nextTick(() => (this.#acting = undefined));
  }

  /** Marks `socket` as the one the program is handling until the current synchronous work ends. */
  #act(socket: Socket): void {
    this.#acting = { socket };
    queueMicrotask(() => {
      if (this.#acting?.socket === socket && !this.#acting.event) this.#acting = undefined;
    });
  }

  #console(): ProgramConsole {
    const file = programs[this.#settings.program].file;
    const write = (level: FeedEntry["level"]) => (...args: unknown[]) => {
      const socket = this.#acting?.socket;
      this.#feed({
        level,
        kind: "program",
        text: format(...args),
        client: socket ? this.nameOf(socket) : undefined,
        socketId: socket?.id,
        nsp: socket?.nsp.name,
        line: sourceLine(file),
      });
    };
    return { log: write("log"), info: write("info"), warn: write("warn"), error: write("error") };
  }

  #liveSettings(): { readonly broadcast: boolean } {
    const sandbox = this;
    return {
      get broadcast() {
        return sandbox.#settings.broadcast;
      },
    };
  }

  #feed(entry: Omit<FeedEntry, "seq" | "at" | "run">): void {
    if (!this.#closed) this.#stream.feed(entry);
  }

  #system(level: FeedEntry["level"], text: string, socket?: Socket): void {
    this.#feed({ level, kind: "system", text, client: socket ? this.nameOf(socket) : undefined, socketId: socket?.id, nsp: socket?.nsp.name });
  }

  #socketsChanged(): void {
    this.#socketsTimer ??= setImmediate(() => {
      this.#socketsTimer = undefined;
      if (!this.#closed) this.#sink.sockets(this.sockets());
    });
  }

  #namespaces(): Namespace[] {
    return [...this.#nsps];
  }

  #socketNamed(name: string): Socket | undefined {
    for (const nsp of this.#namespaces()) {
      for (const socket of nsp.sockets.values()) if (this.nameOf(socket) === name) return socket;
    }
    return undefined;
  }

  #nameOfId(socketId: string): string {
    for (const nsp of this.#namespaces()) {
      const socket = nsp.sockets.get(socketId);
      if (socket) return this.nameOf(socket);
    }
    return socketId;
  }
}
