/** What a lesson program is: a plain function that wires handlers on a sandbox's real Socket.IO server. */
import type { Server } from "socket.io";
import type { ClientToServerEvents, ServerToClientEvents } from "../../contract/protocol.ts";

/** The sandbox's server, typed with the lesson vocabulary. */
export type LessonServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** A console whose lines go to the sandbox's console feed, not the process's stdout. */
export interface ProgramConsole {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** What a program receives besides `io`. */
export interface ProgramContext {
  console: ProgramConsole;
  /** The owner's live settings; read them when an event arrives, not once at start. */
  settings: { readonly broadcast: boolean };
}

/**
 * A lesson program, written as the Socket.IO docs would write `index.js`.
 *
 * @example
 * export const chat: LessonProgram = (io, { console }) => {
 *   io.on("connection", (socket) => console.log("a user connected"));
 * };
 */
export type LessonProgram = (io: LessonServer, context: ProgramContext) => void;

/**
 * The argument shapes a program accepts for each event it handles, checked before its handlers run.
 * `"string"` means a string; an ack function may follow the listed arguments.
 *
 * @example
 * const accepts: EventShapes = { "chat message": ["string"], join: ["string"] };
 */
export type EventShapes = Record<string, ReadonlyArray<"string" | "boolean" | "number" | "any">>;

/** A program as the sandbox loads it. */
export interface ProgramModule {
  run: LessonProgram;
  accepts: EventShapes;
  /** The file it lives in, for locating "the line that just ran" in stack traces. */
  file: string;
}
