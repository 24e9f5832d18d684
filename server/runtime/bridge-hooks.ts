/**
 * Where the real server calls learner code: listeners (connections, events, adapter events), middlewares,
 * namespace families and the acks clients wait for. Each registers one real listener or middleware per target
 * and forwards into the engine; the guest runs its own list of handlers behind it. What starts new work in the
 * code (a connection, an event, a middleware run) is refused, with the reason, while the code is stopped or the
 * server refuses it more work (`GuestCalls.refusal`).
 */
import type { Socket } from "socket.io";
import type { CodeLimits } from "./budgets.ts";
import { fromGuest, toGuest } from "./bridge-values.ts";
import type { GuestObjects } from "./guest-objects.ts";
import type { GuestCalls } from "./quickjs-engine.ts";
import { Waiting } from "./waiting.ts";

type Ack = (...args: unknown[]) => void;
type Next = (error?: Error) => void;

/** Packets of one socket held while its connection handler has yet to run (see `#holdPackets`); more are dropped. */
const maxHeldPackets = 32;
const adapterEvents = new Set(["create-room", "delete-room", "join-room", "leave-room"]);

/**
 * The bridge's listeners and middlewares for one run.
 *
 * @example
 * const hooks = new BridgeHooks(engine, objects, limits, { warn, stopped: () => undefined });
 * hooks.listen("n:/", "connection", true); // io.on("connection", …) in the guest
 */
export class BridgeHooks {
  #engine: GuestCalls;
  #objects: GuestObjects;
  #limits: CodeLimits;
  #run: { warn(text: string): void; stopped(): string | undefined };
  #listeners = new Map<string, () => void>();
  #middlewares = new Set<string>();
  #acks: Waiting<Ack>;
  #nexts: Waiting<Next>;
  #matches: Waiting<(error: Error | null, ok: boolean) => void>;
  /** Sockets (guest names) that left before the code's connection handler for them ran. */
  #leftEarly = new Set<string>();

  constructor(engine: GuestCalls, objects: GuestObjects, limits: CodeLimits, run: { warn(text: string): void; stopped(): string | undefined }) {
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
      if (this.#refused()) return next(null, false);
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
      const listener = (socket: Socket) => {
        // A stopped program ignores connections, as it always did; a busy server closes them (the code would never see them).
        if (this.#run.stopped()) return;
        if (this.#engine.refusal?.()) return void socket.disconnect(true);
        this.#engine.enter("connection", target, this.#objects.snapshot(socket));
        this.#holdPackets(socket);
        this.#watchEarlyLeave(socket);
      };
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
        if (this.#refused()) return;
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
      const refused = this.#refused();
      if (refused) return ack?.({ ok: false, error: refused });
      this.#engine.enter("event", target, event, data.json, ack ? this.#acks.put(ack) : 0);
    };
    socket.on(event, listener);
    return () => socket.off(event, listener);
  }

  /**
   * A socket may disconnect before the code's connection handler has run in its engine thread. In Node that handler
   * would have run first, on a socket still connected, and its `disconnecting`/`disconnect` handlers after. So until
   * the handler ran, that socket stays known as "left early" (calls on it answer as for a connected socket and do
   * nothing, see `Bridge`), and the leave events go to the code at once, queued after the handler, unless a real
   * listener already forwards them.
   */
  #watchEarlyLeave(socket: Socket): void {
    const ref = `s:${socket.id}:${socket.nsp.name}`;
    const left = (reason: unknown) => {
      this.#leftEarly.add(ref);
      for (const event of ["disconnecting", "disconnect"]) {
        if (!this.#listeners.has(`${ref}\u0000${event}`)) this.#engine.enter("event", ref, event, JSON.stringify([typeof reason === "string" ? reason : "unknown"]), 0);
      }
    };
    socket.once("disconnect", left);
    this.#engine.after(() => {
      socket.off("disconnect", left);
      this.#leftEarly.delete(ref);
    });
  }

  /** True for a socket that disconnected before the code's connection handler for it ran (see `#watchEarlyLeave`). */
  leftEarly(ref: string): boolean {
    return this.#leftEarly.has(ref);
  }

  /**
   * Holds a packet nobody listens to yet while the engine still has calls to run (it runs them in another thread,
   * later), and every packet of that socket after it, until those calls have run: by then a handler the code was
   * adding (`socket.on` in the connection handler, or after an `await`) listens, as it would in Node, where the code
   * runs to its end before the next packet is read. Packets with a listener pass at once, in order.
   */
  #holdPackets(socket: Socket): void {
    const held: Next[] = [];
    const release = () => {
      for (const next of held.splice(0)) next();
    };
    const gate = ([event]: unknown[], next: Next) => {
      if (held.length === 0 && socket.listeners(String(event)).length > 0) return next();
      // This runs before the inbound guard and its rate limit: a flood waits here only up to a few packets.
      if (held.length >= maxHeldPackets) return;
      held.push(next);
      if (held.length === 1) this.#engine.after(release);
    };
    // Socket.IO runs a socket's middlewares in the order of its private `fns`; this one must come before the inbound
    // guard, which refuses an event nobody listens to (socket.io/lib/socket.ts, `use` and `run`).
    (socket as unknown as { fns: Array<typeof gate> }).fns.unshift(gate);
  }

  /** An event's arguments as JSON for the guest, or undefined (with a warning and an error ack) when they cannot go. */
  #incoming(socket: Socket, event: string, args: unknown[], ack?: Ack): { json: string } | undefined {
    const data = toGuest(args, this.#limits, `"${event}" from ${socket.id}`);
    if ("json" in data) return data;
    this.#run.warn(`${data.problem} Your code did not get it.`);
    ack?.({ ok: false, error: data.problem });
    return undefined;
  }

  /** Hands a `next` to the guest under an id; a stopped program, or a server too busy for it, refuses at once. */
  #ask(next: Next, enter: (callId: number) => void): void {
    const refused = this.#refused();
    if (refused) return next(new Error(refused));
    enter(this.#nexts.put(next));
  }

  /** Why new work may not reach the code now: it was stopped, or the server is too busy for it. */
  #refused(): string | undefined {
    return this.#run.stopped() ?? this.#engine.refusal?.();
  }
}
