/** What a lesson program is: one `index.js`-shaped file that wires handlers on a sandbox's real Socket.IO server. */
import type { Server } from "socket.io";
import type { ClientToServerEvents, ServerToClientEvents } from "../../contract/protocol.ts";
import type { CallSite } from "../runtime/call-sites.ts";
import type { ProgramSource } from "../runtime/program-source.ts";
import type { ProgramServerOptions } from "./server-options.ts";
import type { SandboxDatabase } from "../store/sandbox-database.ts";

/** The sandbox's server, typed with the lesson vocabulary. */
export type LessonServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** A console whose lines go to the sandbox's console feed, not the process's stdout. */
export interface ProgramConsole {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** What a program receives besides `io`: its `console`, its `require("./settings")`, and where it notes its lines. */
export interface ProgramContext {
  console: ProgramConsole;
  /** The owner's live settings; read them when an event arrives, not once at start. */
  settings: { readonly broadcast: boolean; readonly recovery?: boolean; readonly unique?: boolean };
  /** The run's SQL database, for a program that `require("./db")`s one. */
  db?: SandboxDatabase;
  /** Each numbered call site writes its line here as it runs (see `server/runtime/call-sites.ts`). */
  site?: CallSite;
}

/**
 * Runs a lesson program on `io`, as `node index.js` would run the file with `io` being its `new Server(server)`.
 *
 * @example
 * programs.chat.run(io, { console, settings: { broadcast: false } });
 */
export type LessonProgram = (io: LessonServer, context: ProgramContext) => void;

/**
 * The argument shapes a program accepts for each event it declares, checked before its handlers run.
 * `"string"` means a string; an ack function may follow the listed arguments.
 *
 * @example
 * const accepts: EventShapes = { "chat message": ["string"], join: ["string"] };
 */
export type EventShapes = Record<string, ReadonlyArray<"string" | "boolean" | "number" | "any">>;

/** A built-in program as the sandbox loads it. */
export interface ProgramModule {
  /** Runs the file natively (trusted code, compiled once from the file's text). */
  run: LessonProgram;
  accepts: EventShapes;
  /** The file it lives in (`server/programs/<name>.js`). */
  file: string;
  /** The file's text, editable region and declared events. */
  source: ProgramSource;
  /** What its `new Server(server, { … })` sets (heartbeat, connection state recovery); unset: Socket.IO's defaults. */
  server?: ProgramServerOptions;
  /** True for a program that `require("./db")`s: each run gets a fresh database of its own. */
  database?: boolean;
}
