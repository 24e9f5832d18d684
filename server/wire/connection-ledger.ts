/** Every Engine.IO connection of one Socket.IO server and the namespaces it is in: the socket cap, checked at the handshake and at each CONNECT, and slow readers. */
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Server as EngineServer, Socket as Connection } from "engine.io";
import { formatBytes } from "./payload-budget.ts";

/** What one server's connections may hold. */
export interface LedgerLimits {
  /** Sockets (namespace connections) over every connection; a connection with none yet holds one place. */
  maxSockets: number;
  /** Namespaces one connection may be connected or connecting to at once. */
  namespacesPerConnection: number;
  /**
   * Bytes waiting to be written to one connection: past it, a connection that has taken nothing for a moment is
   * closed as a slow reader (eight times it, any connection); the server's connections together may hold four times it.
   */
  maxQueuedBytes: number;
  /** Events and answers one connection may send per second; the rest are refused before Socket.IO reads them. */
  packetsPerSecond: number;
}

/** Where the ledger's refusals are told (the sandbox's console); nothing for servers with no console. */
export interface LedgerHooks {
  /** One line for the owner; `conn` is undefined for a refused handshake. */
  report(conn: Connection | undefined, nsp: string | undefined, text: string): void;
  /** "A", "External 1"… */
  nameOf(conn: Connection): string;
}

type Membership = "connecting" | "connected";

interface Entry {
  ledger: ConnectionLedger;
  /** Accepted over the cap only to be told so: its CONNECT gets the reason, then it closes; it takes no place. */
  refusal: boolean;
  namespaces: Memberships;
  queued: number;
  /** When Engine.IO last handed this connection's queue to its transport (a reader that keeps up takes it within ms). */
  tookAt: number;
  closing: boolean;
  /** When this connection's last line was reported, and how many were held back since. */
  reported: number;
  heldBack: number;
  /** The current one-second window of packets: when it started, and how many came in it. */
  windowStart: number;
  windowCount: number;
}

/**
 * A connection's namespaces and what it is to each, with the `Map` methods the ledger uses, over a flat array
 * sized to its entries: most connections are in one namespace (at most `namespacesPerConnection`), and an empty
 * `Map` alone holds a 150-byte table.
 */
class Memberships {
  /** Namespace, membership, namespace, membership… */
  #list: string[] = [];

  get size(): number {
    return this.#list.length / 2;
  }

  get(nsp: string): Membership | undefined {
    const at = this.#indexOf(nsp);
    return at < 0 ? undefined : (this.#list[at + 1] as Membership);
  }

  set(nsp: string, membership: Membership): void {
    const at = this.#indexOf(nsp);
    if (at >= 0) this.#list[at + 1] = membership;
    // A literal for the first one: `push` onto an empty array would reserve room for 16.
    else if (this.#list.length === 0) this.#list = [nsp, membership];
    else this.#list.push(nsp, membership);
  }

  delete(nsp: string): boolean {
    const at = this.#indexOf(nsp);
    if (at < 0) return false;
    this.#list.splice(at, 2);
    return true;
  }

  keys(): string[] {
    return this.#list.filter((_, index) => index % 2 === 0);
  }

  #indexOf(nsp: string): number {
    for (let at = 0; at < this.#list.length; at += 2) if (this.#list[at] === nsp) return at;
    return -1;
  }
}

/** Where a connection keeps its entry, so the listeners shared by every connection find it without a lookup. */
const entryKey = Symbol("ledger entry");
type Tracked = Connection & { [entryKey]: Entry };

/**
 * Why a CONNECT may not go on: `refuse` answers it with a `connect_error` and keeps the connection; a
 * `protocolError` (what was sent, e.g. a second CONNECT for one namespace) makes Socket.IO close it, as it would.
 */
export type Admission = { refuse: string; close?: boolean } | { protocolError: string } | undefined;

/** Connections over the cap accepted at once only to be refused with a reason; more get a bare 403. */
const politeRefusals = 4;
/** A connection whose transport has taken nothing for this long while its queue is over the bound is a slow reader. */
const stuckMs = 1000;

/**
 * The places a server's sockets take. `allowRequest` refuses a handshake once every place is taken (one per
 * connection without a namespace yet, one per namespace connection); the measuring decoder asks `admit` before a
 * CONNECT reaches Socket.IO, so no pile of CONNECT packets in one polling payload can open more sockets than the cap.
 *
 * @example
 * const ledger = new ConnectionLedger({ maxSockets: 64, namespacesPerConnection: 10, maxQueuedBytes: 2 ** 20 });
 * const engine = new EngineServer({ allowRequest: (req, callback) => ledger.allowRequest(req, callback) });
 * ledger.watch(engine); // before io.bind(engine)
 */
export class ConnectionLedger {
  readonly limits: LedgerLimits;
  #hooks: LedgerHooks;
  #entries = new Map<Connection, Entry>();
  /**
   * Handshakes let in and not yet a connection, each with the timer that forgets it if it never becomes one; and
   * those let in over the cap only to be refused. Made when needed and dropped once empty: most of the time no
   * handshake is under way, and a thousand idle sandboxes need not hold two empty maps each.
   */
  #handshakes: Map<IncomingMessage, NodeJS.Timeout> | undefined;
  #refusing: Map<IncomingMessage, NodeJS.Timeout> | undefined;
  #refusals = 0;
  /** Bytes queued over every connection. */
  #queued = 0;
  #arriving: Connection | undefined;
  #handshakeReported = 0;
  /** The engine's `maxHttpBufferSize`, for the line about a WebSocket frame ws refused. */
  #maxFrameBytes = 1e6;

  constructor(limits: LedgerLimits, hooks: LedgerHooks = { report: () => undefined, nameOf: () => "A client" }) {
    this.limits = limits;
    this.#hooks = hooks;
  }

  /** Places taken: handshakes under way, connections without a namespace, namespace connections. */
  get places(): number {
    let places = this.#handshakes?.size ?? 0;
    for (const entry of this.#entries.values()) if (!entry.refusal) places += Math.max(1, entry.namespaces.size);
    return places;
  }

  /** The sentence a refused client gets when the server is full. */
  get fullMessage(): string {
    return `This sandbox is full (${this.limits.maxSockets} sockets); disconnect a client and try again.`;
  }

  /**
   * Engine.IO's `allowRequest`: called for handshakes only (polling and WebSocket alike), before a connection
   * exists. Over the cap, the first few are let in only to be told why in a `connect_error` (a client cannot read
   * the body of a refused handshake); the rest get Engine.IO's 403 with the reason in its body.
   */
  allowRequest(req: IncomingMessage, callback: (message: string | null | undefined, success: boolean) => void): void {
    if (this.places >= this.limits.maxSockets) {
      const now = Date.now();
      if (now - this.#handshakeReported >= 1000) {
        this.#handshakeReported = now;
        this.#hooks.report(undefined, undefined, `Refused a new connection: this sandbox already has ${this.limits.maxSockets} sockets, the limit.`);
      }
      if (this.#refusals + (this.#refusing?.size ?? 0) >= politeRefusals) return callback(this.fullMessage, false);
      const refusing = (this.#refusing ??= new Map());
      refusing.set(req, forget(refusing, req));
      return callback(null, true);
    }
    // Engine.IO awaits between this answer and its "connection" event: hold the place meanwhile.
    const handshakes = (this.#handshakes ??= new Map());
    handshakes.set(req, forget(handshakes, req));
    callback(null, true);
  }

  /** Follows `engine`'s connections; call it before `io.bind(engine)`, so each is known when Socket.IO builds its decoder. */
  watch(engine: EngineServer): void {
    this.#maxFrameBytes = engine.opts.maxHttpBufferSize ?? 1e6;
    engine.on("connection", (conn: Connection) => {
      const request = conn.request as IncomingMessage;
      settle(this.#handshakes, request);
      const refusal = settle(this.#refusing, request);
      if (this.#handshakes?.size === 0) this.#handshakes = undefined;
      if (this.#refusing?.size === 0) this.#refusing = undefined;
      const entry: Entry = { ledger: this, refusal, namespaces: new Memberships(), queued: 0, tookAt: Date.now(), closing: false, reported: 0, heldBack: 0, windowStart: 0, windowCount: 0 };
      if (refusal) {
        this.#refusals++;
        conn.once("close", () => this.#refusals--);
        // A client that never sends its CONNECT is closed without a word; Socket.IO's clients send it at once.
        const timer = setTimeout(() => conn.close(), 5_000).unref();
        conn.once("close", () => clearTimeout(timer));
      }
      this.#entries.set(conn, entry);
      this.#arriving = conn;
      // No listeners of its own on each connection (four would grow its events dictionary and "close" array by
      // half a kilobyte): the connection's `emit` is one function for every connection, which hears the four events
      // the ledger follows before the connection's listeners do (as listeners added first, before Socket.IO's).
      (conn as Tracked)[entryKey] = entry;
      (conn as { emit: unknown }).emit = ConnectionLedger.#emit;
    });
  }

  /** A watched connection's `emit`: the ledger's look at the event, then the connection's listeners. */
  static #emit(this: Connection, event: string, a?: unknown, b?: unknown): boolean {
    ConnectionLedger.#heard(this, event, a, b);
    // `apply` with `arguments`: no array made per event (this runs for every packet the connection sends).
    return engineEmit.apply(this, arguments as unknown as [string, ...unknown[]]);
  }

  /** What the ledger does with a watched connection's events. */
  static #heard(conn: Connection, event: string, a: unknown, b: unknown): void {
    const entry = (conn as Tracked)[entryKey];
    const ledger = entry.ledger;
    if (event === "packetCreate") ledger.#outgoing(conn, entry, a as { type: string; data?: unknown });
    else if (event === "flush") {
      let taken = 0;
      for (const packet of a as { data?: unknown }[]) taken += sizeOf(packet.data);
      entry.queued -= taken;
      ledger.#queued -= taken;
      entry.tookAt = Date.now();
    } else if (event === "packet") ledger.#incoming(conn, a as { type: string });
    else if (event === "close") {
      // ws refuses a frame over maxHttpBufferSize itself, with close code 1009 and no room for a reason.
      if ((b as { message?: string } | undefined)?.message?.includes("Max payload size exceeded")) {
        ledger.report(conn, undefined, `${ledger.nameOf(conn)} sent a WebSocket message over ${formatBytes(ledger.#maxFrameBytes)}, the largest the server reads; the connection was closed (close code 1009).`);
      }
      ledger.#queued -= entry.queued;
      ledger.#entries.delete(conn);
    }
  }

  /**
   * A polling request larger than the engine reads (`maxHttpBufferSize`): every namespace of `conn` gets a
   * `connect_error` saying so (through the long poll the client keeps open), then the connection closes instead
   * of lingering until its ping times out.
   */
  refuseOversized(conn: Connection, maxBytes: number): void {
    const entry = this.#entries.get(conn);
    if (!entry || entry.closing) return;
    entry.closing = true;
    const sentence = `${this.nameOf(conn)} sent a message over ${formatBytes(maxBytes)}, the largest the server reads; it was refused and the connection closed. Send less data at once.`;
    this.report(conn, undefined, sentence);
    for (const nsp of entry.namespaces.keys()) conn.write(connectError(nsp, sentence));
    conn.close();
  }

  /** The connection Socket.IO is building a decoder for right now (the one whose "connection" event is running). */
  arriving(): Connection | undefined {
    const conn = this.#arriving;
    this.#arriving = undefined;
    return conn;
  }

  /** Whether `conn` may send a CONNECT for `nsp` now; `newNamespace` refuses a namespace participants may not make. */
  admit(conn: Connection, nsp: string, newNamespace: () => string | undefined): Admission {
    const entry = this.#entries.get(conn);
    if (!entry) return undefined;
    if (entry.refusal) return { refuse: `this sandbox is full (${this.limits.maxSockets} sockets); disconnect a client and try again.`, close: true };
    const state = entry.namespaces.get(nsp);
    if (state) return { protocolError: `a second CONNECT for ${nsp}, which this connection is already ${state} to` };
    if (entry.namespaces.size >= this.limits.namespacesPerConnection) {
      return { refuse: `one connection may join at most ${this.limits.namespacesPerConnection} namespaces at once; leave one first.` };
    }
    if (entry.namespaces.size > 0 && this.places >= this.limits.maxSockets) {
      return { refuse: `this sandbox is full (${this.limits.maxSockets} sockets); disconnect a client and try again.` };
    }
    const refusal = newNamespace();
    return refusal === undefined ? undefined : { refuse: refusal };
  }

  /**
   * Counts one packet of `conn` against `packetsPerSecond`; false when it is over and must be refused. A flood of
   * tiny packets in one polling payload (160,000 in a megabyte) is cut here, before Socket.IO queues each of them.
   */
  take(conn: Connection): boolean {
    const entry = this.#entries.get(conn);
    if (!entry) return true;
    const now = Date.now();
    if (now - entry.windowStart >= 1000) {
      entry.windowStart = now;
      entry.windowCount = 0;
    }
    return ++entry.windowCount <= this.limits.packetsPerSecond;
  }

  /** A CONNECT for `nsp` went on to Socket.IO. */
  connecting(conn: Connection, nsp: string): void {
    this.#entries.get(conn)?.namespaces.set(nsp, "connecting");
  }

  /** What `conn` is to `nsp` now: connecting, connected, or nothing. */
  membership(conn: Connection, nsp: string): Membership | undefined {
    return this.#entries.get(conn)?.namespaces.get(nsp);
  }

  /** The namespaces `conn` is connected or connecting to. */
  namespacesOf(conn: Connection): string[] {
    return this.#entries.get(conn)?.namespaces.keys() ?? [];
  }

  /**
   * The client left `nsp` (its DISCONNECT packet). Once it has left every namespace the connection is closed, as
   * socket.io-client closes it itself: its place is free at once for a client that reconnects right away (a page
   * resetting its clients), and an empty connection cannot be kept open outside the cap. Not before Socket.IO has
   * handled the DISCONNECT, so its sockets leave with "client namespace disconnect".
   */
  left(conn: Connection, nsp: string): void {
    const entry = this.#entries.get(conn);
    if (!entry) return;
    entry.namespaces.delete(nsp);
    if (entry.namespaces.size === 0) setImmediate(() => entry.namespaces.size === 0 && conn.close());
  }

  /** Bytes waiting to be written to `conn`. */
  queuedBytes(conn: Connection): number {
    return this.#entries.get(conn)?.queued ?? 0;
  }

  /**
   * Tells the owner one line about `conn`, at most one a second per connection; lines held back are counted
   * in the next one.
   */
  report(conn: Connection, nsp: string | undefined, text: string): void {
    const entry = this.#entries.get(conn);
    const now = Date.now();
    if (entry && now - entry.reported < 1000) {
      entry.heldBack++;
      return;
    }
    const more = entry?.heldBack ? ` (${entry.heldBack} more refusals from this connection in the last second were not shown)` : "";
    if (entry) {
      entry.reported = now;
      entry.heldBack = 0;
    }
    this.#hooks.report(conn, nsp, `${text}${more}`);
  }

  /** "A", "External 1"… */
  nameOf(conn: Connection): string {
    return this.#hooks.nameOf(conn);
  }

  /** Engine.IO packets it closes the connection for at once: the client gets the reason first, where a write still goes out. */
  #incoming(conn: Connection, packet: { type: string }): void {
    const what =
      packet.type === "error" ? "a frame that is not an Engine.IO packet" : packet.type === "ping" ? "an Engine.IO ping (in Engine.IO 4 only the server pings)" : undefined;
    if (what === undefined) return;
    const sentence = `${this.nameOf(conn)} sent ${what}; Engine.IO closed the connection.`;
    this.report(conn, undefined, sentence);
    for (const nsp of this.namespacesOf(conn)) conn.write(connectError(nsp, sentence));
    holdCloseUntilSent(conn);
  }

  #outgoing(conn: Connection, entry: Entry, packet: { type: string; data?: unknown }): void {
    const { data } = packet;
    const size = sizeOf(data);
    entry.queued += size;
    this.#queued += size;
    if (typeof data === "string" && packet.type === "message") {
      const type = data.charCodeAt(0) - 0x30;
      // CONNECT (0): now connected; DISCONNECT (1) or CONNECT_ERROR (4): gone.
      if (type === 0 || type === 1 || type === 4) {
        const nsp = data.charAt(1) === "/" ? data.slice(1, indexOrEnd(data, ",")) : "/";
        if (type === 0) entry.namespaces.set(nsp, "connected");
        else entry.namespaces.delete(nsp);
      }
    }
    const bound = this.limits.maxQueuedBytes;
    // Per packet of every delivery: the clock is read, and anything allocated, only once a queue is over its bound.
    if (entry.queued <= bound && this.#queued <= 4 * bound) return;
    const now = Date.now();
    if (!entry.closing && (entry.queued > 8 * bound || (entry.queued > bound && isStuck(entry, now)))) this.#slow(conn, entry);
    if (this.#queued <= 4 * bound) return;
    // Together over their bound: the stuck connections with the most waiting go first.
    const candidates = [...this.#entries].filter(([, each]) => isStuck(each, now) && each.queued > 0).sort(([, a], [, b]) => b.queued - a.queued);
    let over = this.#queued - 4 * bound;
    for (const [stuckConn, each] of candidates) {
      if (over <= 0) break;
      over -= each.queued;
      this.#slow(stuckConn, each);
    }
  }

  #slow(conn: Connection, entry: Entry): void {
    entry.closing = true;
    // Not from inside this write: it may be one of a broadcast's, and closing runs disconnect handlers.
    process.nextTick(() => this.#closeSlowReader(conn, entry));
  }

  #closeSlowReader(conn: Connection, entry: Entry): void {
    const waiting = formatBytes(entry.queued);
    this.#hooks.report(conn, undefined, `${this.nameOf(conn)} stopped reading: ${waiting} waited to be sent to it (the limit is ${formatBytes(this.limits.maxQueuedBytes)}); the server closed that connection.`);
    // Over WebSocket the reason travels in the close frame (code 1008, policy violation); ws keeps it under 123 bytes.
    const transport = conn.transport as unknown as { name: string; socket?: { close(code: number, reason: string): void } };
    if (transport.name === "websocket") transport.socket?.close(1008, "Slow reader: too much data waited to be sent; the server closed the connection.");
    conn.close(true);
  }
}

/** Engine.IO's own `emit` (Node's), which a watched connection's runs after the ledger's look. */
const engineEmit = EventEmitter.prototype.emit;

/**
 * Engine.IO closes `conn` right after its "packet" event for a frame it refuses, and drops what still waits to
 * go out: over polling with no GET pending, the reason just written. This holds that close until the reason
 * went out (the client's next poll), 2 s at most; meanwhile the connection reads nothing more.
 */
function holdCloseUntilSent(conn: Connection): void {
  const engineSide = conn as unknown as { writeBuffer: unknown[]; readyState: string; onClose(reason: string, description?: unknown): void };
  if (engineSide.writeBuffer.length === 0) return;
  engineSide.onClose = (reason, description) => {
    Reflect.deleteProperty(engineSide, "onClose"); // Engine.IO's own again
    engineSide.readyState = "closing";
    const close = () => {
      clearTimeout(timer);
      engineSide.onClose(reason, description);
    };
    const timer = setTimeout(close, 2000);
    conn.once("drain", close);
  };
}

/** A connection whose transport has taken nothing for `stuckMs` and that is not being closed already. */
function isStuck(entry: Entry, now: number): boolean {
  return !entry.closing && now - entry.tookAt >= stuckMs;
}

/** A timer that drops `req` from `pending` if Engine.IO never makes it a connection (its handshake failed). */
function forget(pending: Map<IncomingMessage, NodeJS.Timeout>, req: IncomingMessage): NodeJS.Timeout {
  return setTimeout(() => pending.delete(req), 10_000).unref();
}

/** Drops `req` from `pending` now that it is a connection; true if it was there. */
function settle(pending: Map<IncomingMessage, NodeJS.Timeout> | undefined, req: IncomingMessage): boolean {
  if (!pending) return false;
  clearTimeout(pending.get(req));
  return pending.delete(req);
}

/** A Socket.IO CONNECT_ERROR packet's text. */
export function connectError(nsp: string, message: string): string {
  return `4${nsp === "/" ? "" : `${nsp},`}${JSON.stringify({ message })}`;
}

function sizeOf(data: unknown): number {
  if (typeof data === "string") return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

function indexOrEnd(text: string, char: string): number {
  const index = text.indexOf(char);
  return index < 0 ? text.length : index;
}
