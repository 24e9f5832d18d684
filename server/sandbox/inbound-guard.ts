/** Checks each event a participant sends before the lesson program sees it: rate, name, shape, handler (its size was measured on the wire). */
import type { Socket } from "socket.io";
import type { EventShapes } from "../programs/program.ts";

/** Names a client may not send: Socket.IO gives them meaning of its own. */
export const eventsClientsCannotSend = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
  "error",
]);

export interface GuardLimits {
  maxEventsPerSecond: number;
}

/** Why an event was refused, in a sentence a learner can act on. */
export type Refusal = { warning: string; ack: string };

/**
 * Decides whether one incoming event may reach the program. Pure apart from the rate counter it keeps.
 *
 * @example
 * const guard = new InboundGuard(options, () => ({ shapes: programs.chat.accepts, program: "chat" }));
 * guard.check(socket, "A", ["chat message", 42]);
 * // { warning: 'A sent "chat message" with a number, but the chat program expects a string; it was ignored.', ack: (the same) }
 */
export class InboundGuard {
  #limits: GuardLimits;
  #accepts: () => { shapes: EventShapes; program: string };
  /** Each socket's rate window; made with the first event (a sandbox nobody sends to holds no table). */
  #windows: WeakMap<Socket, { start: number; count: number; dropped: number; warned: number }> | undefined;
  #now: () => number;

  /** `now` is the clock of the one-second rate windows (tests pass their own). */
  constructor(limits: GuardLimits, accepts: () => { shapes: EventShapes; program: string }, now: () => number = () => Date.now()) {
    this.#limits = limits;
    this.#accepts = accepts;
    this.#now = now;
  }

  /** Undefined when the event may pass; `"flood"` when it is dropped by the rate limit without a word. */
  check(socket: Socket, name: string, packet: unknown[]): Refusal | "flood" | undefined {
    const flood = this.#rate(socket, name);
    if (flood) return flood;
    const event = packet[0];
    if (typeof event !== "string") {
      return refuse(`${name} sent an event whose name is not a string; it was ignored.`);
    }
    // The measuring decoder has refused larger payloads and longer names already (server/wire/).
    if (eventsClientsCannotSend.has(event)) {
      return refuse(`${name} sent "${event}", a name Socket.IO reserves for itself; clients cannot send it, so it was ignored.`);
    }
    const { shapes, program } = this.#accepts();
    if (socket.listenerCount(event) === 0) {
      return refuse(`${name} sent "${event}", but the ${program} program has no handler for it; nothing happened.`);
    }
    // An event the program file does not declare (learner code may add handlers) passes with any data; it was measured on the wire (server/wire/).
    if (!Object.hasOwn(shapes, event)) return undefined;
    const expected = shapes[event];
    const args = packet.slice(1, typeof packet.at(-1) === "function" ? -1 : undefined);
    const wrong = expected.findIndex((type, index) => type !== "any" && args[index] !== undefined && typeof args[index] !== type);
    const missing = expected.findIndex((type, index) => index === 0 && type !== "any" && args[index] === undefined);
    if (wrong >= 0 || missing >= 0 || args.length > expected.length) {
      const shape = expected.map((type) => (type === "any" ? "anything" : `a ${type}`)).join(", then ");
      return refuse(`${name} sent "${event}" with ${describe(args)}, but the ${program} program expects ${shape}; it was ignored.`);
    }
    return undefined;
  }

  /** How many events of this socket were dropped by the rate limit in the current second, once per second. */
  #rate(socket: Socket, name: string): Refusal | "flood" | undefined {
    const now = this.#now();
    let window = this.#windows?.get(socket);
    if (!window || now - window.start >= 1000) {
      window = { start: now, count: 0, dropped: 0, warned: window?.warned ?? 0 };
      (this.#windows ??= new WeakMap()).set(socket, window);
    }
    if (++window.count <= this.#limits.maxEventsPerSecond) return undefined;
    window.dropped++;
    if (now - window.warned < 1000) return "flood";
    window.warned = now;
    return refuse(
      `${name} sent more than ${this.#limits.maxEventsPerSecond} events in one second; the extra ones are dropped (one warning a second).`,
    );
  }

  /**
   * The error ack of an event the rate limit dropped without a warning line.
   *
   * @example
   * guard.floodAck("A"); // 'A sent more than 200 events in one second; this one was dropped. Send fewer.'
   */
  floodAck(name: string): string {
    return `${name} sent more than ${this.#limits.maxEventsPerSecond} events in one second; this one was dropped. Send fewer.`;
  }
}

function refuse(sentence: string): Refusal {
  return { warning: sentence, ack: sentence };
}

/** The kinds of `args`: "a string and a number", or "7 arguments" past three (a refusal line stays one short line). */
function describe(args: unknown[]): string {
  if (args.length === 0) return "no data";
  if (args.length > 3) return `${args.length} arguments`;
  const kind = (arg: unknown) => (arg === null ? "null" : Array.isArray(arg) ? "array" : typeof arg);
  return args.map((arg) => (kind(arg) === "null" ? "null" : `${/^[aeiou]/.test(kind(arg)) ? "an" : "a"} ${kind(arg)}`)).join(" and ");
}
