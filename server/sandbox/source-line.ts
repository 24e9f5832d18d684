/** Finds the line of a lesson program that is running, from a stack trace (source-mapped by tsx/vitest). */

/**
 * The 1-based line of `file` in the current call stack, or undefined when the program is not on it.
 *
 * @example
 * const line = sourceLine("/app/server/programs/chat.ts"); // 12, inside the chat program's handler
 */
export function sourceLine(file: string): number | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const at = stack.indexOf(file);
  if (at < 0) return undefined;
  const match = /^:(\d+):\d+/.exec(stack.slice(at + file.length));
  return match ? Number(match[1]) : undefined;
}
