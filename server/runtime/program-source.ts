/** Reads a lesson program file (`index.js` shape): its editable region and the events it declares. */
import { readFileSync } from "node:fs";
import type { EventShapes } from "../programs/program.ts";

/** A program file as the playground shows and runs it. */
export interface ProgramSource {
  /** Absolute path of the file. */
  file: string;
  /** The whole file, as shown. */
  text: string;
  /** 1-based, inclusive lines of the region a learner may edit (between the two marker comments). */
  editable: { start: number; end: number };
  /** The argument shapes of the events the file declares in its `ClientToServerEvents` typedef. */
  accepts: EventShapes;
}

const startMarker = /^\/\/ -{4} your code\b/;
const endMarker = /^\/\/ -{4} end of your code\b/;

/** The largest edited region the playground runs, in UTF-16 code units (about 64 KiB of text). */
export const maxCodeLength = 64 * 1024;

/**
 * Reads and checks a program file; throws an error naming the file and line when it is malformed.
 *
 * @example
 * const chat = readProgramSource("/app/server/programs/chat.js");
 * chat.editable; // { start: 20, end: 62 }
 */
export function readProgramSource(file: string): ProgramSource {
  return parseProgramSource(file, readFileSync(file, "utf8"));
}

/** Like `readProgramSource`, from text. */
export function parseProgramSource(file: string, text: string): ProgramSource {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => startMarker.test(line));
  const end = lines.findIndex((line) => endMarker.test(line));
  if (start < 0 || end < start) {
    throw new Error(`${file}: needs a "// ---- your code …" line and, below it, a "// ---- end of your code …" line around the editable region.`);
  }
  return { file, text, editable: { start: start + 2, end }, accepts: declaredEvents(file, lines) };
}

/**
 * The whole file with `code` in place of its editable region: the text the server runs for a learner.
 *
 * @example
 * withCode(chat, 'io.on("connection", () => {});').split("\n")[chat.editable.start - 1]; // 'io.on("connection", () => {});'
 */
export function withCode(source: ProgramSource, code: string): string {
  const lines = source.text.split("\n");
  return [...lines.slice(0, source.editable.start - 1), code.replace(/\r\n?/g, "\n").replace(/\n$/, ""), ...lines.slice(source.editable.end)].join("\n");
}

/** The text of the editable region, as the editor holds it. */
export function editableCode(source: ProgramSource): string {
  return source.text.split("\n").slice(source.editable.start - 1, source.editable.end).join("\n");
}

/**
 * Reads the `@typedef {{ "event": (arg: type, …) => void, … }} ClientToServerEvents` block, the way Socket.IO's
 * typed events are written in JavaScript. `string`, `number` and `boolean` are checked; any other type is "any".
 */
function declaredEvents(file: string, lines: string[]): EventShapes {
  const begin = lines.findIndex((line) => /@typedef \{\{\s*$/.test(line));
  const close = lines.findIndex((line, index) => index > begin && /^\s*\*\s*\}\}\s*ClientToServerEvents\s*$/.test(line));
  if (begin < 0 || close < 0) throw new Error(`${file}: needs a "@typedef {{ … }} ClientToServerEvents" comment naming the events clients may send.`);
  const shapes: EventShapes = {};
  for (let index = begin + 1; index < close; index++) {
    const match = /^\s*\*\s*("[^"]+"|[A-Za-z_$][\w$]*)\s*:\s*\((.*)\)\s*=>\s*void,?\s*$/.exec(lines[index]);
    if (!match) throw new Error(`${file}:${index + 1}: expected an entry like \`"chat message": (msg: string) => void,\`.`);
    const name = match[1].replace(/^"|"$/g, "");
    const params = match[2].trim() === "" ? [] : match[2].split(",").map((param) => param.trim());
    shapes[name] = params.map((param) => {
      const type = /^[A-Za-z_$][\w$]*\??\s*:\s*(.+)$/.exec(param)?.[1]?.trim();
      return type === "string" || type === "number" || type === "boolean" ? type : "any";
    });
  }
  return shapes;
}
