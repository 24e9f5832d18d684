/** The one wire contract between the playground page and the live server: type-only, used by both sides. */

/** The result every ack carries: data on success, a sentence a learner can act on otherwise. */
export type AckResult<T = null> =
  | { ok: true; data: T }
  | {
      ok: false;
      error: string;
      /** 0-based column of the bad token, for console parse errors */
      position?: number;
      /** For a syntax error in learner code: 1-based line (whole-file numbering) and column of the problem. */
      line?: number;
      column?: number;
    };

/** An acknowledgement callback; always the last argument of an event. */
export type Ack<T = null> = (result: AckResult<T>) => void;

/** The lesson programs a sandbox can run (one module each under `server/programs/`). */
export type ProgramName = "chat" | "broadcast" | "rooms" | "namespaces" | "acknowledgements" | "recovery" | "delivery" | "scaling";

/** What the owner of a sandbox can change. */
export interface SandboxSettings {
  /** Which lesson program runs in the sandbox. */
  program: ProgramName;
  /** On: the program answers with `socket.broadcast.emit`; off: with `io.emit`. */
  broadcast: boolean;
  /** Scaling lesson: on, its nodes share a cluster adapter (a broadcast reaches every node's clients); default off. */
  adapter?: boolean;
  /** Scaling lesson: on, the sandbox's balancer keeps each Engine.IO session on its node; default on. */
  sticky?: boolean;
  /**
   * Scaling lesson: true crashes server 2 (its clients lose their connection and reconnect to server 1; server 1
   * notices by the missing heartbeat); false starts it again, fresh. Default false.
   */
  crashed?: boolean;
  /**
   * Connection state recovery for programs that offer it (the recovery lesson's `connectionStateRecovery`):
   * on, the server keeps a disconnected socket's id, rooms and missed emits for a while. Changing it restarts
   * the server, as changing `new Server(server, options)` would. Unset: off.
   */
  recovery?: boolean;
  /**
   * Delivery lesson: on, the program's `messages` table makes `client_offset` UNIQUE, so a retried message is stored
   * once. Changing it restarts the server with a fresh database. Unset: off.
   */
  unique?: boolean;
}

/** The settings a sandbox runs now, with the program run they belong to. */
export interface SandboxState extends SandboxSettings {
  /**
   * Which run of a program this is: 1 for the sandbox's first program, one more at every restart of its
   * server (a program switch). Every feed line and delivery carries the run it happened in, so the page
   * never shows an earlier run's emits as if they concerned today's sockets.
   */
  run: number;
  /** True while learner code (sent with the control channel's `code`) runs instead of the lesson's program. */
  edited: boolean;
}

/**
 * `POST /api/sandboxes` (`content-type: application/json`, body `{}`) answers 201 with this. Refusals carry
 * `{ error }`: 503 over the cap, 429 with `Retry-After` over the per-address quota, 403 from another site, 415
 * without JSON.
 */
export interface SandboxTicket {
  /** Public id: anyone who knows it can join `/sandbox/<id>/socket.io` as a participant. */
  id: string;
  /** Owner secret for the control channel; never shown in a snippet or a URL. */
  token: string;
  /** Secret that lets the owner's simulated clients carry their names (query `client`, `key`). */
  clientKey: string;
  /** The Socket.IO path of the sandbox, `/sandbox/<id>/socket.io`. */
  path: string;
}

/** How a simulated client introduces itself: `io(url, { path, forceNew: true, query })`. */
export interface SimulatedClientQuery {
  /** "A", "B", … */
  client: string;
  /** `SandboxTicket.clientKey`; without it a socket is named "External 1", "External 2", … */
  key: string;
}

export type FeedLevel = "log" | "info" | "warn" | "error";

/** One line of the sandbox's server console, as `node index.js` would print it. */
export interface FeedEntry {
  seq: number;
  /** The program run it happened in (see `SandboxState.run`). */
  run: number;
  /** Milliseconds since the sandbox started. */
  at: number;
  level: FeedLevel;
  /**
   * - `program`: a `console.*` call inside the lesson program
   * - `connection` / `disconnection`: a socket came or went
   * - `event`: an event a socket sent to the server
   * - `system`: the playground itself (bad input, caps, program switch)
   */
  kind: "program" | "connection" | "disconnection" | "event" | "system";
  text: string;
  /** Client name ("A", "External 1") and socket id, where the line is about one socket. */
  client?: string;
  socketId?: string;
  nsp?: string;
  /** For `event`: the event name and its arguments. */
  event?: string;
  args?: unknown[];
  /** 1-based line of the program source that produced it, when it came from the program. */
  line?: number;
}

/** One socket reached by an emit. */
export interface Recipient {
  socketId: string;
  client: string;
  /** Scaling lesson: the server (1-based) the recipient is connected to. */
  node?: number;
}

/** One emit made on the server, with the sockets the real adapter delivered it to. */
export interface Delivery {
  seq: number;
  /** The program run it happened in (see `SandboxState.run`). */
  run: number;
  at: number;
  nsp: string;
  /** The call that made it, e.g. `socket.broadcast.emit("chat message", "hi")`. */
  call: string;
  event: string;
  args: unknown[];
  /** For `socket.*` calls: the client whose server-side socket made the call. */
  from?: string;
  /** The incoming event being handled when the emit was made, if any. */
  trigger?: { client: string; event: string };
  /** `program` (the lesson program) or `console` (typed by the learner). */
  source: "program" | "console";
  /**
   * For a broadcast (anything but a `socket.emit` to one socket): the rooms it targeted (none: the whole
   * namespace) and the rooms it left out, the sender's own-id room not counted (that is what `from` says).
   * Absent for a `socket.emit`.
   */
  broadcast?: {
    rooms: string[];
    except: string[];
    /** The `timeout(ms)` it was made with: the sender waits that long for every recipient's acknowledgement. */
    timeout?: number;
  };
  reached: Recipient[];
  /** Scaling lesson: the server (1-based) the call ran on. */
  node?: number;
  /** 1-based line of the program source that made the emit. */
  line?: number;
}

/** A socket as the server sees it (rooms are server-only; this is how the page learns them). */
export interface SocketInfo {
  socketId: string;
  client: string;
  nsp: string;
  rooms: string[];
  /** True for sockets whose query carried the owner's client key. */
  simulated: boolean;
  /** In a multi-node sandbox (the scaling lesson): the node it is connected to, 1 for "server 1". */
  node?: number;
}

/** One line of console command output. */
export interface ConsoleLine {
  level: FeedLevel;
  text: string;
}

/** What a console command answers. `clear` asks the terminal to clear itself. */
export interface ConsoleReply {
  lines: ConsoleLine[];
  clear?: boolean;
}

/**
 * Control channel, path `/control/socket.io`, query `?sandbox=<id>`, auth `{ sandbox: id, token }` (see
 * `contract/control-connection.ts`): server → owner page.
 * Feed lines and deliveries arrive in batches (flushed every few ms, in `seq` order; the two share one
 * `seq` counter); on connect the owner first gets `settings`, `sockets` and a backlog of recent entries.
 */
export interface ControlServerToClientEvents {
  /**
   * The sandbox's console lines and deliveries since the last batch, in one packet (either list may be empty):
   * one frame to the owner per 16 ms tick, not one per kind.
   */
  stream: (feed: FeedEntry[], trace: Delivery[]) => void;
  /** The whole list of sockets, sent after every connect, disconnect, join or leave. */
  sockets: (sockets: SocketInfo[]) => void;
  settings: (settings: SandboxState) => void;
}

/** Control channel: owner page → server. */
export interface ControlClientToServerEvents {
  settings: (patch: Partial<SandboxSettings>, ack: Ack<SandboxState>) => void;
  command: (line: string, ack: Ack<ConsoleReply>) => void;
  rooms: (socketId: string, ack: Ack<string[]>) => void;
  /**
   * Runs learner code: `code` is the text of the program's editable region (see `CompiledLesson.source.editable`),
   * `null` returns to the lesson's built-in program. Success restarts the sandbox's server (a new `run`; clients
   * reconnect as on a program switch) with the code running isolated. A syntax error answers
   * `{ ok: false, error, line, column }` in whole-file numbering and changes nothing. Errors while the code runs
   * (a throw, an endless loop, too much memory) arrive on the feed as `{ kind: "program", level: "error", text, line }`.
   */
  code: (request: { code: string | null }, ack: Ack<SandboxState>) => void;
  /** Opens the Admin UI's namespace on the sandbox and answers with how to connect the Admin UI to it. */
  adminUi: (ack: Ack<AdminUiAccess>) => void;
}

/**
 * How the owner's page connects `@socket.io/admin-ui`'s UI (served at `url`) to its sandbox: the sandbox's
 * `path`, an admin `namespace` no lesson uses, and credentials made for this sandbox, known to its owner only.
 * `sessionId` lets the UI connect without a form; `username`/`password` work in its form too.
 */
export interface AdminUiAccess {
  url: string;
  path: string;
  namespace: string;
  username: string;
  password: string;
  sessionId: string;
}

/** What the control channel's handshake carries. */
export interface ControlAuth {
  sandbox: string;
  token: string;
}

/** Lesson events a participant sends to a sandbox (the programs' vocabulary). */
export interface ClientToServerEvents {
  /** In the rooms lesson a room name may follow the message (`io.to(room)`); an ack may come last either way. */
  "chat message": (message: string, room?: string | Ack, ack?: Ack) => void;
  /** Ask the server to put this socket in a room (rooms are server-only). */
  join: (room: string, ack?: Ack<string[]>) => void;
  leave: (room: string, ack?: Ack<string[]>) => void;
  nickname: (name: string, ack?: Ack) => void;
  typing: (isTyping: boolean) => void;
}

/** Lesson events a sandbox sends to participants. The console can emit any other name too. */
export interface ServerToClientEvents {
  "chat message": (message: string, from?: string) => void;
  /** The broadcast lesson's `socket.emit`: sent to one socket only, when it connects. */
  welcome: (text: string) => void;
  "user joined": (who: string) => void;
  "user left": (who: string) => void;
  typing: (who: string, isTyping: boolean) => void;
  online: (who: string[]) => void;
  [event: string]: (...args: any[]) => void;
}
