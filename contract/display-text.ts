/** Participant text made safe to show: control characters and invisible reordering marks written out as escapes. */

// C0 controls (ESC, BEL, CR, LF…), DEL, C1 controls (xterm.js reads U+009B as CSI and U+009D as OSC), and the
// marks that reorder or break a line without being seen: LRM/RLM, bidi embeddings/overrides/isolates, U+2028/9.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same class, not global: a test first, since nearly every line has nothing to escape (a third of the cost). */
const anyUnsafe = new RegExp(unsafe.source);
const short: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every character that could steer a terminal or a line of the page written as an escape, so a
 * participant can neither clear the owner's console, forge a line, plant an OSC 8 link nor flip text around.
 * Printable text, emoji and other scripts pass unchanged; it is meant for display only, never for matching.
 *
 * @example
 * displayText("hi\x1b[2J");   // "hi\\x1b[2J"
 * displayText("a\nb");        // "a\\nb"
 * displayText("\u009b31m");   // "\\u009b31m"
 * displayText("héllo 👋");    // "héllo 👋"
 */
export function displayText(text: string): string {
  if (!anyUnsafe.test(text)) return text;
  return text.replace(unsafe, (char) => short[char] ?? escapeOf(char.charCodeAt(0)));
}

function escapeOf(code: number): string {
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}
