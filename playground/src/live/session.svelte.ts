/** The learner's sandbox as the page sees it: the ticket, the control channel, and the feed, trace and sockets it streams. */
import { io, type Socket } from "socket.io-client";
import type {
  AckResult,
  AdminUiAccess,
  ConsoleReply,
  ControlClientToServerEvents,
  ControlServerToClientEvents,
  Delivery,
  FeedEntry,
  SandboxSettings,
  SandboxState,
  SandboxTicket,
  SocketInfo,
} from "../../../contract/protocol.ts";
import { controlOptions } from "../../../contract/control-connection.ts";
import { createSandbox, savedTicket } from "./sandbox-ticket.ts";
import { StreamBatcher } from "./stream-batcher.ts";

type ControlSocket = Socket<ControlServerToClientEvents, ControlClientToServerEvents>;
export type SessionStatus = "idle" | "starting" | "connected" | "disconnected" | "error";
/**
 * How the sandbox came back after the control channel was lost: the same server (`reconnected`), the server
 * restarted with this sandbox kept (`restarted`), or the server no longer knew it and a new one was made (`replaced`).
 */
export type Recovery = "reconnected" | "restarted" | "replaced";

const feedCapacity = 2000;
const deliveryCapacity = 2000;
const ackTimeout = 5000;
/** Running learner code compiles it and restarts the sandbox's server: give it longer. */
const codeTimeout = 15_000;

/**
 * The live sandbox session; get the page's one instance with `getSession()`.
 *
 * @example
 * const session = getSession();
 * const stop = session.onDelivery((delivery) => console.log(delivery.call));
 * await session.setSettings({ program: "chat" });
 * stop();
 */
export class LiveSession {
  ticket = $state<SandboxTicket | undefined>();
  status = $state<SessionStatus>("idle");
  error = $state<string | undefined>();
  feed = $state.raw<FeedEntry[]>([]);
  deliveries = $state.raw<Delivery[]>([]);
  sockets = $state.raw<SocketInfo[]>([]);
  settings = $state<SandboxState>({ program: "chat", broadcast: false, run: 0, edited: false });
  lastLine = $state<number | undefined>();
  /** The last time the sandbox came back by itself, if it did; the page re-applies the step and says so. */
  recovery = $state<Recovery | undefined>();
  /** One more at every recovery: an effect that reads it runs again (re-applies the step). */
  recoveries = $state(0);
  #control: ControlSocket | undefined;
  #ready: Promise<ControlSocket> | undefined;
  #deliveryListeners = new Set<(delivery: Delivery) => void>();
  #feedListeners = new Set<(entry: FeedEntry) => void>();

  /** The page origin the sandbox is served on. */
  get origin(): string {
    return location.origin;
  }

  /** Opens (or reuses) the sandbox and its control channel; safe to call many times. */
  start(): Promise<ControlSocket> {
    this.#ready ??= this.#connect().catch((error: unknown) => {
      this.status = "error";
      this.error = error instanceof Error ? error.message : String(error);
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Changes the sandbox's program or broadcast flag; resolves to the settings the server now runs. */
  async setSettings(patch: Partial<SandboxSettings>): Promise<SandboxState> {
    const control = await this.start();
    const result = await this.#ask<SandboxState>((ack) => control.timeout(ackTimeout).emit("settings", patch, ack));
    if (!result.ok) throw new Error(result.error);
    this.settings = result.data;
    return result.data;
  }

  /** Runs learner code (the text of the program's editable region), or the built-in program again with `null`. */
  async runCode(code: string | null): Promise<AckResult<SandboxState>> {
    const control = await this.start();
    const result = await this.#ask<SandboxState>((ack) => control.timeout(codeTimeout).emit("code", { code }, ack));
    if (result.ok) this.settings = result.data;
    return result;
  }

  /** Runs one console line on the sandbox's server. */
  async command(line: string): Promise<AckResult<ConsoleReply>> {
    const control = await this.start();
    return this.#ask<ConsoleReply>((ack) => control.timeout(ackTimeout).emit("command", line, ack));
  }

  /** The rooms the server has `socketId` in (rooms are server-only). */
  async rooms(socketId: string): Promise<AckResult<string[]>> {
    const control = await this.start();
    return this.#ask<string[]>((ack) => control.timeout(ackTimeout).emit("rooms", socketId, ack));
  }

  /** Opens the Admin UI's namespace on the sandbox; answers with the credentials only this owner page gets. */
  async adminUi(): Promise<AckResult<AdminUiAccess>> {
    const control = await this.start();
    return this.#ask<AdminUiAccess>((ack) => control.timeout(ackTimeout).emit("adminUi", ack));
  }

  /** Calls `fn` for every emit the server makes from now on; returns the unsubscribe function. */
  onDelivery(fn: (delivery: Delivery) => void): () => void {
    this.#deliveryListeners.add(fn);
    return () => this.#deliveryListeners.delete(fn);
  }

  /** Calls `fn` for every console feed line from now on; returns the unsubscribe function. */
  onFeed(fn: (entry: FeedEntry) => void): () => void {
    this.#feedListeners.add(fn);
    return () => this.#feedListeners.delete(fn);
  }

  /** Forgets the delivery trace shown on the page (the server keeps running). */
  clearDeliveries(): void {
    this.deliveries = [];
  }

  /** Hides the recovery notice (the learner moved on). */
  dismissRecovery(): void {
    this.recovery = undefined;
  }

  async #connect(): Promise<ControlSocket> {
    this.status = "starting";
    // Reuse this tab's sandbox if the server still knows it (a reload), else create one.
    const saved = savedTicket.read();
    if (saved) {
      const control = await this.#openControl(saved).catch(() => undefined);
      if (control) return control;
      savedTicket.forget();
    }
    const ticket = await createSandbox();
    savedTicket.write(ticket);
    return this.#openControl(ticket);
  }

  #openControl(ticket: SandboxTicket): Promise<ControlSocket> {
    return new Promise((resolve, reject) => {
      // The id also goes in the query, where a load balancer can route on it; the token stays in auth.
      const control: ControlSocket = io(this.origin, { ...controlOptions(ticket), forceNew: true });
      const failed = (error: Error) => {
        // An unreachable server (restarting, say) is retried by socket.io-client; only a refusal is final.
        if (control.active) return void (this.status = "disconnected");
        control.disconnect();
        reject(new Error(`The sandbox refused the control channel: ${error.message}`));
      };
      control.on("connect_error", failed);
      control.once("connect", () => {
        // From here on a lost connection is retried, not treated as a refusal.
        control.off("connect_error", failed);
        this.#wire(control, ticket);
        resolve(control);
      });
    });
  }

  #wire(control: ControlSocket, ticket: SandboxTicket): void {
    this.#control = control;
    this.ticket = ticket;
    this.status = "connected";
    this.error = undefined;
    let lost = false;
    control.on("connect", () => {
      this.status = "connected";
      this.error = undefined;
    });
    control.on("disconnect", () => {
      this.status = "disconnected";
      lost = true;
    });
    control.on("connect_error", () => {
      // While the server is away socket.io-client keeps trying; a refusal means it no longer knows this sandbox.
      if (control.active) this.status = "disconnected";
      else void this.#replace(control);
    });
    let batcher = new StreamBatcher((feed, trace) => this.#take(feed, trace));
    control.on("stream", (feed, trace) => {
      batcher.feed(feed);
      batcher.trace(trace);
    });
    control.on("sockets", (sockets) => {
      this.sockets = sockets;
    });
    control.on("settings", (settings) => {
      // `settings` comes first after every connect. A new run means a new server: its feed and trace count from
      // the start again, and nothing shown from before belongs to today's sockets.
      const restarted = settings.run !== this.settings.run;
      this.settings = settings;
      if (!lost) return;
      lost = false;
      if (restarted) {
        batcher = new StreamBatcher((feed, trace) => this.#take(feed, trace));
        this.#forgetStream();
      }
      this.#recovered(restarted ? "restarted" : "reconnected");
    });
  }

  /** The server came back without this sandbox (expired, or its data removed): start a new one in its place. */
  async #replace(old: ControlSocket): Promise<void> {
    old.removeAllListeners();
    old.disconnect();
    savedTicket.forget();
    this.status = "starting";
    try {
      const ticket = await createSandbox();
      savedTicket.write(ticket);
      this.#forgetStream();
      this.#ready = this.#openControl(ticket);
      await this.#ready;
      this.#recovered("replaced");
    } catch (error) {
      this.#ready = undefined;
      this.status = "error";
      this.error = `Lost the sandbox and could not start a new one (${error instanceof Error ? error.message : String(error)}); reload the page.`;
    }
  }

  #recovered(how: Recovery): void {
    this.recovery = how;
    this.recoveries++;
  }

  #forgetStream(): void {
    this.feed = [];
    this.deliveries = [];
  }

  #take(feed: FeedEntry[], trace: Delivery[]): void {
    this.lastLine = latestLine([...feed, ...trace]) ?? this.lastLine;
    if (feed.length) {
      this.feed = appendCapped(this.feed, feed, feedCapacity);
      for (const entry of feed) for (const fn of this.#feedListeners) fn(entry);
    }
    if (trace.length) {
      this.deliveries = appendCapped(this.deliveries, trace, deliveryCapacity);
      for (const delivery of trace) for (const fn of this.#deliveryListeners) fn(delivery);
    }
  }

  #ask<T>(send: (ack: (err: Error | null, result: AckResult<T>) => void) => void): Promise<AckResult<T>> {
    return new Promise((resolve) => {
      if (!this.#control?.connected) {
        resolve({ ok: false, error: "The sandbox is not connected; wait a moment or reload the page." });
        return;
      }
      send((err, result) => {
        if (err) resolve({ ok: false, error: "The sandbox did not answer in time; try again." });
        else resolve(result);
      });
    });
  }
}

function appendCapped<T>(list: T[], items: T[], capacity: number): T[] {
  const next = list.concat(items);
  return next.length > capacity ? next.slice(next.length - capacity) : next;
}

/** The program line of the newest item that has one (feed and trace share one seq counter). */
function latestLine(items: Array<{ seq: number; line?: number }>): number | undefined {
  let newest: { seq: number; line?: number } | undefined;
  for (const item of items) if (item.line !== undefined && (!newest || item.seq > newest.seq)) newest = item;
  return newest?.line;
}

/**
 * The one line that tells the learner what happened after the sandbox came back.
 *
 * @example
 * recoveryNotice("restarted", true); // "The server restarted; your sandbox and clients are back."
 */
export function recoveryNotice(how: Recovery, clientsBack: boolean): string {
  const clients = clientsBack ? "" : " Reconnecting your clients…";
  if (how === "replaced") {
    return `The server restarted without your sandbox (it expired or its data was removed): a new one runs this step now; copy the snippet again for outside clients.${clients}`;
  }
  const what = how === "restarted" ? "The server restarted" : "The connection to the server dropped";
  return clientsBack ? `${what}; your sandbox and clients are back.` : `${what}; your sandbox is back.${clients}`;
}

let session: LiveSession | undefined;

/**
 * The page's one live session, started on first use.
 *
 * @example
 * const session = getSession();
 * $derived(session.sockets.length);
 */
export function getSession(): LiveSession {
  if (!session) {
    session = new LiveSession();
    void session.start().catch(() => {});
  }
  return session;
}
