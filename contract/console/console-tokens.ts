/** Splits one console line into tokens: names, quoted strings, numbers and punctuation, each with its column. */

export type TokenKind = "name" | "string" | "number" | "punct" | "end";

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** The string's content after escapes, the number's value, or the name / punctuation itself. */
  value: string | number;
  /** 0-based column where the token starts. */
  start: number;
}

export interface SyntaxProblem {
  message: string;
  /** 0-based column of the bad token. */
  position: number;
}

export type TokenResult = { ok: true; tokens: Token[] } | { ok: false; error: SyntaxProblem; unterminated?: { quote: string } };

const punctuation = new Set([".", "(", ")", ",", "[", "]", "{", "}", ":"]);
const nameStart = /[A-Za-z_$]/;
const nameRest = /[\w$]/;
const numberPattern = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const escapes: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "0": "\0" };

/**
 * Tokenizes a line; the last token is always `end` (at the line's length).
 *
 * @example
 * tokenize(`io.to('lobby')`); // ok: name io, punct ., name to, punct (, string lobby, punct ), end
 */
export function tokenize(line: string): TokenResult {
  const tokens: Token[] = [];
  let at = 0;
  while (at < line.length) {
    const char = line[at];
    if (/\s/.test(char)) {
      at++;
    } else if (punctuation.has(char)) {
      tokens.push({ kind: "punct", text: char, value: char, start: at++ });
    } else if (nameStart.test(char)) {
      let end = at + 1;
      while (end < line.length && nameRest.test(line[end])) end++;
      const text = line.slice(at, end);
      tokens.push({ kind: "name", text, value: text, start: at });
      at = end;
    } else if (char === "-" || /\d/.test(char)) {
      numberPattern.lastIndex = at;
      const match = numberPattern.exec(line);
      if (!match) return fail(`Expected a number after "-", e.g. -1.`, at);
      const value = Number(match[0]) || 0; // -0 prints as 0
      if (!Number.isFinite(value)) return fail(`The number ${match[0]} is too large; use one JavaScript can hold.`, at);
      tokens.push({ kind: "number", text: match[0], value, start: at });
      at += match[0].length;
    } else if (char === '"' || char === "'") {
      const read = readString(line, at);
      if ("message" in read) return read.unterminated ? { ok: false, error: read, unterminated: { quote: char } } : fail(read.message, read.position);
      tokens.push({ kind: "string", text: line.slice(at, read.end), value: read.value, start: at });
      at = read.end;
    } else {
      return fail(
        `The console does not understand ${JSON.stringify(char)} here: use names like io, strings in quotes, numbers, true, false, null, [ ] and { }.`,
        at,
      );
    }
  }
  tokens.push({ kind: "end", text: "", value: "", start: line.length });
  return { ok: true, tokens };
}

function fail(message: string, position: number): TokenResult {
  return { ok: false, error: { message, position } };
}

type StringRead = { value: string; end: number } | (SyntaxProblem & { unterminated?: boolean });

function readString(line: string, start: number): StringRead {
  const quote = line[start];
  let value = "";
  let at = start + 1;
  while (at < line.length) {
    const char = line[at];
    if (char === quote) return { value, end: at + 1 };
    if (char !== "\\") {
      value += char;
      at++;
      continue;
    }
    const next = line[at + 1];
    if (next === undefined) break;
    if (next in escapes) {
      value += escapes[next];
      at += 2;
    } else if (next === "u" || next === "x") {
      const digits = line.slice(at + 2, at + (next === "u" ? 6 : 4));
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== (next === "u" ? 4 : 2)) {
        return { message: `\\${next} needs ${next === "u" ? 4 : 2} hex digits, e.g. ${next === "u" ? "\\u00e9" : "\\x41"}.`, position: at };
      }
      value += String.fromCharCode(parseInt(digits, 16));
      at += 2 + digits.length;
    } else {
      return { message: `Unknown escape \\${next} in a string: write \\\\ for a backslash.`, position: at };
    }
  }
  return { message: `This string never ends: close it with ${quote}.`, position: start, unterminated: true };
}
