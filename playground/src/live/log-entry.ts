/** One line of a client's event log, and how it reads as text (the accessible name the contract fixes). */
import { displayText } from "../../../contract/display-text.ts";

/** What happened: the contract's five kinds, plus `frame` for a raw transport frame (shown on request). */
export type LogKind = "sent" | "received" | "connected" | "disconnected" | "error" | "frame";

export interface LogEntry {
  /** Increasing per log; a stable key for `{#each}`. */
  id: number;
  /** When it happened, in ms since the epoch (the page's clock). */
  time: number;
  kind: LogKind;
  /** Event name; for connect/disconnect/error the socket.io reserved name or reason. */
  event: string;
  args: unknown[];
  /** Namespace the socket belongs to. */
  nsp: string;
  /** For `frame`: which way it went and the Engine.IO text, e.g. `42["chat message","hi"]`. */
  direction?: "in" | "out";
  frame?: string;
  /** The client call a card action made, e.g. `socket.emit("chat message", "hi")`. */
  call?: string;
}

/**
 * One argument as a learner would type it: strings quoted, everything else JSON; control characters escaped.
 *
 * @example
 * formatArg("hello"); // '"hello"'
 * formatArg({ a: 1 }); // '{"a":1}'
 */
export function formatArg(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "[ack]";
  try {
    return displayText(JSON.stringify(value) ?? String(value));
  } catch {
    return displayText(String(value));
  }
}

/**
 * One argument of an entry as shown: an error's message as plain words, anything else as `formatArg` writes it.
 *
 * @example
 * argText({ id: 1, time: 0, kind: "error", event: "connect_error", args: [], nsp: "/" }, "Not authorized"); // "Not authorized"
 */
export function argText(entry: LogEntry, arg: unknown): string {
  return entry.kind === "error" && typeof arg === "string" ? displayText(arg) : formatArg(arg);
}

/**
 * The text of an entry, kind first: `received chat message "hello"`, `error connect_error Not authorized`.
 *
 * @example
 * describeEntry({ id: 1, time: 0, kind: "received", event: "chat message", args: ["hello"], nsp: "/" });
 * // 'received chat message "hello"'
 */
export function describeEntry(entry: LogEntry): string {
  if (entry.kind === "frame") return `frame ${entry.direction} ${displayText(entry.frame ?? "")}`;
  return [entry.kind, displayText(entry.event), ...entry.args.map((arg) => argText(entry, arg))].join(" ");
}

const engineTypes: Record<string, string> = { open: "0", close: "1", ping: "2", pong: "3", message: "4", upgrade: "5", noop: "6" };

/**
 * The Engine.IO text frame for a packet from the engine's `packet` / `packetCreate` events.
 *
 * @example
 * rawFrame({ type: "message", data: '2["chat message","hi"]' }); // '42["chat message","hi"]'
 */
export function rawFrame(packet: { type: string; data?: unknown }): string {
  const code = engineTypes[packet.type] ?? "?";
  if (packet.data === undefined) return code;
  if (typeof packet.data === "string") return code + packet.data;
  const size = (packet.data as { byteLength?: number }).byteLength;
  return `${code}<binary ${size ?? "?"} bytes>`;
}

/**
 * The key under which a received event is compared with the server's delivery trace.
 *
 * @example
 * deliveryKey("/", "chat message", ["hi"]); // '/|chat message|["hi"]'
 */
export function deliveryKey(nsp: string, event: string, args: unknown[]): string {
  return `${nsp}|${event}|${formatArg(args)}`;
}

/**
 * A time of day as a log shows it, to the millisecond: `14:03:07.412`.
 *
 * @example
 * clockTime(new Date(2025, 0, 1, 14, 3, 7, 412).getTime()); // "14:03:07.412"
 */
export function clockTime(time: number): string {
  const date = new Date(time);
  const two = (value: number) => String(value).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}
