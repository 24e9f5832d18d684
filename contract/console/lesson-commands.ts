/** Console commands written in a lesson's text: which code spans are commands, and their `<A's id>` placeholders filled. */
import { parseCommand } from "./console-parser.ts";

const placeholder = /<([A-Z]{1,2}|External \d+)'s id>/g;

/**
 * True for text the server console would run: a command such as `io.to("lobby").emit("news", 1)`, not program
 * code such as `io.emit("chat message", msg)`. Placeholders count as the strings they stand in.
 *
 * @example
 * isConsoleCommand('io.except("<A\'s id>").emit("x", 1)'); // true
 * isConsoleCommand('socket.broadcast.emit("chat message", msg)'); // false
 */
export function isConsoleCommand(text: string): boolean {
  if (text.includes("\n")) return false;
  // In the scaling lesson a command may start with `server(N).` to run on node N (the server strips it).
  const parsed = parseCommand(text.replace(/^server\(\d\)\./, ""));
  return parsed.ok && parsed.command.kind !== "clear";
}

/**
 * The client names a command's placeholders stand for, in order of first use.
 *
 * @example
 * placeholdersIn('socket("A").to("<A\'s id>").emit("x")'); // ["A"]
 */
export function placeholdersIn(command: string): string[] {
  return [...new Set([...command.matchAll(placeholder)].map((match) => match[1]))];
}

/**
 * Replaces each `<A's id>` with the live socket id of client A; a client without one makes a sentence instead.
 *
 * @example
 * fillPlaceholders('io.to("<B\'s id>").emit("x", 1)', (name) => ids[name]);
 * // { ok: true, line: 'io.to("Qx1…").emit("x", 1)' }
 */
export function fillPlaceholders(command: string, idOf: (client: string) => string | undefined): { ok: true; line: string } | { ok: false; error: string } {
  const missing = placeholdersIn(command).find((name) => idOf(name) === undefined);
  if (missing) return { ok: false, error: `${missing} is not connected, so it has no socket id: connect ${missing} (or add it) and run the command again.` };
  return { ok: true, line: command.replace(placeholder, (_match, name: string) => idOf(name) ?? "") };
}
