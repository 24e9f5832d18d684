/** One simulated client: a real socket.io-client connection from the page, with its own event log and raw frames. */
import { io, type Socket } from "socket.io-client";
import type { SandboxTicket, SimulatedClientQuery } from "../../../contract/protocol.ts";
import { ClientLog } from "./client-log.svelte.ts";
import { deliveryKey, formatArg, type LogKind } from "./log-entry.ts";
import type { AckState } from "./delivery-match.ts";
import { NetworkLink } from "./network-link.ts";

export type ClientStatus = "connecting" | "connected" | "disconnected";

/** The client options the delivery lesson's cards offer, as `io(url, { retries, ackTimeout, auth: { serverOffset } })` takes them. */
export interface DeliveryOptions {
  /** How many times an unacknowledged emit is sent again (socket.io-client's `retries`; 0: never). */
  retries: number;
  /** How long each try waits for the server's acknowledgement, in ms (`ackTimeout`). */
  ackTimeout: number;
  /** Send `auth: { serverOffset }`, the last offset received, at every (re)connection. */
  sendServerOffset: boolean;
}

/** What each card of the delivery lesson starts with, and each step resets to: the tutorial's ackTimeout, no retries. */
export const defaultDelivery: Readonly<DeliveryOptions> = { retries: 0, ackTimeout: 10_000, sendServerOffset: false };

/** How a card answers an event the server sent with an acknowledgement callback: at once, after a delay, or never. */
export type AckMode = "now" | "late" | "never";

export interface SimulatedClientOptions {
  /** "A", "B", … */
  name: string;
  /** Page origin, e.g. `http://127.0.0.1:5173`. */
  origin: string;
  ticket: SandboxTicket;
  namespace?: string;
  /** Sent as `auth: { token }` when set. */
  auth?: string;
  /** Called with every Engine.IO packet this client sends (`out`) or receives (`in`), for the timeline. */
  onFrame?: (client: SimulatedClient, direction: "in" | "out", packet: EnginePacket, nsp: string) => void;
  /** The delivery lesson's cards: `io()` gets `ackTimeout`, `retries` and `auth.serverOffset` (see `DeliveryOptions`). */
  delivery?: boolean;
  /** Called with what the client's connection does besides frames (going offline, reconnection attempts), for the timeline. */
  onNote?: (client: SimulatedClient, text: string) => void;
}

export type EnginePacket = { type: string; data?: unknown };
type Engine = {
  on(event: "packet" | "packetCreate", fn: (packet: EnginePacket) => void): void;
  off(event: "packet" | "packetCreate", fn: (packet: EnginePacket) => void): void;
};

/**
 * A client card's connection. Listeners are registered once per socket and removed by `dispose()`.
 *
 * @example
 * const a = new SimulatedClient({ name: "A", origin: location.origin, ticket });
 * a.send("chat message", "hello");
 * a.dispose();
 */
export class SimulatedClient {
  readonly name: string;
  namespace = $state("/");
  auth = $state("");
  status = $state<ClientStatus>("connecting");
  socketId = $state<string | undefined>();
  lastError = $state<string | undefined>();
  /** Everything this client sent and received, across reconnects. */
  readonly log = new ClientLog();
  /** Every socket this client has had, oldest first (a reconnect or a namespace change gets a new one). */
  sockets = $state.raw<Array<{ socketId: string; nsp: string }>>([]);
  /** How this client answers the server's acknowledgement callbacks (the acknowledgements lesson's controls). */
  ackMode = $state<AckMode>("now");
  /** For `late`: how long it waits before answering, in ms. */
  ackDelayMs = $state(3000);
  /** Late answers not sent yet; a closed connection drops them. */
  #answers = new Set<ReturnType<typeof setTimeout>>();
  /**
   * What each event received on a socket asked of this client, in order, by `socketId|key`: `undefined` for a plain
   * event, `silent` / `answered` for one that came with an acknowledgement callback (the Deliveries table shows it).
   */
  #asked = new Map<string, Array<AckState | undefined>>();
  /** Some received event asked for an acknowledgement. */
  #asksSeen = false;
  #askedCount = 0;
  #askedVersion = $state(0);
  /** The card's network is down (Go offline): nothing gets through until Go online. */
  offline = $state(false);
  /** Milliseconds each packet takes, each way. */
  latencyMs = $state(0);
  /** Send uses `socket.volatile.emit`. */
  volatile = $state(false);
  /** Emits waiting in the client's send buffer for a connection. */
  buffered = $state(0);
  /** Volatile emits dropped because the connection could not take them. */
  droppedVolatile = $state(0);
  /** The delivery lesson's client options (undefined elsewhere); changing them opens a new connection (`io()` reads them once). */
  delivery = $state<DeliveryOptions | undefined>();
  /** The last offset this client received with a `chat message` (the delivery lesson's `io.emit(…, msg, id)`). */
  serverOffset = $state(0);
  /** Counts this client's messages, for `clientOffset` (`${socket.id}-${counter}` as in the tutorial). */
  #counter = 0;
  /** One more at each change of the delivery options: only the last one reconnects. */
  #deliveryChanges = 0;
  #disposed = false;
  #onFrame: SimulatedClientOptions["onFrame"];
  #onNote: SimulatedClientOptions["onNote"];
  #link: NetworkLink | undefined;
  #origin: string;
  #ticket: SandboxTicket;
  #socket: Socket | undefined;
  #release: Array<() => void> = [];
  /** The client call a card action just made, logged with the entry it causes (e.g. the `sent` one). */
  #call: { kind: LogKind; text: string } | undefined;

  constructor(options: SimulatedClientOptions) {
    this.name = options.name;
    this.#origin = options.origin;
    this.#ticket = options.ticket;
    this.namespace = withSlash(options.namespace ?? "/");
    this.auth = options.auth ?? "";
    this.#onFrame = options.onFrame;
    this.#onNote = options.onNote;
    if (options.delivery) this.delivery = { ...defaultDelivery };
    this.#open();
  }

  /** How often this client received `event` with `args` on `nsp`, for checking the delivery trace. */
  receivedCount(key: string): number {
    return this.log.receivedCount(key);
  }

  /** True if `socketId` was ever this client's (a reconnect gets a new id). */
  ownsSocket(socketId: string): boolean {
    return this.sockets.some((socket) => socket.socketId === socketId);
  }

  /** True while the client is trying to reconnect: what it sends waits in its send buffer. */
  get reconnecting(): boolean {
    return this.status !== "connected" && this.#socket?.active === true;
  }

  /**
   * Emits `event` with `args` from this client (volatile when `volatile` is on); returns the id of its `sent` log
   * entry. While reconnecting the emit waits in the send buffer, and its `sent` entry comes when it goes out.
   */
  send(event: string, ...args: unknown[]): number | undefined {
    const socket = this.#socket;
    if (!socket || (!socket.connected && !socket.active)) return undefined;
    const volatile = this.volatile;
    this.#calls("sent", `socket.${volatile ? "volatile." : ""}emit(${[event, ...args].map(formatArg).join(", ")})`);
    const before = this.log.lastEventId;
    if (volatile) socket.volatile.emit(event, ...args);
    else socket.emit(event, ...args);
    this.buffered = socket.sendBuffer.length;
    const sent = this.log.lastEventId;
    if (sent === before) {
      // not sent now: buffered until the reconnection, or (volatile) dropped
      this.#takeCall("sent");
      if (volatile) {
        this.droppedVolatile++;
        this.#onNote?.(this, `dropped a volatile emit: ${event}`);
      } else {
        this.#onNote?.(this, `buffered an emit until reconnected: ${event}`);
      }
      return undefined;
    }
    return sent; // the `sent` entry: outgoing listeners run inside emit, before its frame is made
  }

  /** Cuts the network under this client (no goodbye reaches the server), or brings it back. */
  setOffline(offline: boolean): void {
    if (offline === this.offline) return;
    this.offline = offline;
    this.#onNote?.(this, offline ? "network down (Go offline)" : "network back (Go online)");
    if (offline) this.#link?.goOffline();
    else this.#link?.goOnline();
  }

  /**
   * The delivery lesson's Send, as the tutorial's client: `socket.emit(event, message, clientOffset, callback)` with a
   * `clientOffset` unique to this message, so that a retry of it can be told from a new one. The callback logs the
   * server's acknowledgement, or the error once every try went unanswered within `ackTimeout`.
   */
  sendWithOffset(event: string, message: string): number | undefined {
    const socket = this.#socket;
    if (!socket || (!socket.connected && !socket.active)) return undefined;
    const nsp = this.namespace;
    const clientOffset = `${socket.id ?? this.name}-${this.#counter++}`;
    const { retries, ackTimeout } = this.delivery ?? defaultDelivery;
    this.#calls("sent", `socket.emit(${[event, message, clientOffset].map(formatArg).join(", ")}, (err, response) => …)`);
    const before = this.log.lastEventId;
    socket.emit(event, message, clientOffset, (err: Error | null, response?: unknown) => {
      if (socket !== this.#socket) return;
      if (err) {
        const tries = retries === 0 ? "no retries" : `${retries} ${retries === 1 ? "retry" : "retries"}`;
        this.log.add("error", "ack", [`${err.message} (no answer to "${event}" within ${ackTimeout} ms, ${tries})`], nsp);
      } else this.log.add("received", "ack", response === undefined ? [] : [response], nsp);
    });
    this.buffered = socket.sendBuffer.length;
    const sent = this.log.lastEventId;
    return sent === before ? undefined : sent;
  }

  /**
   * Changes the client options and connects again with them, as a page would call `io()` again; no-op if unchanged.
   * The old session ends first (see `close`): changes in a row leave one connection, made with the last options.
   */
  async setDelivery(patch: Partial<DeliveryOptions>): Promise<void> {
    const now = this.delivery;
    if (!now) return;
    const next = { ...now, ...patch };
    if (next.retries === now.retries && next.ackTimeout === now.ackTimeout && next.sendServerOffset === now.sendServerOffset) return;
    this.delivery = next;
    const change = ++this.#deliveryChanges;
    if (this.#socket) await this.close();
    if (change !== this.#deliveryChanges || this.#disposed) return;
    this.#calls("connected", `io(${formatArg(this.#origin + this.namespace)}, ${this.#optionsText()})`);
    this.#open();
  }

  /** Sets the time each packet takes, each way. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
    if (this.#link) this.#link.latencyMs = ms;
  }

  /**
   * Emits `event` with `args` and a callback, as `socket.timeout(ms).emit(event, ...args, (err, response) => …)`;
   * logs the answer as `received ack …`, or `error ack operation has timed out` when none came within `timeoutMs`.
   */
  sendWithAck(event: string, timeoutMs: number, ...args: unknown[]): number | undefined {
    const socket = this.#socket;
    if (!socket?.connected) return undefined;
    const nsp = this.namespace;
    this.#calls("sent", `socket.timeout(${timeoutMs}).emit(${[event, ...args].map(formatArg).join(", ")}, (err, response) => …)`);
    socket.timeout(timeoutMs).emit(event, ...args, (err: Error | null, response?: unknown) => {
      if (socket !== this.#socket) return;
      if (err) this.log.add("error", "ack", [`${err.message} (no answer to "${event}" within ${timeoutMs} ms)`], nsp);
      else this.log.add("received", "ack", response === undefined ? [] : [response], nsp);
    });
    return this.log.lastEventId;
  }

  /**
   * Whether the `ordinal`-th event (1-based) with delivery key `key` that socket `socketId` received came with an
   * acknowledgement callback, and if so whether this client answered it.
   */
  /** Whether the server has asked this client for any acknowledgement yet (until then no row needs `ackState`). */
  get askedAcks(): boolean {
    void this.#askedVersion;
    return this.#asksSeen;
  }

  ackState(socketId: string, key: string, ordinal: number): AckState | undefined {
    void this.#askedVersion;
    return this.#asked.get(`${socketId}|${key}`)?.[ordinal - 1];
  }

  /** Sets how this client answers the server's acknowledgement callbacks from now on. */
  answerAcks(mode: AckMode, delayMs = this.ackDelayMs): void {
    this.ackMode = mode;
    this.ackDelayMs = Math.min(Math.max(Math.round(delayMs) || 0, 0), 60_000);
  }

  /** Resolves true once connected (at once if it is), false if that takes longer than `timeoutMs`. */
  whenConnected(timeoutMs = 5000): Promise<boolean> {
    const socket = this.#socket;
    if (!socket) return Promise.resolve(false);
    if (socket.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (connected: boolean) => {
        clearTimeout(timer);
        socket.off("connect", onConnect);
        resolve(connected);
      };
      const onConnect = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      socket.on("connect", onConnect);
    });
  }

  /** Asks the server to join or leave `room`; resolves to an error sentence, or undefined on success. */
  requestRoom(action: "join" | "leave", room: string): Promise<string | undefined> {
    const socket = this.#socket;
    if (!socket?.connected) return Promise.resolve("This client is not connected: press Connect first.");
    this.#calls("sent", `socket.timeout(4000).emit(${formatArg(action)}, ${formatArg(room)}, (err, reply) => …)`);
    return new Promise((resolve) => {
      socket.timeout(4000).emit(action, room, (err: Error | null, result?: { ok: boolean; error?: string }) => {
        if (err) resolve(`No reply from the server to "${action}"; the rooms list above shows what it did.`);
        else if (result && result.ok === false) resolve(result.error ?? `The server refused to ${action} ${room}.`);
        else resolve(undefined);
      });
    });
  }

  connect(): void {
    this.#calls("connected", "socket.connect()");
    this.#socket?.connect();
  }

  disconnect(): void {
    this.#calls("disconnected", "socket.disconnect()");
    this.#socket?.disconnect();
  }

  /** Closes the connection and opens a new one on another namespace or with another auth token. */
  reopen(namespace: string, auth: string): void {
    this.#close();
    this.namespace = withSlash(namespace);
    this.auth = auth;
    const options = auth ? `, { auth: { token: ${formatArg(auth)} } }` : "";
    this.#calls("connected", `io(${formatArg(this.#origin + this.namespace)}${options})`);
    this.#open();
  }

  /**
   * Closes the connection and resolves once its Engine.IO session has ended (socket.io-client lets a WebSocket
   * upgrade under way finish first), or after `withinMs`. The page calls it before it restarts the server under
   * the card: a server that cuts a connection in the middle of its upgrade makes the browser log an error.
   */
  close(withinMs = 2000): Promise<void> {
    const engine = this.#socket?.io.engine as unknown as { readyState: string; once(event: "close", fn: () => void): void } | undefined;
    const ended =
      engine && engine.readyState !== "closed"
        ? new Promise<void>((resolve) => {
            engine.once("close", resolve);
            setTimeout(resolve, withinMs);
          })
        : Promise.resolve();
    this.#close();
    return ended;
  }

  /** Closes the connection and removes every listener. */
  dispose(): void {
    this.#disposed = true;
    this.#close();
    this.log.dispose();
  }

  #open(): void {
    const query: SimulatedClientQuery = { client: this.name, key: this.#ticket.clientKey };
    const nsp = this.namespace;
    const delivery = this.delivery;
    const auth = { ...(this.auth ? { token: this.auth } : {}), ...(delivery?.sendServerOffset ? { serverOffset: this.serverOffset } : {}) };
    const socket = io(this.#origin + nsp, {
      path: this.#ticket.path,
      forceNew: true,
      query: { ...query },
      ...(Object.keys(auth).length ? { auth } : {}),
      ...(delivery ? { ackTimeout: delivery.ackTimeout, ...(delivery.retries > 0 ? { retries: delivery.retries } : {}) } : {}),
    });
    this.#socket = socket;
    this.status = "connecting";
    const link = (this.#link = new NetworkLink(socket.io));
    link.latencyMs = this.latencyMs;
    if (this.offline) link.goOffline();

    const onConnect = () => {
      this.buffered = 0;
      this.status = "connected";
      this.socketId = socket.id;
      // A recovered socket (connection state recovery) is the same socket again: one entry per id.
      if (socket.id && !this.ownsSocket(socket.id)) this.sockets = [...this.sockets, { socketId: socket.id, nsp }];
      this.lastError = undefined;
      this.log.add("connected", `as ${socket.id}${socket.recovered ? " (recovered: same id, rooms and missed emits)" : ""}`, [], nsp, this.#takeCall("connected"));
    };
    const onDisconnect = (reason: string) => {
      this.status = "disconnected";
      this.socketId = undefined;
      this.log.add("disconnected", reason, [], nsp, this.#takeCall("disconnected"));
    };
    const onError = (error: Error) => {
      this.status = socket.active ? "connecting" : "disconnected";
      this.lastError = error.message;
      this.log.add("error", "connect_error", [error.message], nsp);
    };
    const onAny = (event: string, ...args: unknown[]) => {
      this.log.add("received", event, args, nsp);
      // The delivery lesson's emits end with their offset: remember the last one, and send it at the next connection.
      const offset = args.at(-1);
      if (delivery && event === "chat message" && typeof offset === "number" && Number.isSafeInteger(offset)) {
        this.serverOffset = offset;
        if (delivery.sendServerOffset) socket.auth = { ...(socket.auth as Record<string, unknown>), serverOffset: offset };
      }
      const ack = args.at(-1);
      const asked = this.#noteAsked(socket.id, event, args, nsp, typeof ack === "function");
      if (typeof ack === "function") this.#answer(ack as (answer: unknown) => void, nsp, asked);
    };
    const onOutgoing = (event: string, ...args: unknown[]) => this.log.add("sent", event, args, nsp, this.#takeCall("sent"));
    const onAttempt = (attempt: number) => this.#onNote?.(this, `reconnection attempt ${attempt}`);
    const onAttemptFailed = (error: Error) => this.#onNote?.(this, `attempt failed: ${error.message}`);
    const onReconnect = (attempts: number) => this.#onNote?.(this, `reconnected after ${attempts} attempt${attempts === 1 ? "" : "s"}`);
    const onGone = (reason: string) => this.#onNote?.(this, `disconnected: ${reason}`);
    socket.io.on("reconnect_attempt", onAttempt);
    socket.io.on("reconnect_error", onAttemptFailed);
    socket.io.on("reconnect", onReconnect);
    socket.on("disconnect", onGone);
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onError);
    socket.onAny(onAny);
    socket.onAnyOutgoing(onOutgoing);

    // Raw frames come from the engine, and a reconnect creates a new engine: re-attach on every "open".
    const onIncoming = (packet: EnginePacket) => {
      this.log.addFrame("in", packet, nsp);
      this.#onFrame?.(this, "in", packet, nsp);
    };
    const onOutgoingFrame = (packet: EnginePacket) => {
      this.log.addFrame("out", packet, nsp);
      this.#onFrame?.(this, "out", packet, nsp);
    };
    let engine: Engine | undefined;
    const attach = () => {
      const next = socket.io.engine as unknown as Engine | undefined;
      if (!next || next === engine) return;
      engine?.off("packet", onIncoming);
      engine?.off("packetCreate", onOutgoingFrame);
      engine = next;
      engine.on("packet", onIncoming);
      engine.on("packetCreate", onOutgoingFrame);
    };
    attach();
    socket.io.on("open", attach);

    this.#release = [
      () => socket.off("connect", onConnect),
      () => socket.off("disconnect", onDisconnect),
      () => socket.off("connect_error", onError),
      () => socket.offAny(onAny),
      () => socket.offAnyOutgoing(onOutgoing),
      () => socket.io.off("open", attach),
      () => socket.io.off("reconnect_attempt", onAttempt),
      () => socket.io.off("reconnect_error", onAttemptFailed),
      () => socket.io.off("reconnect", onReconnect),
      () => socket.off("disconnect", onGone),
      () => link.dispose(),
      () => {
        engine?.off("packet", onIncoming);
        engine?.off("packetCreate", onOutgoingFrame);
      },
    ];
  }

  /** Notes one received event for the Deliveries table; returns a function marking it answered (if it asked). */
  #noteAsked(socketId: string | undefined, event: string, args: unknown[], nsp: string, asks: boolean): () => void {
    if (socketId === undefined || this.#askedCount >= askedCapacity) return () => undefined;
    const key = `${socketId}|${deliveryKey(nsp, event, asks ? args.slice(0, -1) : args)}`;
    const list = this.#asked.get(key) ?? [];
    this.#asked.set(key, list);
    const index = list.push(asks ? "silent" : undefined) - 1;
    this.#askedCount++;
    if (asks) {
      this.#asksSeen = true;
      this.#askedVersion++;
    }
    return () => {
      list[index] = "answered";
      this.#askedVersion++;
    };
  }

  /** Answers the server's acknowledgement callback as the card's controls say: at once, after a delay, or never. */
  #answer(callback: (answer: unknown) => void, nsp: string, answered: () => void): void {
    if (this.ackMode === "never") return;
    const answer = `yes from ${this.name}`;
    const socket = this.#socket;
    const send = () => {
      if (socket !== this.#socket || !socket?.connected) return;
      callback(answer);
      answered();
      this.log.add("sent", "ack", [answer], nsp, `callback(${formatArg(answer)})`);
    };
    if (this.ackMode === "now") return send();
    const timer = setTimeout(() => {
      this.#answers.delete(timer);
      send();
    }, this.ackDelayMs);
    this.#answers.add(timer);
  }

  /** The options `io()` gets, as code: what the delivery controls changed. */
  #optionsText(): string {
    const { retries, ackTimeout, sendServerOffset } = this.delivery ?? defaultDelivery;
    const auth = sendServerOffset ? `, auth: { serverOffset: ${this.serverOffset} }` : "";
    return `{ ackTimeout: ${ackTimeout}${retries > 0 ? `, retries: ${retries}` : ""}${auth} }`;
  }

  /** Remembers the call a card action makes, for the log entry of `kind` it causes next. */
  #calls(kind: LogKind, text: string): void {
    this.#call = { kind, text };
  }

  #takeCall(kind: LogKind): string | undefined {
    const call = this.#call?.kind === kind ? this.#call.text : undefined;
    if (call) this.#call = undefined;
    return call;
  }

  #close(): void {
    const socket = this.#socket;
    if (!socket) return;
    // The server may be closing this connection already (a restart): a goodbye written on a WebSocket that is
    // closing is an error in the browser's console, so close the engine quietly first.
    const ws = (socket.io.engine as unknown as { transport?: { ws?: { readyState: number } } } | undefined)?.transport?.ws;
    if (ws && ws.readyState >= 2) socket.io.engine.close();
    socket.disconnect();
    for (const timer of this.#answers) clearTimeout(timer);
    this.#answers.clear();
    for (const release of this.#release) release();
    this.#release = [];
    this.#socket = undefined;
    this.status = "disconnected";
    this.socketId = undefined;
  }
}

/** How many received events a client remembers for the Deliveries table's acknowledgement marks. */
const askedCapacity = 20_000;

/** "admin" → "/admin"; namespaces always start with a slash. */
function withSlash(namespace: string): string {
  return namespace.startsWith("/") ? namespace : `/${namespace}`;
}
