/**
 * The real Socket.IO objects one run's learner code refers to, by the names the guest uses: `s:<id>:<namespace>`
 * for a socket, `n:<namespace>`, `p:<id>` for a namespace family. Every name is looked up in this run's own server;
 * nothing else is reachable. A socket's handshake crosses to the guest once.
 */
import type { Namespace, Socket } from "socket.io";
import type { LessonServer } from "../programs/program.ts";
import type { CodeLimits } from "./budgets.ts";
import { handshakeOf } from "./handshake.ts";

/**
 * Lookups and snapshots for the bridge.
 *
 * @example
 * const objects = new GuestObjects(io, limits, { warn, forgotten: (ref) => engine.enter("forget", ref) });
 * objects.socket("s:Ab12:/admin"); // the real Socket, or throws
 */
export class GuestObjects {
  #io: LessonServer;
  #limits: CodeLimits;
  #hooks: { warn(text: string): void; forgotten(ref: string): void };
  #known = new Set<string>();
  #pending = new Map<string, Socket>();
  #parents = new Map<number, Namespace>();
  #namespaces = 0;

  constructor(io: LessonServer, limits: CodeLimits, hooks: { warn(text: string): void; forgotten(ref: string): void }) {
    this.#io = io;
    this.#limits = limits;
    this.#hooks = hooks;
  }

  /** The real socket a guest name refers to: connected, or in a namespace middleware right now. */
  socket(ref: string): Socket {
    if (!ref.startsWith("s:")) throw new TypeError("That is not a socket.");
    const key = ref.slice(2);
    const split = key.indexOf(":");
    const socket = this.#io._nsps.get(key.slice(split + 1))?.sockets.get(key.slice(0, split)) ?? this.#pending.get(key);
    if (!socket) throw new Error("That socket has disconnected.");
    return socket as Socket;
  }

  /** An existing namespace (`n:` names it); the guest makes new ones with `make`. */
  namespace(name: string): Namespace {
    const nsp = this.#io._nsps.get(name);
    if (!nsp) throw new Error(`No namespace ${JSON.stringify(name)} exists on this server; make it with io.of(${JSON.stringify(name)}) first.`);
    return nsp as unknown as Namespace;
  }

  /** A namespace or a namespace family, by its guest name. */
  target(ref: string): Namespace {
    if (ref.startsWith("n:")) return this.namespace(ref.slice(2));
    const parent = ref.startsWith("p:") ? this.#parents.get(Number(ref.slice(2))) : undefined;
    if (!parent) throw new Error("No such namespace family.");
    return parent;
  }

  /** `io.of(name)`, counted against the budget. */
  make(name: string): void {
    if (!name.startsWith("/") || name.length > this.#limits.nameLength) {
      throw new TypeError(`A namespace name starts with "/" and has at most ${this.#limits.nameLength} characters.`);
    }
    if (this.#io._nsps.has(name)) return;
    this.#count();
    this.#io.of(name);
  }

  /** `io.of(matcher)` for the guest's family `id`; `match` answers whether a name belongs to it. */
  makeParent(id: number, match: (name: string, auth: unknown, next: (error: Error | null, ok: boolean) => void) => void): void {
    if (this.#parents.has(id)) return;
    this.#count();
    this.#parents.set(id, this.#io.of(match) as unknown as Namespace);
  }

  /** A socket while a namespace middleware decides on it (it is in no namespace's `sockets` yet). */
  pending(socket: Socket, during: boolean): void {
    const key = `${socket.id}:${socket.nsp.name}`;
    if (during) this.#pending.set(key, socket);
    else this.#pending.delete(key);
  }

  /** A socket as JSON for the guest: id, namespace and, the first time, its handshake. */
  snapshot(socket: Socket): string {
    const key = `${socket.id}:${socket.nsp.name}`;
    if (this.#known.has(key)) return JSON.stringify({ id: socket.id, nsp: socket.nsp.name });
    this.#known.add(key);
    socket.once("disconnect", () => queueMicrotask(() => this.forget(socket)));
    const handshake = handshakeOf(socket, this.#limits);
    if (handshake.problem) this.#hooks.warn(handshake.problem);
    // `recovered`: connection state recovery gave this socket back its id, rooms and missed emits.
    return JSON.stringify({ id: socket.id, nsp: socket.nsp.name, recovered: socket.recovered, handshake: handshake.value });
  }

  /** The sockets of a namespace, as the guest's `nsp.sockets` shows them. */
  sockets(name: string): string {
    const nsp = this.#io._nsps.get(name);
    return JSON.stringify(nsp ? [...nsp.sockets.values()].map((socket) => JSON.parse(this.snapshot(socket))) : []);
  }

  /** What `fetchSockets()` found, as snapshots (the adapter is local: each remote socket is a local one). */
  found(ids: string[]): unknown[] {
    return ids.flatMap((id) => {
      for (const nsp of this.#io._nsps.values()) {
        const socket = nsp.sockets.get(id);
        if (socket) return [JSON.parse(this.snapshot(socket as Socket))];
      }
      return [];
    });
  }

  /** A namespace's rooms and their sockets, for `adapter.rooms` and `adapter.sids`. */
  rooms(name: string): string {
    const nsp = this.#io._nsps.get(name);
    return JSON.stringify(nsp ? [...nsp.adapter.rooms].map(([room, ids]) => [room, [...ids]]) : []);
  }

  /** Drops a socket the guest knew (it left, or a middleware refused it); the guest is told to drop it too. */
  forget(socket: Socket): void {
    const key = `${socket.id}:${socket.nsp.name}`;
    if (this.#known.delete(key)) this.#hooks.forgotten(`s:${key}`);
  }

  #count(): void {
    if (this.#namespaces >= this.#limits.namespaces) {
      throw new RangeError(`Your code made ${this.#limits.namespaces} namespaces already, the limit here.`);
    }
    this.#namespaces++;
  }
}
