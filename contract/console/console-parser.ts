/** Parses one console line into a command, accepting only chains Socket.IO's real API allows; never evaluates. */
import { eventsServerCannotEmit, isStepName, maxTimeout, stepLabel, stepShapes, stepsOn, stringArgs, transitions, type Receiver, type StepName } from "./console-grammar.ts";
import { misplaced } from "./console-hints.ts";
import { printChain, type ChainStep, type ChainTarget, type ConsoleCommand, type JsonValue } from "./console-printer.ts";
import { tokenize, type SyntaxProblem, type Token } from "./console-tokens.ts";

export type ParseResult = { ok: true; command: ConsoleCommand } | { ok: false; error: SyntaxProblem };

/** A chain read so far, and what it holds now. */
export interface ParsedChain {
  target: ChainTarget;
  steps: ChainStep[];
  receiver: Receiver;
}

const maxDepth = 20;
const words = new Set(["help", "clear", "clients"]);

/** Thrown inside the parser only; `parseCommand` turns it into a result. */
class ParseFailure {
  problem: SyntaxProblem;
  constructor(message: string, position: number) {
    this.problem = { message, position };
  }
}

/**
 * Parses a console line. Never throws: a bad line gives `{ ok: false, error: { message, position } }`.
 *
 * @example
 * parseCommand('io.to("r").join("x")');
 * // { ok: false, error: { message: 'io.to("r") has no .join(): …', position: 11 } }
 */
export function parseCommand(line: string): ParseResult {
  const lexed = tokenize(line);
  if (!lexed.ok) return { ok: false, error: lexed.error };
  const [first, second] = lexed.tokens;
  if (first.kind === "name" && words.has(first.text) && second.kind === "end") {
    return { ok: true, command: { kind: first.text as "help" | "clear" | "clients" } };
  }
  try {
    const { target, steps } = readChain(lexed.tokens, true);
    return { ok: true, command: { kind: "chain", target, steps } };
  } catch (error) {
    if (error instanceof ParseFailure) return { ok: false, error: error.problem };
    throw error;
  }
}

/**
 * Reads a possibly unfinished chain (for completion): what it holds after its last step, or undefined.
 *
 * @example
 * parseChainPrefix('socket("A").broadcast')?.receiver; // "operator"
 */
export function parseChainPrefix(text: string): ParsedChain | undefined {
  const lexed = tokenize(text);
  if (!lexed.ok) return undefined;
  try {
    return readChain(lexed.tokens, false);
  } catch (error) {
    if (error instanceof ParseFailure) return undefined;
    throw error;
  }
}

function readChain(tokens: Token[], complete: boolean): ParsedChain {
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[Math.min(at++, tokens.length - 1)];
  const expect = (text: string, message: string): Token => {
    const token = next();
    if (token.text !== text || token.kind === "string") throw new ParseFailure(message, token.start);
    return token;
  };
  /** Reads the string argument of `call(…)`, e.g. `socket("A")` or `.to("lobby")`. */
  const quoted = (what: string, call: string, example: string): string => {
    const token = next();
    if (token.kind === "string") return token.value as string;
    const hint = token.kind === "name"
      ? `${token.text} is not in quotes: write ${call}(${JSON.stringify(token.text)}).`
      : `Expected ${what} in quotes, e.g. ${call}(${example}).`;
    throw new ParseFailure(hint, token.start);
  };

  const target = readTarget();
  const steps: ChainStep[] = [];
  let receiver: Receiver = target.kind === "io" ? "server" : "socket";
  while (peek().kind !== "end") {
    const soFar = printChain(target, steps);
    const dot = next();
    if (receiver === "end") throw new ParseFailure(`${soFar} ends the command: nothing can follow it.`, dot.start);
    if (dot.text !== "." || dot.kind !== "punct") {
      throw new ParseFailure(`Expected "." and a method after ${soFar}, not ${show(dot)}.`, dot.start);
    }
    const name = next();
    const offers = stepsOn(receiver).map(stepLabel).join(", ");
    if (name.kind !== "name") throw new ParseFailure(`Expected a method name after "."; ${soFar} offers ${offers}.`, name.start);
    if (!isStepName(name.text)) throw new ParseFailure(`${soFar} has no .${name.text}: use one of ${offers}.`, name.start);
    const after: Receiver | undefined = transitions[receiver][name.text];
    if (after === undefined) throw new ParseFailure(misplaced(name.text, receiver, soFar, offers), name.start);
    steps.push(readStep(name.text));
    receiver = after;
  }
  if (complete && receiver !== "end" && !(receiver === "socket" && steps.length === 0)) {
    const endings = receiver === "flagged-socket" ? '.emit("event", …)' : '.emit("event", …) or .fetchSockets()';
    throw new ParseFailure(`${printChain(target, steps)} does nothing yet: end it with ${endings}.`, peek().start);
  }
  return { target, steps, receiver };

  function readTarget(): ChainTarget {
    const token = next();
    if (token.kind === "name" && token.text === "io") return { kind: "io" };
    if (token.kind === "name" && token.text === "socket") {
      expect("(", `Expected "(" after socket: name a client, e.g. socket("A").`);
      const name = quoted("a client name", "socket", '"A"');
      expect(")", `socket() takes one client name: expected ")" here.`);
      return { kind: "socket", name };
    }
    if (token.kind === "end") throw new ParseFailure(`Type a command, e.g. io.emit("news", 1), or help for the list.`, token.start);
    if (token.kind === "name" && words.has(token.text)) throw new ParseFailure(`${token.text} is a command on its own: type just ${token.text}.`, token.start);
    throw new ParseFailure(`A command starts with io, socket("A"), help, clear or clients, not ${show(token)}.`, token.start);
  }

  function readStep(name: StepName): ChainStep {
    const shape = stepShapes[name];
    if (shape === "property") {
      if (peek().text === "(" && peek().kind === "punct") throw new ParseFailure(`.${name} is a property, not a method: write .${name} without ().`, peek().start);
      return { name } as ChainStep;
    }
    const sample = shape === "call" ? "" : shape === "number" ? "1000" : shape === "boolean" ? "false" : shape === "emit" ? '"news", 1' : stringArgs[name]?.example;
    expect("(", `Expected "(" after .${name}: write .${name}(${sample}).`);
    if (shape === "call") {
      expect(")", `.${name}() takes no arguments here: write .${name}().`);
      return { name } as ChainStep;
    }
    if (shape === "number") {
      const token = next();
      if (token.kind !== "number" || !Number.isInteger(token.value) || (token.value as number) < 0 || (token.value as number) > maxTimeout) {
        throw new ParseFailure(`.timeout() takes whole milliseconds from 0 to ${maxTimeout}, e.g. .timeout(1000).`, token.start);
      }
      expect(")", `.timeout() takes one number: expected ")" here.`);
      return { name: "timeout", ms: token.value as number };
    }
    if (shape === "boolean") {
      const token = next();
      if (token.kind !== "name" || (token.text !== "true" && token.text !== "false")) {
        throw new ParseFailure(`.${name}() takes true or false, e.g. .${name}(false).`, token.start);
      }
      expect(")", `.${name}() takes one true or false: expected ")" here.`);
      return { name: "compress", on: token.text === "true" };
    }
    if (shape === "string") {
      const { what, example } = stringArgs[name]!;
      const arg = quoted(what, `.${name}`, example);
      expect(")", `.${name}() takes one ${what.replace(/^an? /, "")}: expected ")" here.`);
      return { name, arg } as ChainStep;
    }
    const eventToken = peek();
    if (eventToken.kind !== "string") {
      next();
      const hint = eventToken.kind === "name" ? `${eventToken.text} is not in quotes: write .emit(${JSON.stringify(eventToken.text)}, …).` : `Expected the event name in quotes, e.g. .emit("news", 1).`;
      throw new ParseFailure(hint, eventToken.start);
    }
    next();
    const event = eventToken.value as string;
    if (eventsServerCannotEmit.has(event)) {
      throw new ParseFailure(`${JSON.stringify(event)} is reserved by Socket.IO and cannot be emitted: pick another event name.`, eventToken.start);
    }
    const args: JsonValue[] = [];
    for (;;) {
      const token = next();
      if (token.kind === "punct" && token.text === ")") return { name: "emit", event, args };
      if (token.kind !== "punct" || token.text !== ",") throw new ParseFailure(`Expected "," or ")" after an argument of .emit(), not ${show(token)}.`, token.start);
      args.push(readValue(0));
    }
  }

  function readValue(depth: number): JsonValue {
    const token = next();
    if (depth > maxDepth) throw new ParseFailure(`Arguments nest at most ${maxDepth} levels deep.`, token.start);
    if (token.kind === "string" || token.kind === "number") return token.value;
    if (token.kind === "name") {
      if (token.text === "true") return true;
      if (token.text === "false") return false;
      if (token.text === "null") return null;
      throw new ParseFailure(`${token.text} is not a value here: put text in quotes (${JSON.stringify(token.text)}), or use a number, true, false, null, [ ] or { }.`, token.start);
    }
    if (token.kind === "punct" && token.text === "[") return readList("]", () => readValue(depth + 1));
    if (token.kind === "punct" && token.text === "{") {
      return Object.fromEntries(readList("}", () => {
        const key = next();
        if (key.kind !== "string" && key.kind !== "name") throw new ParseFailure(`Expected a key (a name or a string in quotes) in this object, not ${show(key)}.`, key.start);
        expect(":", `Expected ":" after the key ${key.text}.`);
        return [String(key.value), readValue(depth + 1)] as const;
      }));
    }
    throw new ParseFailure(`Expected a value here, not ${show(token)}: a string in quotes, a number, true, false, null, [ ] or { }.`, token.start);
  }

  function readList<T>(close: "]" | "}", item: () => T): T[] {
    const items: T[] = [];
    if (peek().kind === "punct" && peek().text === close) {
      next();
      return items;
    }
    for (;;) {
      items.push(item());
      const token = next();
      if (token.kind === "punct" && token.text === close) return items;
      if (token.kind !== "punct" || token.text !== ",") {
        throw new ParseFailure(`Expected "," or "${close}" in this ${close === "]" ? "array" : "object"}, not ${show(token)}.`, token.start);
      }
    }
  }
}

function show(token: Token): string {
  return token.kind === "end" ? "the end of the line" : JSON.stringify(token.text);
}
