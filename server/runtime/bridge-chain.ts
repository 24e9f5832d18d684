/**
 * The chains learner code may run on the real server (`io.to("r").emit(…)`, `socket.broadcast.emit(…)`,
 * `io.in("r").fetchSockets()`…): checked against the console grammar's table of what each Socket.IO object
 * offers, then applied to the real objects, one step at a time.
 */
import { maxTimeout, stepLabel, transitions, type Receiver, type StepName } from "../../contract/console/console-grammar.ts";
import type { CodeLimits } from "./budgets.ts";
import { roomLimits } from "../config.ts";

/** The last step of a chain: what it does with the operator the steps before built. */
export type ChainEnd =
  | { op: "emit" | "emitWithAck"; event: string }
  | { op: "fetchSockets" }
  | { op: "socketsJoin" | "socketsLeave"; rooms: string | string[] }
  | { op: "disconnectSockets"; close: boolean };

/** Where a chain starts: the real object, what the grammar calls it, and how it reads in a message. */
export interface ChainStart {
  value: unknown;
  receiver: Receiver;
  text: string;
}

type Operator = Record<string, unknown> & { [step: string]: unknown };

/**
 * Checks the guest's steps and applies all but the last to the real object.
 *
 * @example
 * const { target, end } = applyChain({ value: io, receiver: "server", text: "io" }, [["to", "r"], ["emit", "x"]], limits);
 * target.emit("x", 1); // end = { op: "emit", event: "x" }
 */
export function applyChain(start: ChainStart, steps: unknown, limits: CodeLimits): { target: Operator; end: ChainEnd; text: string } {
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > limits.chainSteps) {
    throw new TypeError(`A chain has 1 to ${limits.chainSteps} steps.`);
  }
  let value = start.value as Operator;
  let receiver = start.receiver;
  let text = start.text;
  for (const [index, step] of steps.entries()) {
    if (!Array.isArray(step) || typeof step[0] !== "string") throw new TypeError("Each step of a chain is a method or a property.");
    const [name, arg] = step as [string, unknown];
    const last = index === steps.length - 1;
    if (name === "compress") {
      if (typeof arg !== "boolean" || last) throw new TypeError(`${text}.compress() takes true or false, before an emit.`);
      value = call(value, "compress", arg, text);
      if (receiver === "socket") receiver = "flagged-socket";
      text += `.compress(${arg})`;
      continue;
    }
    const grammarName = (name === "emitWithAck" ? "emit" : name) as StepName;
    const next = transitions[receiver][grammarName];
    if (next === undefined) throw new TypeError(`${text} has no ${stepLabel(grammarName)} here.`);
    if (last !== (next === "end")) {
      throw new TypeError(last ? `${text}${stepLabel(grammarName)} does not send anything: end the chain with .emit(…).` : `${text}${stepLabel(grammarName)} ends a chain.`);
    }
    if (last) return { target: value, end: chainEnd(name, arg, limits, text), text };
    switch (name) {
      case "to":
      case "in":
      case "except":
        value = call(value, name, rooms(arg, limits, `${text}.${name}()`), text);
        text += `.${name}(${JSON.stringify(arg)})`;
        break;
      case "broadcast":
      case "volatile":
      case "local":
        value = value[name] as Operator;
        text += `.${name}`;
        break;
      case "timeout":
        if (typeof arg !== "number" || !Number.isFinite(arg) || arg < 0 || arg > maxTimeout) {
          throw new RangeError(`${text}.timeout() takes a number of milliseconds from 0 to ${maxTimeout}.`);
        }
        value = call(value, "timeout", arg, text);
        text += `.timeout(${arg})`;
        break;
      default:
        throw new TypeError(`${text} has no ${stepLabel(grammarName)} here.`);
    }
    receiver = next;
  }
  throw new TypeError(`${text} does not send anything: end the chain with .emit(…).`);
}

function chainEnd(name: string, arg: unknown, limits: CodeLimits, text: string): ChainEnd {
  switch (name) {
    case "emit":
    case "emitWithAck":
      if (typeof arg !== "string" || arg.length > limits.nameLength) {
        throw new TypeError(`${text}.${name}() takes an event name of at most ${limits.nameLength} characters first.`);
      }
      return { op: name, event: arg };
    case "fetchSockets":
      return { op: "fetchSockets" };
    case "socketsJoin":
    case "socketsLeave":
      return { op: name, rooms: rooms(arg, limits, `${text}.${name}()`) };
    case "disconnectSockets":
      return { op: "disconnectSockets", close: arg === true };
    default:
      throw new TypeError(`${text} cannot end with .${name}.`);
  }
}

/**
 * A room name or a list of them, each checked.
 *
 * @example
 * rooms(["a", "b"], limits, "socket.join()"); // ["a", "b"]
 */
export function rooms(value: unknown, limits: CodeLimits, what: string): string | string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > limits.roomsPerCall) throw new RangeError(`${what} takes at most ${limits.roomsPerCall} rooms at once.`);
  for (const room of list) {
    // Room names have the bound every socket has (server/wire/room-budget.ts), shorter than other names.
    const longest = Math.min(limits.nameLength, roomLimits.nameChars);
    if (typeof room !== "string" || room.length > longest) {
      throw new TypeError(`${what} takes room names of at most ${longest} characters.`);
    }
  }
  return value as string | string[];
}

function call(value: Operator, name: string, arg: unknown, text: string): Operator {
  const method = value[name];
  if (typeof method !== "function") throw new TypeError(`${text} has no .${name}() here.`);
  return (method as (arg: unknown) => Operator).call(value, arg);
}
