/** The server console's transcript: the sandbox's feed, each command run and its answer; the terminal and its accessible log both show it. */
import type { AckResult, ConsoleReply, FeedEntry, FeedLevel } from "../../../contract/protocol.ts";
import { fillPlaceholders } from "../../../contract/console/lesson-commands.ts";
import { displayText } from "../../../contract/display-text.ts";
import { formatArg } from "./log-entry.ts";
import type { LiveSession } from "./session.svelte.ts";
import { getSession } from "./session.svelte.ts";

/**
 * One printed line. `program`: the lesson program's own output; `note`: the playground's dimmed notes
 * (who connected, what a client sent); `system`: the playground speaking; `input`: a command run;
 * `output` / `error`: its answer (`position` points a caret at a bad token).
 */
export interface ConsoleLine {
  id: number;
  kind: "program" | "note" | "system" | "input" | "output" | "error";
  level: FeedLevel;
  text: string;
  position?: number;
}

/** Lines kept; the terminal keeps its own scrollback. */
const capacity = 1000;

/**
 * One feed line as text: `[A] message: hi`, `[B] → server: chat message "hi"`. Everything from the sandbox goes
 * through `displayText`, so a participant can neither steer the terminal nor forge a line.
 *
 * @example
 * feedText({ seq: 1, run: 1, at: 5, level: "log", kind: "program", text: "a user connected", client: "A" }); // "[A] a user connected"
 */
export function feedText(entry: FeedEntry): string {
  const who = entry.client ? `[${displayText(entry.client)}] ` : "";
  if (entry.kind === "event") {
    const args = (entry.args ?? []).map(formatArg).join(", ");
    return `${who}→ server: ${displayText(entry.event ?? "")}${args ? ` ${args}` : ""}`;
  }
  return `${who}${displayText(entry.text)}`;
}

function feedLine(id: number, entry: FeedEntry): ConsoleLine {
  const kind = entry.kind === "program" ? "program" : entry.kind === "system" ? "system" : "note";
  return { id, kind, level: entry.level, text: feedText(entry) };
}

/**
 * The page's one server console, fed by the session; `run` takes a typed line or a lesson's Run button.
 *
 * @example
 * const serverConsole = getServerConsole();
 * const stop = serverConsole.onLine((line) => terminal.writeln(line.text));
 * await serverConsole.run('io.emit("news", 1)');
 */
export class ServerConsole {
  #session: LiveSession;
  #lines: ConsoleLine[] = [];
  #version = $state(0);
  #nextId = 1;
  #listeners = new Set<(line: ConsoleLine) => void>();
  #clearListeners = new Set<() => void>();

  constructor(session: LiveSession) {
    this.#session = session;
    for (const entry of session.feed) this.#add(feedLine(this.#nextId++, entry));
    session.onFeed((entry) => this.#add(feedLine(this.#nextId++, entry)));
  }

  /** The transcript, oldest first (reading it subscribes to changes). */
  get lines(): readonly ConsoleLine[] {
    void this.#version;
    return this.#lines;
  }

  /** Calls `fn` for every new line; returns the unsubscribe function. */
  onLine(fn: (line: ConsoleLine) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Calls `fn` when the screen is cleared (`clear`, Ctrl+L); returns the unsubscribe function. */
  onClear(fn: () => void): () => void {
    this.#clearListeners.add(fn);
    return () => this.#clearListeners.delete(fn);
  }

  /** Empties the transcript and the terminal. */
  clear(): void {
    this.#lines = [];
    this.#version++;
    for (const fn of this.#clearListeners) fn();
  }

  /** Runs one line on the sandbox's server and prints it with its answer. */
  async run(line: string): Promise<AckResult<ConsoleReply>> {
    this.#print("input", "log", line);
    if (line.trim() === "clear") {
      this.clear();
      return { ok: true, data: { lines: [], clear: true } };
    }
    if (!line.trim()) return { ok: true, data: { lines: [] } };
    const reply = await this.#session.command(line);
    if (reply.ok) {
      if (reply.data.clear) this.clear();
      for (const out of reply.data.lines) this.#print("output", out.level, displayText(out.text));
    } else {
      this.#add({ id: this.#nextId++, kind: "error", level: "error", text: displayText(reply.error), position: reply.position });
    }
    return reply;
  }

  /**
   * Runs a command from a lesson's text, its `<A's id>` placeholders filled with the live socket ids.
   *
   * @example
   * await serverConsole.runLesson('io.to("<B\'s id>").emit("x", 1)');
   */
  async runLesson(command: string): Promise<AckResult<ConsoleReply>> {
    const filled = fillPlaceholders(command, (name) => this.#socketIdOf(name));
    if (!filled.ok) {
      this.#print("input", "log", command);
      this.#print("error", "error", filled.error);
      return { ok: false, error: filled.error };
    }
    return this.run(filled.line);
  }

  #socketIdOf(name: string): string | undefined {
    const sockets = this.#session.sockets.filter((socket) => socket.client === name);
    return (sockets.find((socket) => socket.nsp === "/") ?? sockets[0])?.socketId;
  }

  #print(kind: ConsoleLine["kind"], level: FeedLevel, text: string): void {
    this.#add({ id: this.#nextId++, kind, level, text });
  }

  #add(line: ConsoleLine): void {
    this.#lines.push(line);
    if (this.#lines.length > capacity) this.#lines.splice(0, this.#lines.length - capacity);
    this.#version++;
    for (const fn of this.#listeners) fn(line);
  }
}

let serverConsole: ServerConsole | undefined;

/**
 * The page's one server console (created with the session on first use).
 *
 * @example
 * getServerConsole().runLesson('io.emit("news", 1)');
 */
export function getServerConsole(): ServerConsole {
  serverConsole ??= new ServerConsole(getSession());
  return serverConsole;
}
