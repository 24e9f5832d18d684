/** The delivery trace as the panel shows it: this program run only, one column per socket id, cells that know when a socket existed. */
import type { Delivery, FeedEntry } from "../../../contract/protocol.ts";
import { untrack } from "svelte";
import type { LiveSession } from "./session.svelte.ts";
import { nextFrame } from "./frame-batch.ts";
import { rowsPerFrame } from "./frame-turns.ts";
import { ackStates, cellStates, type AckState, type CellState, type ReceiptSource } from "./delivery-match.ts";
import { SocketLifetimes } from "./socket-lifetimes.ts";

/** Rows on screen; older emits stay in the trace. */
export const rowLimit = 40;
/** Rows the table may gain per frame: one that fills at once (a flood's first frame) lays out a screenful of cells in one go. */
const rowsGainedPerFrame = 2;
/** How long the trace must be quiet before a page client's own log is compared with it. */
const quietMs = 1500;

/** The sockets one card has had in this run, oldest first. */
export interface CardSockets {
  /** "A", "External 1". */
  name: string;
  sockets: ReadonlyArray<{ socketId: string; nsp: string; current: boolean }>;
  /** The page client's own log, for simulated clients. */
  receipts?: ReceiptSource;
}

/** One column of the Deliveries table: exactly one socket. */
export interface Column {
  socketId: string;
  client: string;
  /** Header text: "A", or "External 1 /admin" for a second socket of a multiplexed client. */
  label: string;
  /** A socket the card had before its current one. */
  earlier: boolean;
  receipts?: ReceiptSource;
  /** Scaling lesson: the server (1-based) the socket is, or was, connected to. */
  node?: number;
}

/**
 * Filters and shapes the session's trace for one panel; call `dispose()` when the panel goes.
 *
 * @example
 * const view = new TraceView(session, () => cardsOnScreen);
 * view.rows; // newest first, this run only
 * view.cell(view.rows[0], view.columns[0]); // "reached"
 */
export class TraceView {
  // Assigned in the constructor; the derived fields below read them lazily, after it ran.
  #session!: LiveSession;
  #cards!: () => CardSockets[];
  #lifetimes = new SocketLifetimes();
  #version = $state(0);
  #clearedSeq = $state(0);
  #quiet = $state(true);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastDelivery = 0;
  #release: Array<() => void>;
  /** Bumped when the table takes the session's newest deliveries: under a flood it takes its turn with the logs. */
  #shown = $state(0);
  #added = 0;
  #withdraw: (() => void) | undefined;
  /** How many rows `rows` may hold after this frame's commit. */
  #rowCap = rowsGainedPerFrame;
  /**
   * The newest delivery the table has taken (its commit): one that arrives later waits for the table's next turn, even
   * when something else makes the rows be worked out again (the session's first delivery of a run does).
   */
  #takenSeq = 0;
  readonly #commit = () => {
    this.#withdraw = undefined;
    this.#takenSeq = untrack(() => this.#session.deliveries.at(-1)?.seq ?? 0);
    this.#added = 0;
    this.#rowCap = Math.min(rowLimit, untrack(() => this.rows.length) + rowsGainedPerFrame);
    this.#shown++;
    // Still filling up: the rest of the rows come in the next frames.
    if (this.#rowCap < rowLimit && untrack(() => this.#session.deliveries.length) > this.#rowCap) this.#withdraw = nextFrame(this.#commit, this.#weight);
  };
  /** A table row has a cell per column: it weighs about as much as two log rows. */
  readonly #weight = () => 2 * Math.min(Math.max(this.#added, 1), rowsGainedPerFrame * 4);
  /** Bumped when "Last emit" and the cards' badges take the newest delivery: a turn of their own, apart from the table's. */
  #lastShown = $state(0);
  #lastSeen = false;
  /** Like `#takenSeq`, for "Last emit" and the badges. */
  #lastTakenSeq = 0;
  #withdrawLast: (() => void) | undefined;
  readonly #commitLast = () => {
    this.#withdrawLast = undefined;
    this.#lastTakenSeq = untrack(() => this.#session.deliveries.at(-1)?.seq ?? 0);
    this.#lastSeen = true;
    this.#lastShown++;
  };
  /**
   * The strip's chips and every card's badge appear with a run's first emit (new elements in every card, the whole
   * cards grid laid out again): that frame they are all the rows there is room for. Later emits change their text.
   */
  readonly #lastWeight = () => (this.#lastSeen ? 2 : rowsPerFrame);
  /** The session forgot its stream (a new sandbox): the table empties at once. */
  readonly #emptied = $derived(this.#session.deliveries.length === 0);

  constructor(session: LiveSession, cards: () => CardSockets[]) {
    this.#session = session;
    this.#cards = cards;
    for (const entry of session.feed) this.#lifetimes.add(entry);
    // A panel opened on a run that has emits already: its rows come in over the first frames.
    if (session.deliveries.length) {
      this.#withdraw = nextFrame(this.#commit, this.#weight);
      this.#withdrawLast = nextFrame(this.#commitLast, this.#lastWeight);
    }
    this.#release = [session.onFeed((entry) => this.#noteFeed(entry)), session.onDelivery(() => this.#noteDelivery())];
  }

  /** Every delivery of the current program run since the last clear, oldest first. */
  readonly deliveries = $derived.by(() => {
    const run = this.#session.settings.run;
    const cleared = this.#clearedSeq;
    void this.#shown;
    if (this.#emptied) return [];
    const taken = this.#takenSeq;
    return untrack(() => this.#session.deliveries).filter((delivery) => delivery.run === run && delivery.seq > cleared && delivery.seq <= taken);
  });

  /** Columns: every socket of every card; earlier sockets only while a row on screen concerns them. */
  readonly #candidates = $derived(
    this.#cards().flatMap((card) =>
      card.sockets.map((socket, index): Column => {
        // A card's sockets on one namespace follow each other (reconnects); a multiplexed client has several at once.
        const primary = card.sockets.find((other) => other.current)?.nsp ?? card.sockets.at(-1)?.nsp;
        const later = card.sockets.slice(index + 1);
        const earlier = !socket.current && later.some((other) => other.current || other.nsp === socket.nsp);
        const label = socket.nsp !== primary && !earlier ? `${card.name} ${socket.nsp}` : card.name;
        return { socketId: socket.socketId, client: card.name, label, earlier, receipts: card.receipts };
      }),
    ),
  );

  /** Newest first, at most `rowLimit`: the emits that concern a socket on screen (a row from before a reload does not). */
  readonly rows = $derived.by(() => {
    void this.#version;
    const candidates = this.#candidates;
    const rows: Delivery[] = [];
    const cap = this.#rowCap;
    for (let index = this.deliveries.length - 1; index >= 0 && rows.length < cap; index--) {
      const delivery = this.deliveries[index];
      if (candidates.some((column) => this.#concerns(delivery, column.socketId))) rows.push(delivery);
    }
    return rows;
  });

  readonly columns = $derived.by(() => {
    const shown = this.#candidates.filter((column) => !column.earlier || this.rows.some((delivery) => this.#concerns(delivery, column.socketId)));
    // The scaling lesson's sockets each live on one server: from the socket list, or (gone since) from a row that reached it.
    const nodes = new Map(this.#session.sockets.flatMap((socket) => (socket.node === undefined ? [] : [[socket.socketId, socket.node] as const])));
    for (const delivery of this.rows) for (const recipient of delivery.reached) if (recipient.node !== undefined && !nodes.has(recipient.socketId)) nodes.set(recipient.socketId, recipient.node);
    return nodes.size === 0 ? shown : shown.map((column) => (nodes.has(column.socketId) ? { ...column, node: nodes.get(column.socketId) } : column));
  });

  /**
   * The newest emit of this run that concerns a socket on screen (the table's first row once it took its turn):
   * what "Last emit" and the cards' badges describe.
   */
  readonly last = $derived.by(() => {
    void this.#lastShown;
    const run = this.#session.settings.run;
    const cleared = this.#clearedSeq;
    if (this.#emptied) return undefined;
    const candidates = this.#candidates;
    const deliveries = untrack(() => this.#session.deliveries);
    for (let index = deliveries.length - 1; index >= 0 && deliveries[index].seq > cleared; index--) {
      const delivery = deliveries[index];
      if (delivery.seq <= this.#lastTakenSeq && delivery.run === run && candidates.some((column) => this.#concerns(delivery, column.socketId))) return delivery;
    }
    return undefined;
  });

  /** Each row's cells, by seq then socket id; the cards' own logs are consulted once the trace is quiet. */
  readonly #cells = $derived.by(() => {
    void this.#version;
    const settled = this.#quiet;
    const judged = settled ? this.deliveries : [...this.rows].reverse();
    const cells = new Map<number, Map<string, CellState>>();
    for (const delivery of judged) cells.set(delivery.seq, new Map());
    for (const column of this.columns) {
      const states = cellStates(judged, column.socketId, column.receipts, settled, (id, seq) => this.existedAt(id, seq));
      judged.forEach((delivery, index) => cells.get(delivery.seq)!.set(column.socketId, states[index]));
    }
    return cells;
  });

  /** Whether the trace has been quiet long enough to judge mismatches. */
  get settled(): boolean {
    return this.#quiet;
  }

  /** Each row's acknowledgement marks, by seq then socket id (every delivery of the run, so the counts line up). */
  readonly #acks = $derived.by(() => {
    const acks = new Map<number, Map<string, AckState>>();
    for (const column of this.columns) {
      // A flood to clients never asked for an acknowledgement costs nothing here.
      if (column.receipts?.askedAcks === false) continue;
      ackStates(this.deliveries, column.socketId, column.receipts).forEach((state, index) => {
        if (state === undefined) return;
        const seq = this.deliveries[index].seq;
        if (!acks.has(seq)) acks.set(seq, new Map());
        acks.get(seq)!.set(column.socketId, state);
      });
    }
    return acks;
  });

  /** True when some row asked a page client for an acknowledgement (the table then explains its marks). */
  get hasAcks(): boolean {
    return this.#acks.size > 0;
  }

  /** For an emit that asked for an acknowledgement: whether this column's client answered it (page clients only). */
  ack(delivery: Delivery, column: Column): AckState | undefined {
    return this.#acks.get(delivery.seq)?.get(column.socketId);
  }

  cell(delivery: Delivery, column: Column): CellState {
    const judged = this.#cells.get(delivery.seq)?.get(column.socketId);
    if (judged) return judged;
    // The newest emit, before the table took it in (its turn comes in another frame): what the trace says.
    if (delivery.reached.some((recipient) => recipient.socketId === column.socketId)) return "reached";
    return this.existedAt(column.socketId, delivery.seq) ? "not-reached" : "absent";
  }

  /**
   * Whether a socket was connected when the item numbered `seq` happened. Only the feed's own connection
   * lines say so: a socket whose line the page never saw counts as absent (blank), never as "not reached".
   */
  existedAt(socketId: string, seq: number): boolean {
    void this.#version;
    return this.#lifetimes.existedAt(socketId, seq);
  }

  /** What the newest row meant for a card's current socket: undefined when that socket was not there. */
  receipt(socketId: string | undefined): "reached" | "not-reached" | undefined {
    const last = this.last;
    if (!last || !socketId) return undefined;
    if (last.reached.some((recipient) => recipient.socketId === socketId)) return "reached";
    return this.existedAt(socketId, last.seq) ? "not-reached" : undefined;
  }

  /** Hides every row so far (the server keeps running). */
  clear(): void {
    this.#clearedSeq = this.#session.deliveries.at(-1)?.seq ?? this.#clearedSeq;
  }

  dispose(): void {
    for (const release of this.#release) release();
    this.#withdraw?.();
    this.#withdrawLast?.();
    clearTimeout(this.#timer);
  }

  #concerns(delivery: Delivery, socketId: string): boolean {
    return delivery.reached.some((recipient) => recipient.socketId === socketId) || this.existedAt(socketId, delivery.seq);
  }

  #noteFeed(entry: FeedEntry): void {
    if (entry.kind !== "connection" && entry.kind !== "disconnection") return;
    this.#lifetimes.add(entry);
    this.#version++;
  }

  // One timer per quiet spell, not one per delivery: a flood brings thousands in a second.
  #noteDelivery(): void {
    this.#added++;
    this.#withdraw ??= nextFrame(this.#commit, this.#weight);
    this.#withdrawLast ??= nextFrame(this.#commitLast, this.#lastWeight);
    this.#lastDelivery = performance.now();
    if (this.#timer !== undefined) return;
    this.#quiet = false;
    const check = () => {
      const waited = performance.now() - this.#lastDelivery;
      if (waited < quietMs) {
        this.#timer = setTimeout(check, quietMs - waited);
        return;
      }
      this.#timer = undefined;
      this.#quiet = true;
    };
    this.#timer = setTimeout(check, quietMs);
  }
}
