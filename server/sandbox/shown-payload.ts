/** What a sandbox keeps of a payload or a line for its owner: a cut copy that says its real size, measured without recursion. */
import { formatBytes } from "../wire/payload-budget.ts";

/**
 * `text` cut to `shown` characters, followed by its real size when it was longer.
 *
 * @example
 * cutText("x".repeat(65536), 1024); // "xxx…x… (64 KiB, shown 1 KiB)"
 */
export function cutText(text: string, shown: number): string {
  if (text.length <= shown) return text;
  return `${text.slice(0, shown)}… (${formatBytes(Buffer.byteLength(text))}, shown ${formatBytes(shown)})`;
}

/**
 * Arguments as the owner is shown them: unchanged when their JSON fits in `shown` bytes; otherwise each in turn
 * while room is left (a long string cut with its size, an object or array that does not fit written as a cut JSON
 * string), then one string saying how many more there were. `bytes` is the size of the JSON kept, for budgeting.
 *
 * @example
 * shownArgs(["x".repeat(65536)], 1024).args; // ["xxx…x… (64 KiB, shown 1 KiB)"]
 * shownArgs([{ a: 1 }, "hi"], 1024).args; // [{ a: 1 }, "hi"] (the same objects)
 */
export function shownArgs(args: readonly unknown[], shown: number): { args: unknown[]; bytes: number } {
  const flat = flatJsonLength(args, shown);
  if (flat !== undefined) return { args: [...args], bytes: flat };
  const whole = boundedJson(args, shown);
  if (whole.complete) return { args: [...args], bytes: whole.text.length };
  const kept: unknown[] = [];
  let room = shown;
  for (const [index, arg] of args.entries()) {
    if (room <= 0) {
      const more = args.length - index;
      kept.push(`… (${more} more argument${more === 1 ? "" : "s"})`);
      break;
    }
    if (typeof arg === "string") {
      kept.push(arg.length <= room ? arg : cutText(arg, Math.max(room, 16)));
      room -= Math.min(arg.length, room) + 2;
      continue;
    }
    const json = boundedJson(arg, room);
    if (json.complete) kept.push(arg);
    else kept.push(`${json.text}… (${sizeText(arg)}, shown ${formatBytes(room)})`);
    room -= json.text.length + 1;
  }
  return { args: kept, bytes: shown + 64 };
}

/**
 * The JSON length of `args` when every one is a string, number, boolean or null and the whole fits in `shown`
 * (a chat message, mostly): what `boundedJson` would count, without its frames. Undefined otherwise.
 */
function flatJsonLength(args: readonly unknown[], shown: number): number | undefined {
  let length = args.length > 1 ? args.length + 1 : 2; // the brackets and commas
  for (const arg of args) {
    if (typeof arg === "string") {
      if (arg.length > shown) return undefined;
      length += JSON.stringify(arg).length;
    } else if (typeof arg === "number" || typeof arg === "boolean" || arg === null) length += JSON.stringify(arg).length;
    else return undefined;
    if (length > shown) return undefined;
  }
  return length;
}

/** The JSON size of `value` as a phrase: "64 KiB", or "over 16 MiB" when counting stopped there. */
function sizeText(value: unknown): string {
  const limit = 16 * 1024 * 1024;
  const { complete, length } = boundedJson(value, limit, false);
  return complete ? formatBytes(length) : `over ${formatBytes(limit)}`;
}

type Frame =
  | { kind: "value"; value: unknown }
  | { kind: "array"; items: readonly unknown[]; next: number }
  | { kind: "object"; source: Record<string, unknown>; keys: string[]; next: number; written: number };

/**
 * JSON of `value` up to `max` characters, built with an explicit stack of frames that each hold their place in
 * an array or object: deep nesting costs no call stack, and a cycle or a huge value costs no more than `max`.
 * Binary data is written as `"[binary N bytes]"`; like `JSON.stringify`, functions and undefined are left out of
 * objects and written as null in arrays. With `keep` false only `length` is counted.
 *
 * @example
 * boundedJson({ a: [1, 2] }, 100); // { text: '{"a":[1,2]}', complete: true, length: 11 }
 */
export function boundedJson(value: unknown, max: number, keep = true): { text: string; complete: boolean; length: number } {
  // A state object and a module-level `write`, not a closure: under tsx's keepNames a named arrow made per call
  // costs an `Object.defineProperty` each time (this runs for every traced message).
  const out: Out = { parts: [], length: 0, keep };
  const stack: Frame[] = [{ kind: "value", value }];
  while (stack.length > 0 && out.length <= max) {
    const frame = stack[stack.length - 1];
    if (frame.kind === "array") {
      if (frame.next >= frame.items.length) {
        stack.pop();
        write(out, "]");
      } else {
        if (frame.next > 0) write(out, ",");
        stack.push({ kind: "value", value: frame.items[frame.next++] });
      }
      continue;
    }
    if (frame.kind === "object") {
      const key = frame.keys[frame.next++];
      if (key === undefined) {
        stack.pop();
        write(out, "}");
        continue;
      }
      const member = frame.source[key];
      if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
      write(out, `${frame.written++ > 0 ? "," : ""}${JSON.stringify(key)}:`);
      stack.push({ kind: "value", value: member });
      continue;
    }
    stack.pop();
    const item = frame.value;
    if (item === null || item === undefined || typeof item === "function" || typeof item === "symbol") write(out, "null");
    else if (typeof item === "string") write(out, JSON.stringify(item.length > max ? item.slice(0, max + 1) : item));
    else if (typeof item === "number" || typeof item === "boolean") write(out, JSON.stringify(item));
    else if (typeof item === "bigint") write(out, String(item));
    else if (item instanceof ArrayBuffer || ArrayBuffer.isView(item)) write(out, `"[binary ${item.byteLength} bytes]"`);
    else if (item instanceof Date) write(out, JSON.stringify(Number.isNaN(item.getTime()) ? null : item.toISOString()));
    else if (Array.isArray(item)) {
      write(out, "[");
      stack.push({ kind: "array", items: item, next: 0 });
    } else {
      write(out, "{");
      stack.push({ kind: "object", source: item as Record<string, unknown>, keys: Object.keys(item as object), next: 0, written: 0 });
    }
  }
  const complete = stack.length === 0 && out.length <= max;
  return { text: keep ? out.parts.join("").slice(0, max) : "", complete, length: out.length };
}

interface Out {
  parts: string[];
  length: number;
  keep: boolean;
}

function write(out: Out, text: string): void {
  out.length += text.length;
  if (out.keep) out.parts.push(text);
}
