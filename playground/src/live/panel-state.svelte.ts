/** The live panel's logic for one lesson: its clients, what each card holds, the step's set-up, the trace and the timeline. */
import { untrack } from "svelte";
import type { SandboxTicket, SocketInfo } from "../../../contract/protocol.ts";
import type { CompiledLesson, StepSetup } from "../../../contract/lesson-types.ts";
import type { LiveSession } from "./session.svelte.ts";
import { ClientRoster } from "./client-roster.svelte.ts";
import { defaultDelivery, type SimulatedClient } from "./simulated-client.svelte.ts";
import { CardInputs, type CardDefaults } from "./card-inputs.svelte.ts";
import { TraceView, type CardSockets } from "./trace-view.svelte.ts";
import { Timeline } from "./timeline.svelte.ts";
import { roomPlan } from "./room-plan.ts";
import { externalEntries } from "./external-log.ts";
import type { LogEntry } from "./log-entry.ts";

/** A client that joined from outside the page, as its card shows it (it stays after leaving, until dismissed). */
export interface ExternalClient {
  name: string;
  /** Its sockets (several for a multiplexed client), oldest first. */
  sockets: Array<{ socketId: string; nsp: string }>;
  /** Its sockets connected now, with their rooms. */
  live: SocketInfo[];
  inputs: CardInputs;
}

/** A card flashes at most this often during a flood. */
const flashMs = 700;
/** How long a step's set-up waits for a card to (re)connect before it gives up on its rooms. */
const reconnectWaitMs = 15_000;

/**
 * Everything the panel does, for one lesson; components only render it. Create it when the panel mounts
 * and `dispose()` it when it goes.
 *
 * @example
 * const panel = new PanelState(getSession(), lesson);
 * await panel.applyStep(ticket, lesson.steps[0].setup);
 * panel.trace.rows; // who got what, this run only
 */
export class PanelState {
  readonly lesson: CompiledLesson;
  readonly timeline = new Timeline();
  readonly roster: ClientRoster;
  readonly trace: TraceView;
  /** Changes each time a server emit reaches a card, to replay its flash. */
  flashes = $state<Record<string, number>>({});
  #session: LiveSession;
  #inputs = new WeakMap<SimulatedClient, CardInputs>();
  #externals = $state<Array<Omit<ExternalClient, "live">>>([]);
  #flashedAt: Record<string, number> = {};
  #applying = 0;
  #serverOffset = Infinity;
  #release: Array<() => void> = [];

  constructor(session: LiveSession, lesson: CompiledLesson) {
    this.#session = session;
    this.lesson = lesson;
    this.roster = new ClientRoster(
      (client, direction, packet, nsp) => this.timeline.frame(client.name, direction, packet, nsp),
      (client, text) => this.timeline.note(client.name, text),
      { delivery: lesson.panel === "delivery" },
    );
    this.trace = new TraceView(session, () => this.#cardSockets());
    this.#release.push(
      session.onDelivery((delivery) => {
        this.#noteServerTime(delivery.at);
        if (delivery.run !== session.settings.run) return;
        this.timeline.call(delivery);
        this.#flash(delivery.reached.map((recipient) => recipient.client));
      }),
      session.onFeed((entry) => {
        this.#noteServerTime(entry.at);
        this.timeline.feed(entry);
      }),
      // Outside clients stay on screen after they leave, with their log, until dismissed.
      $effect.root(() => {
        $effect(() => {
          const sockets = session.sockets;
          untrack(() => this.#noteExternals(sockets));
        });
      }),
    );
  }

  /** The lesson's program handles `join`: cards offer a Room box with Join. */
  get useRooms(): boolean {
    return this.lesson.events.includes("join");
  }

  /** The program handles `leave`: cards offer Leave. */
  get canLeave(): boolean {
    return this.lesson.events.includes("leave");
  }

  /** The program takes a room after a chat message (`socket.to(room)`): cards offer "Send to this room". */
  get sendToRoom(): boolean {
    return this.lesson.panel === "rooms";
  }

  get useNamespaces(): boolean {
    return this.lesson.namespaces.length > 1;
  }

  /** The lesson has a broadcast switch (a default for it, or a step that sets it). */
  get showBroadcast(): boolean {
    return this.lesson.broadcast !== undefined || this.lesson.steps.some((step) => step.setup.broadcast !== undefined);
  }

  /** Some step of the lesson turns connection state recovery on or off: the panel shows its switch. */
  get showRecovery(): boolean {
    return this.lesson.steps.some((step) => step.setup.recovery !== undefined);
  }

  /** Some step of the delivery lesson makes client_offset UNIQUE or not: the panel shows its switch. */
  get showUnique(): boolean {
    return this.lesson.steps.some((step) => step.setup.unique !== undefined);
  }

  /** Outside clients, in order of arrival. */
  readonly externals: ExternalClient[] = $derived(
    this.#externals.map((external) => ({
      ...external,
      live: this.#session.sockets.filter((socket) => !socket.simulated && socket.client === external.name),
    })),
  );

  /** The card names, in card order (console completion, timeline lanes). */
  get clientNames(): string[] {
    return [...this.roster.clients.map((client) => client.name), ...this.#externals.map((external) => external.name)];
  }

  inputsOf(client: SimulatedClient): CardInputs {
    let inputs = this.#inputs.get(client);
    if (!inputs) {
      inputs = new CardInputs(this.#defaults(client.namespace, client.auth));
      this.#inputs.set(client, inputs);
    }
    return inputs;
  }

  /** The rooms the server says a socket is in (rooms are server-only). */
  roomsOf(socketId: string | undefined): string[] {
    return this.#session.sockets.find((socket) => socket.socketId === socketId)?.rooms ?? [];
  }

  /** An external card's log, from the server's feed and trace. */
  externalLog(external: ExternalClient): LogEntry[] {
    const ids = external.sockets.map((socket) => socket.socketId);
    return externalEntries(this.#session.feed, this.#session.deliveries, ids, (at) => at + (Number.isFinite(this.#serverOffset) ? this.#serverOffset : 0));
  }

  /**
   * Sets the panel up for a step: the program and broadcast switch (the step's, else the lesson's), the cards
   * the step lists, each card's fields back to their defaults, and the rooms — asking the program only for
   * what it handles. `restarted`: learner code has just restarted the server, whose settings stand; the cards
   * start afresh. A newer call supersedes one still running.
   */
  async applyStep(ticket: SandboxTicket, setup: StepSetup, restarted = false): Promise<void> {
    const run = ++this.#applying;
    // A program switch, recovery or UNIQUE client_offset turned on or off, starts a new server: the cards start afresh.
    const switching =
      this.#session.settings.program !== this.lesson.program ||
      (setup.recovery !== undefined && setup.recovery !== (this.#session.settings.recovery === true)) ||
      // The scaling lesson's Adapter switch restarts both servers too, and the delivery lesson's UNIQUE switch its server.
      (setup.adapter !== undefined && setup.adapter !== (this.#session.settings.adapter === true)) ||
      (setup.unique !== undefined && setup.unique !== (this.#session.settings.unique === true));
    const broadcast = setup.broadcast ?? this.lesson.broadcast;
    // The cards go before the server restarts under them: closed first, each session waited out, so the server never
    // cuts one in the middle of its WebSocket upgrade (its old session id would reach the new server, which answers
    // 400) and no goodbye goes out on a closing WebSocket (a browser error).
    if (switching && !restarted) {
      await this.roster.closeAll();
      this.roster.apply(ticket, [], true);
    }
    if (!restarted) {
      const recovery = setup.recovery === undefined ? {} : { recovery: setup.recovery };
      const switches = { ...(setup.adapter === undefined ? {} : { adapter: setup.adapter }), ...(setup.sticky === undefined ? {} : { sticky: setup.sticky }) };
      const unique = setup.unique === undefined ? {} : { unique: setup.unique };
      await this.#session
        .setSettings({ program: this.lesson.program, ...(broadcast === undefined ? {} : { broadcast }), ...recovery, ...switches, ...unique })
        .catch(() => undefined);
    }
    if (run !== this.#applying) return;
    const clients = this.roster.apply(ticket, setup.clients, switching || restarted);
    for (const client of clients) this.inputsOf(client).reset(this.#defaults(client.namespace, client.auth));
    for (const client of clients) client.answerAcks("now", 3000);
    for (const client of clients) void client.setDelivery(defaultDelivery);
    for (const external of this.#externals) external.inputs.reset(this.#defaults("/", ""));
    if (switching) this.#externals = this.#externals.filter((external) => this.#session.sockets.some((socket) => socket.client === external.name));
    await Promise.all(clients.map((client, index) => this.#settleRooms(client, setup.clients[index]?.rooms ?? [], run)));
  }

  /** Removes the card of an outside client that has left. */
  dismiss(name: string): void {
    this.#externals = this.#externals.filter((external) => external.name !== name);
  }

  dispose(): void {
    for (const release of this.#release) release();
    this.trace.dispose();
    this.timeline.dispose();
    this.roster.dispose();
  }

  async #settleRooms(client: SimulatedClient, wanted: string[], run: number): Promise<void> {
    // After a server restart a client may take a few seconds of socket.io-client's reconnection back-off to return.
    if (!(await client.whenConnected(reconnectWaitMs)) || run !== this.#applying || !client.socketId) return;
    const current = await this.#session.rooms(client.socketId);
    if (!current.ok || run !== this.#applying) return;
    const plan = roomPlan(current.data, wanted, client.socketId, this.lesson.events);
    if (plan.reconnect) {
      client.reopen(client.namespace, client.auth);
      if (!(await client.whenConnected(reconnectWaitMs)) || run !== this.#applying) return;
    }
    for (const request of plan.requests) await client.requestRoom(request.action, request.room);
  }

  #defaults(namespace: string, auth: string): CardDefaults {
    return { event: this.lesson.event, namespace, auth };
  }

  #cardSockets(): CardSockets[] {
    const simulated = this.roster.clients.map((client) => ({
      name: client.name,
      sockets: client.sockets.map((socket) => ({ ...socket, current: socket.socketId === client.socketId })),
      receipts: client,
    }));
    const live = new Set(this.#session.sockets.map((socket) => socket.socketId));
    const outside = this.#externals.map((external) => ({
      name: external.name,
      sockets: external.sockets.map((socket) => ({ ...socket, current: live.has(socket.socketId) })),
    }));
    return [...simulated, ...outside];
  }

  #noteExternals(sockets: SocketInfo[]): void {
    for (const socket of sockets) {
      if (socket.simulated) continue;
      const known = this.#externals.find((external) => external.name === socket.client);
      if (!known) this.#externals.push({ name: socket.client, sockets: [{ socketId: socket.socketId, nsp: socket.nsp }], inputs: new CardInputs(this.#defaults("/", "")) });
      else if (!known.sockets.some((seen) => seen.socketId === socket.socketId)) known.sockets.push({ socketId: socket.socketId, nsp: socket.nsp });
    }
  }

  #noteServerTime(at: number): void {
    this.#serverOffset = Math.min(this.#serverOffset, Date.now() - at);
  }

  // During a flood a card flashes a few times a second, not once per emit.
  #flash(names: string[]): void {
    const now = performance.now();
    for (const name of names) {
      if (now - (this.#flashedAt[name] ?? 0) < flashMs) continue;
      this.#flashedAt[name] = now;
      this.flashes[name] = (this.flashes[name] ?? 0) + 1;
    }
  }
}
