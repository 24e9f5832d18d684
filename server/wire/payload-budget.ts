/** Measures a packet's JSON text before it is parsed: bytes, depth, keys and strings, in one loop with no recursion. */

/** What one packet's payload may hold; its event name counts like any other string. */
export interface PayloadBudget {
  /** UTF-8 bytes of the JSON text (binary attachments are added by the decoder). */
  bytes: number;
  /** Arrays and objects inside each other. */
  depth: number;
  /** Object keys over the whole payload. */
  keys: number;
  /** String values over the whole payload (keys not included). */
  strings: number;
}

/** The first limit a payload went over, and by how much (at least: measuring stops at the limit where it can). */
export interface Excess {
  over: keyof PayloadBudget;
  measured: number;
  limit: number;
}

const quote = 0x22;
const backslash = 0x5c;
const colon = 0x3a;
const open = new Set([0x5b, 0x7b]); // [ {
const close = new Set([0x5d, 0x7d]); // ] }

/**
 * The first limit `text` goes over, or undefined when it fits. Reads each character once and stops as soon as a
 * limit is passed, so a megabyte nested 500,000 deep costs one short loop, never a stack overflow. Malformed JSON
 * is not this function's concern: it is measured as far as it goes and `JSON.parse` refuses it afterwards.
 *
 * @example
 * measureJson('["typing",[[[[1]]]]]', { bytes: 65536, depth: 3, keys: 100, strings: 100 });
 * // { over: "depth", measured: 4, limit: 3 }
 */
export function measureJson(text: string, budget: PayloadBudget): Excess | undefined {
  // A UTF-8 byte count is never below the UTF-16 length, so a long text is over without counting.
  if (text.length > budget.bytes) return { over: "bytes", measured: Buffer.byteLength(text), limit: budget.bytes };
  // A UTF-16 unit is at most 3 UTF-8 bytes: a text that short fits without counting.
  if (text.length * 3 > budget.bytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > budget.bytes) return { over: "bytes", measured: bytes, limit: budget.bytes };
  }
  // Each bracket opens at most one level and each colon makes at most one key; each string takes two quotes:
  // a text shorter than every limit cannot go over any of them.
  if (text.length <= budget.depth && text.length <= budget.keys && text.length <= 2 * budget.strings) return undefined;
  let depth = 0;
  let quoted = 0;
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === quote) {
      i = endOfString(text, i);
      if (++quoted - keys > budget.strings + 1) break; // the string may yet turn out to be a key: check it at the end
    } else if (code === colon) {
      if (++keys > budget.keys) return { over: "keys", measured: keys, limit: budget.keys };
    } else if (open.has(code)) {
      if (++depth > budget.depth) return { over: "depth", measured: depth, limit: budget.depth };
    } else if (close.has(code)) {
      depth--;
    }
  }
  const strings = quoted - keys;
  if (strings > budget.strings) return { over: "strings", measured: strings, limit: budget.strings };
  return undefined;
}

/**
 * The event name at the start of an event payload (`["name", …]`), read without parsing the rest: the name,
 * its length when it is longer than `maxChars`, or nothing when the payload does not start with a string.
 *
 * @example
 * eventName('["chat message","hi"]', 100); // { name: "chat message" }
 * eventName('[42]', 100); // {}
 */
export function eventName(payload: string, maxChars: number): { name?: string; tooLong?: number } {
  let start = 0;
  while (start < payload.length && payload.charCodeAt(start) !== quote) {
    if (!/[\s[]/.test(payload[start]) || start > 16) return {};
    start++;
  }
  if (start >= payload.length) return {};
  const end = endOfString(payload, start);
  if (end >= payload.length) return {};
  // An escape takes at most 6 characters of text for one character of the name.
  if (end - start - 1 > maxChars * 6) return { tooLong: end - start - 1 };
  try {
    const name: unknown = JSON.parse(payload.slice(start, end + 1));
    if (typeof name !== "string") return {};
    return name.length > maxChars ? { tooLong: name.length } : { name };
  } catch {
    return {};
  }
}

/**
 * A byte count as people read it: "512 bytes", "1 KiB", "64 KiB", "1.5 MiB" ("1 MB" for a round million).
 *
 * @example
 * formatBytes(70 * 1024); // "70 KiB"
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes % 1_000_000 === 0) return `${bytes / 1_000_000} MB`; // a limit set in MB, as Engine.IO's maxHttpBufferSize
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

/**
 * What was over the budget, as the end of a sentence that starts with "X sent "event" ".
 *
 * @example
 * describeExcess({ over: "bytes", measured: 71680, limit: 65536 }); // "with 70 KiB of data, over the 64 KiB limit; send less."
 */
export function describeExcess({ over, measured, limit }: Excess): string {
  switch (over) {
    case "bytes":
      return `with ${formatBytes(measured)} of data, over the ${formatBytes(limit)} limit; send less.`;
    case "depth":
      return `with data nested more than ${limit} levels deep, the limit; send flatter data.`;
    case "keys":
      return `with more than ${limit} object keys, the limit; send fewer.`;
    case "strings":
      return `with more than ${limit} strings, the limit; send fewer.`;
  }
}

/** The index of the quote that closes the string opening at `start`, or the text's length when none does. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === backslash) i++;
    else if (code === quote) return i;
  }
  return text.length;
}
