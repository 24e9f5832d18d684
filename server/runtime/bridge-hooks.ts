/**
 * Where the real server calls learner code: listeners (connections, events, adapter events), middlewares,
 * namespace families and the acks clients wait for. Each registers one real listener or middleware per target
 * and forwards into the engine; the guest runs its own list of handlers behind it.
 */
import type { Socket } from "socket.io";
import type { CodeLimits } from "./budgets.ts";
import { fromGuest, toGuest } from "./bridge-values.ts";
import type { GuestObjects } from "./guest-objects.ts";
import type { QuickJSEngine } from "./quickjs-engine.ts";
import { Waiting } from "./waiting.ts";

type Ack = (...args: unknown[]) => void;
type Next = (error?: Error) => void;

const adapterEvents = new Set(["create-room", "delete-room", "join-room", "leave-room"]);

/**
 * The bridge's listeners and middlewares for one run.
 *
 * @example
 * const hooks = new BridgeHooks(engine, objects, limits, { warn, stopped: () => undefined });
 * hooks.listen("n:/", "connection", true); // io.on("connection", …) in the guest
 */
export class BridgeHooks {
  #engine: QuickJSEngine;
  #objects: GuestObjects;
  #limits: CodeLimits;
  #run: { warn(text: string): void; stopped(): string | undefined };
  #listeners = new Map<string, () => void>();
  #middlewares = new Set<string>();
  #acks: Waiting<Ack>;
  #nexts: Waiting<Next>;
  #matches: Waiting<(error: Error | null, ok: boolean) => void>;

  constructor(engine: QuickJSEngine, objects: GuestObjects, limits: CodeLimits, run: { warn(text: string): void; stopped(): string | undefined }) {
    this.#engine = engine;
    this.#objects = objects;
    this.#limits = limits;
    this.#run = run;
    this.#acks = new Waiting(limits.pending);
    this.#nexts = new Waiting(limits.pending, (next) => next(new Error("Your code never called next() for this connection.")));
    this.#matches = new Waiting(limits.pending, (answer) => answer(null, false));
  }

  /** Starts (or stops) forwarding `event` of a target; one real listener per (target, event). */
  listen(target: string, event: string, on: boolean): undefined {
    const key = `${target}\u0000${event}`;
    if (!on) {
      this.#listeners.get(key)?.();
      this.#listeners.delete(key);
      return undefined;
    }
    if (this.#listeners.has(key)) return undefined;
    if (event.length > this.#limits.nameLength) throw new RangeError(`Event names have at most ${this.#limits.nameLength} characters here.`);
    if (this.#listeners.size >= this.#limits.listeners) {
      throw new RangeError(`Your code listens to ${this.#limits.listeners} events already, the limit here; remove some listeners first.`);
    }
    this.#listeners.set(key, this.#attach(target, event));
    return undefined;
  }

  /** Installs the one host middleware of a target; it runs the guest's middlewares in order. */
  middleware(target: string): undefined {
    if (this.#middlewares.has(target)) return undefined;
    if (target.startsWith("s:")) {
      const socket = this.#objects.socket(target);
      socket.use((packet, next) => {
        const [event, ...args] = packet;
        if (typeof args.at(-1) === "function") args.pop();
        const data = toGuest([event, ...args], this.#limits, `"${String(event)}" from ${socket.id}`);
        if ("problem" in data) return next(new Error(data.problem));
        this.#ask(next, (callId) => this.#engine.enter("packet", target, data.json, callId));
      });
    } else {
      this.#objects.target(target).use((socket, next) => {
        this.#objects.pending(socket, true);
        const done: Next = (error) => {
          this.#objects.pending(socket, false);
          if (error) this.#objects.forget(socket);
          next(error);
        };
        this.#ask(done, (callId) => this.#engine.enter("middleware", target, this.#objects.snapshot(socket), callId));
      });
    }
    this.#middlewares.add(target);
    return undefined;
  }

  /** The guest's middlewares decided: let the socket or packet through, or refuse it with their error. */
  next(callId: number, refusal: string | undefined): undefined {
    const next = this.#nexts.take(callId);
    if (!next) return undefined;
    if (refusal === undefined) return void next();
    const { message, data } = fromGuest(refusal, this.#limits, "The error passed to next()") as { message?: unknown; data?: unknown };
    const error = new Error(String(message ?? "refused").slice(0, 1000)) as Error & { data?: unknown };
    if (data !== undefined) error.data = data;
    next(error);
    return undefined;
  }

  /** `io.of(/regex/)` or `io.of(fn)`: the server asks the guest whether a namespace name belongs to the family. */
  parent(id: number): undefined {
    this.#objects.makeParent(id, (name, auth, next) => {
      if (this.#run.stopped()) return next(null, false);
      const callId = this.#matches.put(next);
      const data = toGuest(auth ?? {}, this.#limits, "The auth data");
      this.#engine.enter("match", id, name.slice(0, this.#limits.nameLength), "json" in data ? data.json : "{}", callId);
    });
    return undefined;
  }

  matched(callId: number, ok: boolean): undefined {
    this.#matches.take(callId)?.(null, ok);
    return undefined;
  }

  /** The guest answered a client's ack. */
  reply(ackId: number, data: string): undefined {
    const ack = this.#acks.take(ackId);
    if (ack) ack(...(fromGuest(data, this.#limits, "The answer of this acknowledgement") as unknown[]));
    return undefined;
  }

  /** A socket left: its listeners and middleware go with it. */
  forget(ref: string): void {
    for (const [key, off] of this.#listeners) {
      if (key.startsWith(`${ref}\u0000`)) {
        off();
        this.#listeners.delete(key);
      }
    }
    this.#middlewares.delete(ref);
  }

  /** Refuses every middleware still waiting, as a stopped server would. */
  dispose(refusal: Error): void {
    this.#nexts.clear((next) => next(refusal));
    this.#matches.clear((answer) => answer(null, false));
    this.#acks.clear();
  }

  /** A real listener that forwards to the engine; returns how to remove it. */
  #attach(target: string, event: string): () => void {
    const kind = target[0];
    if (kind === "n" || kind === "p") {
      if (event !== "connection") throw new TypeError(`A namespace emits only "connection" here.`);
      const nsp = this.#objects.target(target);
      const listener = (socket: Socket) => this.#engine.enter("connection", target, this.#objects.snapshot(socket));
      nsp.on("connection", listener);
      return () => nsp.off("connection", listener);
    }
    if (kind === "a") {
      if (!adapterEvents.has(event)) throw new TypeError(`An adapter emits ${[...adapterEvents].join(", ")}, not ${JSON.stringify(event)}.`);
      const adapter = this.#objects.namespace(target.slice(2)).adapter;
      const listener = (...args: unknown[]) => {
        const data = toGuest(args, this.#limits, "The adapter event");
        if ("json" in data) this.#engine.enter("adapter", target.slice(2), event, data.json);
      };
      adapter.on(event, listener);
      return () => adapter.off(event, listener);
    }
    if (kind !== "s") throw new TypeError("The bridge cannot listen there.");
    const socket = this.#objects.socket(target);
    if (event === "*") {
      const listener = (name: string, ...args: unknown[]) => {
        const data = this.#incoming(socket, name, args);
        if (data) this.#engine.enter("any", target, name, data.json);
      };
      socket.onAny(listener);
      return () => socket.offAny(listener);
    }
    const listener = (...args: unknown[]) => {
      if (event === "disconnect" || event === "disconnecting") {
        return this.#engine.enter("event", target, event, JSON.stringify([typeof args[0] === "string" ? args[0] : "unknown"]), 0);
      }
      const ack = typeof args.at(-1) === "function" ? (args.pop() as Ack) : undefined;
      const data = this.#incoming(socket, event, args, ack);
      if (!data) return;
      const stopped = this.#run.stopped();
      if (stopped) return ack?.({ ok: false, error: stopped });
      this.#engine.enter("event", target, event, data.json, ack ? this.#acks.put(ack) : 0);
    };
    socket.on(event, listener);
    return () => socket.off(event, listener);
  }

  /** An event's arguments as JSON for the guest, or undefined (with a warning and an error ack) when they cannot go. */
  #incoming(socket: Socket, event: string, args: unknown[], ack?: Ack): { json: string } | undefined {
    const data = toGuest(args, this.#limits, `"${event}" from ${socket.id}`);
    if ("json" in data) return data;
    this.#run.warn(`${data.problem} Your code did not get it.`);
    ack?.({ ok: false, error: data.problem });
    return undefined;
  }

  /** Hands a `next` to the guest under an id; a stopped program refuses at once. */
  #ask(next: Next, enter: (callId: number) => void): void {
    const stopped = this.#run.stopped();
    if (stopped) return next(new Error(stopped));
    enter(this.#nexts.put(next));
  }
}
