/**
 * The host half of the bridge: the only thing learner code can reach. Each `host(op, …)` call from the guest
 * (server/runtime/guest/playground.js) arrives here as text and numbers, is checked (types, sizes, names,
 * counts) and is run on the sandbox's real Socket.IO objects; what happens on them (connections, events,
 * acks, timers) goes back into the engine the same way. No host object ever reaches the guest.
 */
import type { ProgramContext, LessonServer } from "../programs/program.ts";
import type { CodeLimits } from "./budgets.ts";
import { applyChain, rooms, type ChainStart } from "./bridge-chain.ts";
import { BridgeHooks } from "./bridge-hooks.ts";
import { fromGuest, toGuest } from "./bridge-values.ts";
import { GuestObjects } from "./guest-objects.ts";
import { GuestTimers } from "./guest-timers.ts";
import { lineOf, type BridgeValue, type EngineHost, type GuestCalls, type StopReason } from "./quickjs-engine.ts";

const levels = new Set(["log", "info", "warn", "error"]);
/** Operations whose first argument may name a socket. */
const socketOps = new Set(["listen", "middleware", "chain", "join", "leave", "rooms", "state", "disconnect"]);

/**
 * Wires one engine to one run of a sandbox's server.
 *
 * @example
 * const bridge = new Bridge(engine, io, context, limits);
 * engine.attach(bridge);
 */
export class Bridge implements EngineHost {
  #engine: GuestCalls;
  #context: Required<Omit<ProgramContext, "db">>;
  #limits: CodeLimits;
  #objects: GuestObjects;
  #hooks: BridgeHooks;
  #timers: GuestTimers;
  #console = { start: 0, bytes: 0, warned: false };
  #stopped: string | undefined;

  constructor(engine: GuestCalls, io: LessonServer, context: Required<Omit<ProgramContext, "db">>, limits: CodeLimits) {
    this.#engine = engine;
    this.#context = context;
    this.#limits = limits;
    this.#objects = new GuestObjects(io, limits, {
      warn: (text) => context.console.warn(text),
      forgotten: (ref) => {
        this.#hooks.forget(ref);
        engine.enter("forget", ref);
      },
    });
    this.#hooks = new BridgeHooks(engine, this.#objects, limits, {
      warn: (text) => context.console.warn(text),
      stopped: () => this.#stopped,
    });
    this.#timers = new GuestTimers(limits, (id) => {
      if (engine.refusal?.()) return false;
      engine.enter("callback", id, '{"args":[]}');
      return true;
    });
  }

  /** Why the code was stopped, once it was: the sentence events and connections are refused with. */
  get stoppedBecause(): string | undefined {
    return this.#stopped;
  }

  op(name: string, args: BridgeValue[]): BridgeValue {
    const [a, b, c, d, e] = args;
    if (typeof a === "string" && a.startsWith("s:") && socketOps.has(name) && this.#hooks.leftEarly(a)) {
      // The code's connection handler runs after its socket already left: as in Node, it sees it connected, to no effect.
      return name === "rooms" ? JSON.stringify([a.slice(2, a.indexOf(":", 2))]) : name === "state" ? 1 : undefined;
    }
    switch (name) {
      case "log":
        return this.#log(text(a, "level"), text(b, "text"), num(c));
      case "fail":
        return this.#fail(text(a, "text"), text(b, "stack"), num(c));
      case "listen":
        return this.#hooks.listen(text(a, "target"), text(b, "event"), num(c) === 1);
      case "middleware":
        return this.#hooks.middleware(text(a, "target"));
      case "next":
        return this.#hooks.next(num(a), b === undefined ? undefined : text(b, "error"));
      case "matched":
        return this.#hooks.matched(num(a), num(b) === 1);
      case "namespace":
        this.#objects.make(text(a, "name"));
        return undefined;
      case "parent":
        return this.#hooks.parent(num(a));
      case "chain":
        return this.#chain(text(a, "target"), text(b, "steps"), text(c, "data"), num(d), num(e));
      case "join":
        return this.#join(text(a, "socket"), text(b, "rooms"), num(c));
      case "leave":
        return this.#leave(text(a, "socket"), text(b, "room"), num(c));
      case "rooms":
        return JSON.stringify([...this.#objects.socket(text(a, "socket")).rooms]);
      case "state":
        return this.#objects.socket(text(a, "socket")).connected ? 1 : 0;
      case "sockets":
        return this.#objects.sockets(text(a, "namespace"));
      case "adapterRooms":
        return this.#objects.rooms(text(a, "namespace"));
      case "disconnect":
        this.#at(num(c));
        this.#objects.socket(text(a, "socket")).disconnect(num(b) === 1);
        return undefined;
      case "reply":
        this.#at(num(c));
        return this.#hooks.reply(num(a), text(b, "data"));
      case "timer":
        this.#timers.start(num(a), num(b), num(c) === 1);
        return undefined;
      case "clear":
        this.#timers.clear(num(a));
        return undefined;
      default:
        throw new TypeError(`The bridge has no ${JSON.stringify(name)}.`);
    }
  }

  warn(text: string): void {
    this.#context.console.warn(text);
  }

  /** The engine stopped the program: say why, with the line, and answer everything still waiting on it. */
  halted(reason: StopReason, detail: string, line: number | undefined): void {
    // (A thread that did not come back knows only the lines its call reported; an earlier call's line would mislead.)
    const where = reason === "deadline" ? line : (line ?? this.#context.site.line);
    const what = reason === "memory" ? "Your code ran out of memory" : reason === "cpu" ? "Your code kept the server too busy" : "Your code was stopped";
    this.#stopped = `${what}: ${detail}${where ? ` (line ${where})` : ""}. Fix it and press Run code; until then the server runs no code of yours.`;
    this.#context.site.line = where;
    this.#context.console.error(this.#stopped);
    this.dispose();
  }

  /** Stops every timer and answers what waits on the code, as a server that stopped would. */
  dispose(): void {
    this.#timers.dispose();
    this.#hooks.dispose(new Error(this.#stopped ?? "The server's code was replaced; connect again."));
  }

  /** Notes the line of the call being made, for the trace and the console. */
  #at(line: number): void {
    if (line > 0) this.#context.site.line = line;
  }

  /** The engine thread dropped output past the budget (it counts too, so that a flood never crosses threads). */
  consoleDropped(): void {
    this.#window();
    this.#console.bytes = Math.max(this.#console.bytes, this.#limits.consoleBytes + 1);
    this.#overflowed();
  }

  #log(level: string, line: string, at: number): undefined {
    if (!levels.has(level)) throw new TypeError(`console has no ${level}.`);
    this.#window();
    const cut = line.length > this.#limits.consoleLine ? `${line.slice(0, this.#limits.consoleLine)}…` : line;
    this.#console.bytes += Buffer.byteLength(cut);
    this.#at(at);
    if (this.#console.bytes > this.#limits.consoleBytes) return this.#overflowed();
    (this.#context.console as unknown as Record<string, (text: string) => void>)[level](cut);
    return undefined;
  }

  /** Starts a new second of console output once the last is over. */
  #window(): void {
    const now = performance.now();
    if (now - this.#console.start >= 1000) this.#console = { start: now, bytes: 0, warned: false };
  }

  /** Output past the budget: one warning a second. */
  #overflowed(): undefined {
    if (this.#console.warned) return undefined;
    this.#console.warned = true;
    this.#context.console.warn(`Your code printed more than ${Math.round(this.#limits.consoleBytes / 1024)} KiB within one second; its console lines are dropped until the next second.`);
    return undefined;
  }

  #fail(message: string, stack: string, at: number): undefined {
    // (An out-of-memory error with a full heap never comes here: the engine stops the program itself.)
    const line = lineOf(stack) ?? (at || undefined);
    this.#context.site.line = line;
    this.#context.console.error(`Uncaught ${message.slice(0, this.#limits.consoleLine)}${line ? ` (line ${line})` : ""}; the server keeps running.`);
    return undefined;
  }

  #chain(target: string, steps: string, data: string, callbackId: number, line: number): BridgeValue {
    const { target: operator, end, text: call } = applyChain(this.#start(target), fromGuest(steps, this.#limits, "The chain"), this.#limits);
    this.#at(line);
    const settle = (promise: Promise<unknown>, map: (value: unknown) => unknown = (value) => value) =>
      promise.then(
        (value) => this.#answer(callbackId, [map(value)]),
        (error: Error) => this.#answer(callbackId, [error]),
      );
    switch (end.op) {
      case "emit": {
        const args = fromGuest(data, this.#limits, `The data of ${call}.emit()`) as unknown[];
        if (callbackId) args.push((...answer: unknown[]) => this.#answer(callbackId, answer));
        (operator.emit as (...args: unknown[]) => boolean).call(operator, end.event, ...args);
        return 1;
      }
      case "emitWithAck": {
        const args = fromGuest(data, this.#limits, `The data of ${call}.emitWithAck()`) as unknown[];
        settle((operator.emitWithAck as (...args: unknown[]) => Promise<unknown>).call(operator, end.event, ...args));
        return undefined;
      }
      case "fetchSockets":
        settle((operator.fetchSockets as () => Promise<Array<{ id: string }>>).call(operator), (found) =>
          this.#objects.found((found as Array<{ id: string }>).map((remote) => remote.id)),
        );
        return undefined;
      case "socketsJoin":
      case "socketsLeave":
        (operator[end.op] as (rooms: string | string[]) => void).call(operator, end.rooms);
        return undefined;
      case "disconnectSockets":
        (operator.disconnectSockets as (close: boolean) => void).call(operator, end.close);
        return undefined;
    }
  }

  #start(target: string): ChainStart {
    if (target.startsWith("s:")) return { value: this.#objects.socket(target), receiver: "socket", text: "socket" };
    if (target.startsWith("p:")) return { value: this.#objects.target(target), receiver: "namespace", text: "io.of(…)" };
    const name = target.slice(2);
    return { value: this.#objects.namespace(name), receiver: "namespace", text: name === "/" ? "io" : `io.of(${JSON.stringify(name)})` };
  }

  #join(target: string, list: string, line: number): undefined {
    const socket = this.#objects.socket(target);
    const wanted = rooms(fromGuest(list, this.#limits, "The rooms"), this.#limits, "socket.join()");
    const added = new Set((Array.isArray(wanted) ? wanted : [wanted]).filter((room) => !socket.rooms.has(room)));
    if (socket.rooms.size + added.size > this.#limits.roomsPerSocket) {
      throw new RangeError(`A socket can be in at most ${this.#limits.roomsPerSocket} rooms here; leave some first.`);
    }
    this.#at(line);
    void socket.join(wanted);
    return undefined;
  }

  #leave(target: string, room: string, line: number): undefined {
    const socket = this.#objects.socket(target);
    const name = rooms(fromGuest(room, this.#limits, "The room"), this.#limits, "socket.leave()");
    if (typeof name !== "string") throw new TypeError("socket.leave() takes one room name.");
    this.#at(line);
    void socket.leave(name);
    return undefined;
  }

  /** Answers a guest callback (an ack, a promise); an Error in first place (a timeout) arrives as an Error. */
  #answer(id: number, args: unknown[]): void {
    if (!id || this.#stopped) return;
    const [first, ...rest] = args;
    const answer = first instanceof Error ? { error: first.message.slice(0, 1000), args: rest } : { args };
    const data = toGuest(answer, this.#limits, "The answer");
    this.#engine.enter("callback", id, "json" in data ? data.json : JSON.stringify({ error: data.problem, args: [] }));
  }
}

/** A bridge argument that must be text. */
function text(value: BridgeValue, what: string): string {
  if (typeof value !== "string") throw new TypeError(`The bridge expected text for ${what}.`);
  return value;
}

/** A bridge argument read as a finite number (0 when it is not one). */
function num(value: BridgeValue): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
