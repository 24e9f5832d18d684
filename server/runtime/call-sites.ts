/**
 * "The line that ran", for free at run time: the program is parsed once when it is loaded, and each call
 * site that the playground reports (emits, console calls, joins, handler registrations) and each loop is
 * rewritten to note its line in a shared cell as it runs. No stack trace is taken per message.
 */
import { parse, type Node } from "acorn";

/** Where a running program notes the line of the call it is making. Read it while the call runs. */
export interface CallSite {
  line: number | undefined;
}

/** A program that does not parse, with the 1-based line and column of the problem. */
export interface SyntaxProblem {
  message: string;
  line: number;
  column: number;
}

/** The names the rewritten program uses: the cell it writes, a scratch variable and the clock check. Learner code may not use the prefix. */
export const siteName = "__pg$site";
export const scratchName = "__pg$t";
export const tickName = "__pg$tick";
const reservedPrefix = "__pg$";

/** How to rewrite: `ticks` also makes every loop turn and every function entry check the clock (learner code). */
export interface NumberingOptions {
  ticks?: boolean;
}

/** Calls whose line the trace and the console show: `x.emit(…)`, `console.log(…)`, `socket.join(…)`, `io.on(…)`… */
const numbered = new Set([
  "emit", "emitWithAck", "send", "write", "log", "info", "warn", "error", "debug", "trace",
  "join", "leave", "disconnect", "disconnectSockets", "socketsJoin", "socketsLeave", "fetchSockets",
  "on", "once", "onAny", "use",
]);

const loops = new Set(["WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement"]);

interface Insertion {
  at: number;
  text: string;
  /** Order among insertions at the same offset: closings (higher first) before openings (lower first). */
  rank: number;
}

type AnyNode = Node & Record<string, unknown> & { loc: { start: { line: number; column: number } } };

/**
 * Parses `text` as a script and returns it with every numbered call site and loop noting its line in
 * `__pg$site.line`; lines and statements stay where they were, so stack traces keep whole-file numbering.
 *
 * @example
 * numberCallSites('io.emit("x", msg);').code; // 'io.emit("x", (__pg$t = (msg), __pg$site.line = 1, __pg$t));'
 */
export function numberCallSites(text: string, options: NumberingOptions = {}): { ok: true; code: string } | { ok: false; problem: SyntaxProblem } {
  let program: AnyNode;
  try {
    program = parse(text, { ecmaVersion: "latest", sourceType: "script", locations: true }) as unknown as AnyNode;
  } catch (error) {
    return { ok: false, problem: syntaxProblem(error) };
  }
  const insertions: Insertion[] = [];
  const wrap = (node: AnyNode, line: number, depth: number) => {
    insertions.push({ at: node.start, text: `(${scratchName} = (`, rank: -depth });
    insertions.push({ at: node.end, text: `), ${siteName}.line = ${line}, ${scratchName})`, rank: depth });
  };
  // An explicit stack, not recursion: a deeply nested program must not exhaust the host's own stack.
  const stack: Array<{ node: AnyNode; depth: number }> = [{ node: program, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (options.ticks) {
      const refused = refusedNode(node);
      if (refused) return { ok: false, problem: refused };
      if (functions.has(node.type)) markFunction(node, insertions, depth);
    }
    if (node.type === "CallExpression") numberCall(node, depth, wrap);
    // `throw "text"` has no stack to name its line: the statement notes it.
    if (node.type === "ThrowStatement") wrap(node.argument as AnyNode, node.loc.start.line, depth);
    if (loops.has(node.type)) markLoop(node, insertions, depth, options.ticks === true);
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (key === "loc") continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child === "object" && typeof (child as Node).type === "string") stack.push({ node: child as AnyNode, depth: depth + 1 });
      }
    }
  }
  insertions.sort((a, b) => a.at - b.at || b.rank - a.rank);
  let code = "";
  let from = 0;
  for (const insertion of insertions) {
    code += text.slice(from, insertion.at) + insertion.text;
    from = insertion.at;
  }
  return { ok: true, code: code + text.slice(from) };
}

/** `x.emit(a, b)` notes its line after its arguments are evaluated, just before the call: a nested call cannot overwrite it. */
function numberCall(node: AnyNode, depth: number, wrap: (node: AnyNode, line: number, depth: number) => void): void {
  const callee = node.callee as AnyNode;
  if (callee.type !== "MemberExpression" || callee.computed) return;
  const property = callee.property as AnyNode & { name?: string };
  if (property.type !== "Identifier" || !numbered.has(property.name!)) return;
  const line = property.loc.start.line;
  const args = node.arguments as AnyNode[];
  const last = args.at(-1);
  if (last) wrap(last.type === "SpreadElement" ? (last.argument as AnyNode) : last, line, depth);
  else if ((callee.object as AnyNode).type !== "Super") wrap(callee.object as AnyNode, line, depth);
}

/**
 * Each turn of a loop notes the loop's line, so an endless loop that is stopped can be named; in learner code
 * it also checks the clock, so that even a loop of slow built-in calls (a sort, a join) is stopped on time.
 */
function markLoop(node: AnyNode, insertions: Insertion[], depth: number, ticks: boolean): void {
  const body = node.body as AnyNode;
  const note = `${siteName}.line = ${node.loc.start.line};${ticks ? ` ${tickName}();` : ""}`;
  if (body.type === "BlockStatement") {
    insertions.push({ at: body.start + 1, text: note, rank: -depth });
  } else {
    insertions.push({ at: body.start, text: `{${note}`, rank: -depth });
    insertions.push({ at: body.end, text: "}", rank: depth });
  }
}

const functions = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/** Every function of learner code checks the clock on entry: a callback called by a slow built-in is stopped on time too. */
function markFunction(node: AnyNode, insertions: Insertion[], depth: number): void {
  const body = node.body as AnyNode;
  if (body.type === "BlockStatement") {
    // After a "use strict" prologue, which must stay first to count.
    const directives = (body.body as AnyNode[]).filter((_, index, all) => all.slice(0, index + 1).every((item) => typeof item.directive === "string"));
    insertions.push({ at: directives.length ? directives.at(-1)!.end : body.start + 1, text: `${tickName}();`, rank: -depth });
  } else {
    insertions.push({ at: body.start, text: `(${tickName}(), (`, rank: -depth });
    insertions.push({ at: body.end, text: "))", rank: depth });
  }
}

/** What learner code may not contain: the rewriting's own names (it could disarm them), and `with` (it could shadow them). */
function refusedNode(node: AnyNode): SyntaxProblem | undefined {
  const { line, column } = node.loc.start;
  if (node.type === "Identifier" && String(node.name).startsWith(reservedPrefix)) {
    return { message: `Line ${line}: names starting with ${reservedPrefix} belong to the playground; rename ${String(node.name)}.`, line, column: column + 1 };
  }
  if (node.type === "WithStatement") {
    return { message: `Line ${line}: the playground does not run \`with\` statements; name the object instead.`, line, column: column + 1 };
  }
  return undefined;
}

function syntaxProblem(error: unknown): SyntaxProblem {
  if (error instanceof RangeError) {
    return { message: "Your code is nested too deeply to read; flatten it a little.", line: 1, column: 1 };
  }
  const { message, loc } = error as Error & { loc?: { line: number; column: number } };
  const line = loc?.line ?? 1;
  const column = (loc?.column ?? 0) + 1;
  const reason = message.replace(/\s*\(\d+:\d+\)$/, "");
  return { message: `Syntax error on line ${line}, column ${column}: ${reason}.`, line, column };
}
