/** The owner's channel to a sandbox: settings, console commands, and the feed and trace, behind a secret token. */
import { timingSafeEqual } from "node:crypto";
import type { Server as EngineServer } from "engine.io";
import type { Server, Socket } from "socket.io";
import type {
  Ack,
  AdminUiAccess,
  ConsoleReply,
  ControlAuth,
  ControlClientToServerEvents,
  ControlServerToClientEvents,
  Delivery,
  FeedEntry,
  SandboxSettings,
  SandboxState,
  SocketInfo,
} from "../../contract/protocol.ts";
import { isProgramName } from "../programs/index.ts";
import { createSocketServer } from "../socket-server.ts";
import type { Sandbox, SandboxSink } from "../sandbox/sandbox.ts";
import type { SandboxRegistry } from "../sandbox/sandbox-registry.ts";

type ControlServer = Server<ControlClientToServerEvents, ControlServerToClientEvents, Record<string, never>, { sandbox: Sandbox }>;
type ControlSocket = Socket<ControlClientToServerEvents, ControlServerToClientEvents, Record<string, never>, { sandbox: Sandbox }>;

/**
 * One Socket.IO server, apart from every sandbox, that only owners can join.
 *
 * @example
 * const control = new ControlChannel(() => registry);
 * const registry = new SandboxRegistry(options, (id) => control.sinkFor(id));
 * httpServer.on("upgrade", (req, socket, head) => control.engine.handleUpgrade(req, socket, head));
 */
export class ControlChannel {
  /** The engine the HTTP dispatcher hands `/control/socket.io` requests and upgrades to. */
  readonly engine: EngineServer;
  #io: ControlServer;

  constructor(registry: () => SandboxRegistry) {
    const { engine, io }: { engine: EngineServer; io: ControlServer } = createSocketServer("control");
    this.engine = engine;
    this.#io = io;
    this.#io.use((socket, next) => {
      const { sandbox: id, token } = (socket.handshake.auth ?? {}) as Partial<ControlAuth>;
      // The query's id is what a load balancer routed on (controlOptions): it must name the same sandbox.
      const routed = socket.handshake.query.sandbox;
      if (routed !== undefined && routed !== id) {
        return next(new Error("The control channel's ?sandbox= names another sandbox than its auth: connect with the ticket's id in both."));
      }
      const sandbox = typeof id === "string" ? registry().get(id) : undefined;
      if (!sandbox) return next(new Error("Unknown sandbox: it may have expired. Reload the page to get a new one."));
      if (typeof token !== "string" || !sameSecret(token, sandbox.token)) {
        return next(new Error("Not the owner of this sandbox: only the page that created it can control it."));
      }
      socket.data.sandbox = sandbox;
      next();
    });
    this.#io.on("connection", (socket) => {
      const { sandbox } = socket.data;
      if (sandbox.closed) return socket.disconnect(true);
      sandbox.ownerJoined();
      socket.join(sandbox.id);
      const { feed, trace } = sandbox.backlog();
      socket.emit("settings", sandbox.settings);
      socket.emit("sockets", sandbox.sockets());
      if (feed.length || trace.length) socket.emit("stream", feed, trace);
      // The same handlers for every owner (the socket is `this`, its sandbox in `socket.data`): no closures per owner.
      socket.on("settings", ownerRequests.settings);
      socket.on("command", ownerRequests.command);
      socket.on("code", ownerRequests.code);
      socket.on("rooms", ownerRequests.rooms);
      socket.on("adminUi", ownerRequests.adminUi);
      socket.on("disconnect", ownerRequests.disconnect);
    });
  }

  /** Where a sandbox's stream and updates go: to its owners' room only. */
  sinkFor(id: string): SandboxSink {
    return new OwnersSink(this.#io, id);
  }

  close(): void {
    this.#io.close();
  }
}

/** What an owner's page asks of its sandbox, one function each for every control socket. */
const ownerRequests = {
  settings(this: ControlSocket, patch: Partial<SandboxSettings>, ack: Ack<SandboxState>): void {
    if (typeof ack !== "function") return;
    const problem = settingsProblem(patch);
    if (problem) return ack({ ok: false, error: problem });
    ack({ ok: true, data: this.data.sandbox.update(patch) });
  },
  command(this: ControlSocket, line: string, ack: Ack<ConsoleReply>): void {
    if (typeof ack !== "function") return;
    if (typeof line !== "string" || line.length > 2000) {
      return ack({ ok: false, error: "A console command is one line of text of at most 2000 characters." });
    }
    this.data.sandbox.command(line).then(ack, (error: Error) => ack({ ok: false, error: `The command failed: ${error.message}` }));
  },
  code(this: ControlSocket, request: { code: string | null }, ack: Ack<SandboxState>): void {
    if (typeof ack !== "function") return;
    const code = typeof request === "object" && request !== null ? (request as { code?: unknown }).code : undefined;
    if (code !== null && typeof code !== "string") return ack({ ok: false, error: "Send { code: \"…\" } with the text of the editable region, or { code: null } for the lesson's own program." });
    this.data.sandbox.setCode(code).then(ack, (error: Error) => ack({ ok: false, error: `The server could not run your code: ${error.message}` }));
  },
  rooms(this: ControlSocket, socketId: string, ack: Ack<string[]>): void {
    if (typeof ack !== "function") return;
    if (typeof socketId !== "string") return ack({ ok: false, error: "Ask for rooms with a socket id." });
    ack(this.data.sandbox.rooms(socketId));
  },
  adminUi(this: ControlSocket, ack: Ack<AdminUiAccess>): void {
    if (typeof ack !== "function") return;
    ack({ ok: true, data: this.data.sandbox.adminUi() });
  },
  disconnect(this: ControlSocket): void {
    this.data.sandbox.ownerLeft();
  },
};

/** A sandbox's sink: its owners' room (a class: one small object per sandbox instead of five closures). */
class OwnersSink implements SandboxSink {
  #io: ControlServer;
  #room: string;

  constructor(io: ControlServer, room: string) {
    this.#io = io;
    this.#room = room;
  }

  stream(feed: FeedEntry[], trace: Delivery[]): void {
    this.#io.to(this.#room).emit("stream", feed, trace);
  }

  sockets(list: SocketInfo[]): void {
    this.#io.to(this.#room).emit("sockets", list);
  }

  settings(settings: SandboxState): void {
    this.#io.to(this.#room).emit("settings", settings);
  }

  closed(): void {
    this.#io.to(this.#room).disconnectSockets(true);
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function settingsProblem(patch: unknown): string | undefined {
  if (typeof patch !== "object" || patch === null) return "Settings are an object like { broadcast: true }.";
  const { program, broadcast, adapter, sticky, crashed, recovery, unique, ...rest } = patch as Partial<SandboxSettings>;
  if (Object.keys(rest).length) return `Unknown setting ${Object.keys(rest)[0]}: only program, broadcast, recovery, unique, adapter, sticky and crashed can change.`;
  if (crashed !== undefined && typeof crashed !== "boolean") return "The server 2 switch (crashed) is true or false.";
  if (unique !== undefined && typeof unique !== "boolean") return "The UNIQUE client_offset switch is true or false.";
  if (adapter !== undefined && typeof adapter !== "boolean") return "The adapter switch is true or false.";
  if (sticky !== undefined && typeof sticky !== "boolean") return "The sticky sessions switch is true or false.";
  if (recovery !== undefined && typeof recovery !== "boolean") return "The recovery flag is true or false.";
  if (program !== undefined && !isProgramName(program)) return `No lesson program named ${String(program)}.`;
  if (broadcast !== undefined && typeof broadcast !== "boolean") return "The broadcast flag is true or false.";
  return undefined;
}
