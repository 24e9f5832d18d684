/** Tab completion for the console, from the same grammar: only steps the chain so far allows, names that exist. */
import { stepShapes, stepsOn, stringArgs, type StepName } from "./console-grammar.ts";
import { parseChainPrefix } from "./console-parser.ts";
import { tokenize } from "./console-tokens.ts";

/** What exists right now, to complete names from. */
export interface CompletionNames {
  /** Client names: "A", "B", "External 1". */
  clients: string[];
  /** Rooms that exist on the server. */
  rooms: string[];
  /** Namespaces in use, e.g. "/", "/admin". */
  namespaces: string[];
}

const words = ["io", "help", "clear", "clients"];

/**
 * Every way to complete the end of `line`, each as the whole line completed (sorted, no duplicates);
 * empty when nothing fits. One candidate: replace the line with it; several: show them and insert
 * their common prefix (`commonPrefix`).
 *
 * @example
 * complete("io.to('lobby').em", names); // ["io.to('lobby').emit(\""]
 * complete('socket("', { clients: ["A", "B"], rooms: [], namespaces: [] }); // ['socket("A")', 'socket("B")']
 * complete('io.to("r").jo', names); // []: a BroadcastOperator has no join()
 */
export function complete(line: string, names: CompletionNames): string[] {
  const word = /^(\s*)([\w$]*)$/.exec(line);
  if (word) {
    const sockets = names.clients.length ? names.clients.map((client) => `socket(${JSON.stringify(client)})`) : ['socket("'];
    return finish(word[2], [...words, ...sockets], (candidate) => word[1] + candidate);
  }
  const argument = openArgument(line);
  if (argument) {
    const { before, method, quote, typed } = argument;
    const pool = method === "socket" ? names.clients : method === "of" ? names.namespaces : stringArgs[method as StepName] ? names.rooms : [];
    return finish(typed, pool, (value) => `${before}${quote}${escape(value, quote)}${quote})`);
  }
  const step = /\.\s*([\w$]*)$/.exec(line);
  if (step) {
    const chain = parseChainPrefix(line.slice(0, step.index));
    if (!chain) return [];
    const prefix = line.slice(0, line.length - step[1].length);
    return finish(step[1], stepsOn(chain.receiver), (name) => prefix + written(name));
  }
  return [];
}

/**
 * The longest start all candidates share.
 *
 * @example
 * commonPrefix(['socket("A")', 'socket("B")']); // 'socket("'
 */
export function commonPrefix(candidates: string[]): string {
  if (candidates.length === 0) return "";
  let common = candidates[0];
  for (const candidate of candidates) {
    while (!candidate.startsWith(common)) common = common.slice(0, -1);
  }
  return common;
}

function finish<T extends string>(typed: string, pool: T[], build: (value: T) => string): string[] {
  const matches = pool.filter((value) => value.startsWith(typed)).map(build);
  return [...new Set(matches)].sort();
}

/** How a step is typed when completed: `to("`, `fetchSockets()`, `broadcast`, `timeout(`, `compress(`. */
function written(name: StepName): string {
  const shape = stepShapes[name];
  if (shape === "property") return name;
  if (shape === "call") return `${name}()`;
  if (shape === "number" || shape === "boolean") return `${name}(`;
  return `${name}("`;
}

/** The string argument being typed at the end of the line, e.g. `.to("lo` or `socket(`. */
function openArgument(line: string): { before: string; method: string; quote: string; typed: string } | undefined {
  const lexed = tokenize(line);
  if (lexed.ok) {
    const tokens = lexed.tokens;
    const [method, paren] = tokens.slice(-3, -1);
    if (method?.kind === "name" && paren?.kind === "punct" && paren.text === "(") {
      return { before: line, method: method.text, quote: '"', typed: "" };
    }
    return undefined;
  }
  if (!lexed.unterminated) return undefined;
  const at = lexed.error.position;
  const head = tokenize(line.slice(0, at));
  if (!head.ok) return undefined;
  const [method, paren] = head.tokens.slice(-3, -1);
  const typed = line.slice(at + 1);
  if (method?.kind !== "name" || paren?.text !== "(" || paren.kind !== "punct" || typed.includes("\\")) return undefined;
  return { before: line.slice(0, at), method: method.text, quote: lexed.unterminated.quote, typed };
}

function escape(value: string, quote: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll(quote, `\\${quote}`);
}
