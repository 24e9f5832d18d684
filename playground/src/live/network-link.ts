/**
 * The network between one socket.io-client `Manager` and its server, as a learner controls it: offline (the
 * wire goes dead without a goodbye) and latency. It works on the client's own engine, so the server sees a real
 * `ping timeout` and the client really reconnects with its own options and back-off.
 */
import type { Manager } from "socket.io-client";

/** The parts of engine.io-client's transport (`lib/transport.ts`) that going offline and latency touch. */
interface Transport {
  /** "polling", "websocket" or "webtransport". */
  name: string;
  writable: boolean;
  readyState: string;
  ws?: { close(): void };
  removeAllListeners(): void;
  doClose(): void;
  onPacket(packet: unknown): void;
  send(packets: unknown[]): void;
}

/** The parts of engine.io-client's `Socket` (`lib/socket.ts`) used here. */
interface Engine {
  readyState: string;
  transport: Transport;
  on(event: "upgrade", fn: (transport: Transport) => void): void;
  _onClose(reason: string, description?: unknown): void;
  _onError(error: Error): void;
}

/** The parts of socket.io-client's `Manager` (`lib/manager.ts`) used here. */
interface ManagerInternals {
  engine: Engine | undefined;
  _readyState: string;
  open(fn?: (err?: Error) => void): unknown;
  emitReserved(event: "error", error: Error): void;
  maybeReconnectOnOpen(): void;
}

/** What a failed connection attempt says while the network is down. */
export const offlineMessage = "The network is offline: this attempt could not reach the server";

/**
 * Wraps a manager's `open` (the call every connection attempt makes) and its engines' transports.
 *
 * @example
 * const socket = io(url, { forceNew: true });
 * const link = new NetworkLink(socket.io);
 * link.goOffline(); // the client says "transport close" now; the server says "ping timeout" a little later
 * link.goOnline(); // the next reconnection attempt gets through
 */
export class NetworkLink {
  #manager: ManagerInternals;
  #offline = false;
  #latencyMs = 0;
  #stranded: Transport[] = [];
  #hooked = new WeakSet<object>();
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #mustRun = new Map<ReturnType<typeof setTimeout>, () => void>();

  constructor(manager: Manager) {
    const internals = manager as unknown as ManagerInternals;
    this.#manager = internals;
    const open = internals.open.bind(internals);
    internals.open = (fn) => {
      if (this.#offline) return this.#failedAttempt(fn);
      const result = open(fn);
      this.#hookEngine(internals.engine);
      return result;
    };
    this.#hookEngine(internals.engine);
  }

  get offline(): boolean {
    return this.#offline;
  }

  /** Milliseconds each packet waits, in each direction. */
  get latencyMs(): number {
    return this.#latencyMs;
  }

  set latencyMs(ms: number) {
    this.#latencyMs = Math.max(0, Math.min(10_000, Number.isFinite(ms) ? ms : 0));
  }

  /**
   * The network goes down. The client notices at once — as engine.io-client does on the browser's `offline`
   * event: `transport close` — and reconnects with its back-off, each attempt failing until `goOnline()`. The
   * connection itself is not closed (no close frame gets through a dead network): the server hears nothing more
   * and drops the socket when a ping goes unanswered (`ping timeout`).
   */
  goOffline(): void {
    if (this.#offline) return;
    this.#offline = true;
    const engine = this.#manager.engine;
    if (!engine || (engine.readyState !== "open" && engine.readyState !== "opening")) return;
    const transport = engine.transport;
    transport.removeAllListeners(); // nothing it receives reaches the client any more: pings go unanswered
    transport.doClose = () => {}; // and nothing is sent on it: no close frame, no "close" packet
    transport.writable = false;
    this.#stranded.push(transport);
    if (engine.readyState === "opening") engine._onError(new Error(offlineMessage));
    else engine._onClose("transport close", { description: "network connection lost" });
  }

  /** The network is back: the client's next reconnection attempt gets through. */
  goOnline(): void {
    if (!this.#offline) return;
    this.#offline = false;
    // The server has let go of these connections (or will): let the browser close them too.
    for (const transport of this.#stranded) transport.ws?.close();
    this.#stranded = [];
  }

  /** Stops every delayed packet; a connection whose close was delayed closes now. */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const pending = [...this.#mustRun.values()];
    this.#mustRun.clear();
    for (const fn of pending) fn();
    this.goOnline();
  }

  /** An attempt while offline: fails as a request into a dead network would, and the manager backs off. */
  #failedAttempt(fn?: (err?: Error) => void): unknown {
    const manager = this.#manager;
    if (manager._readyState.includes("open")) return manager;
    manager._readyState = "opening";
    this.#later(() => {
      if (manager._readyState !== "opening") return;
      manager._readyState = "closed";
      const error = new Error(offlineMessage);
      manager.emitReserved("error", error);
      if (fn) fn(error);
      else manager.maybeReconnectOnOpen();
    }, 50);
    return manager;
  }

  #hookEngine(engine: Engine | undefined): void {
    if (!engine || this.#hooked.has(engine)) return;
    this.#hooked.add(engine);
    this.#hookTransport(engine.transport);
    engine.on("upgrade", (transport) => this.#hookTransport(transport));
  }

  /**
   * Latency: each packet in, each batch out and the closing of the connection wait `latencyMs` (same delay each
   * way, so order is kept). A close is a frame on the wire too: a client that gives up on a slow server (its own
   * ping timeout) is heard by the server only `latencyMs` later, as over a real slow network. Only on the transport a
   * connection upgrades to: HTTP long-polling, the first moments of a connection, is left alone (its requests
   * delayed this way stalled the polling cycle, and a card made with a latency set never connected: `ping timeout`).
   */
  #hookTransport(transport: Transport | undefined): void {
    if (!transport || transport.name === "polling" || this.#hooked.has(transport)) return;
    this.#hooked.add(transport);
    const onPacket = transport.onPacket.bind(transport);
    const send = transport.send.bind(transport);
    const doClose = transport.doClose.bind(transport);
    let closing = false;
    transport.onPacket = (packet) => {
      if (this.#latencyMs === 0) onPacket(packet);
      else this.#later(() => onPacket(packet), this.#latencyMs);
    };
    transport.send = (packets) => {
      if (this.#latencyMs === 0) return send(packets);
      transport.writable = false; // the engine waits for this batch's drain before it sends the next
      // Nothing goes out on a connection that closed meanwhile (a browser logs an error for a send on a closing WebSocket).
      this.#later(() => !closing && send(packets), this.#latencyMs);
    };
    transport.doClose = () => {
      if (this.#latencyMs === 0) return doClose();
      this.#later(() => {
        closing = true;
        doClose();
      }, this.#latencyMs, true);
    };
  }

  /** Runs `fn` in `ms`; `mustRun`: `dispose()` runs it at once rather than dropping it (a connection still to close). */
  #later(fn: () => void, ms: number, mustRun = false): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#mustRun.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    if (mustRun) this.#mustRun.set(timer, fn);
  }
}
