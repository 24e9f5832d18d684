/** The ordered stream a sandbox sends its owner: feed lines and deliveries, batched, with a backlog. */
import type { Delivery, FeedEntry } from "../../contract/protocol.ts";

/** Where a sandbox's stream goes (the control channel implements it). */
export interface StreamSink {
  feed(entries: FeedEntry[]): void;
  trace(deliveries: Delivery[]): void;
}

type Unstamped<T> = Omit<T, "seq" | "at" | "run">;

/**
 * Stamps entries with `seq`, `at` and the current program `run`, keeps the last `backlog` of each kind, and flushes batches to the
 * sink on a short timer, so a flood costs one control packet per tick rather than one per event.
 *
 * @example
 * const stream = new FeedStream(sink, 500);
 * stream.feed({ level: "log", kind: "program", text: "a user connected" });
 */
export class FeedStream {
  #sink: StreamSink;
  #backlog: number;
  #startedAt = Date.now();
  #seq = 0;
  /** The program run new entries belong to; the sandbox moves it on at every restart of its server. */
  run = 1;
  #pendingFeed: FeedEntry[] = [];
  #pendingTrace: Delivery[] = [];
  #recentFeed: FeedEntry[] = [];
  #recentTrace: Delivery[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(sink: StreamSink, backlog: number) {
    this.#sink = sink;
    this.#backlog = backlog;
  }

  /** Milliseconds since the sandbox started. */
  get now(): number {
    return Date.now() - this.#startedAt;
  }

  feed(entry: Unstamped<FeedEntry>): FeedEntry {
    const stamped = { seq: ++this.#seq, at: this.now, run: this.run, ...entry } as FeedEntry;
    this.#keep(this.#recentFeed, stamped);
    this.#pendingFeed.push(stamped);
    this.#schedule();
    return stamped;
  }

  trace(delivery: Unstamped<Delivery>): Delivery {
    const stamped = { seq: ++this.#seq, at: this.now, run: this.run, ...delivery } as Delivery;
    this.#keep(this.#recentTrace, stamped);
    this.#pendingTrace.push(stamped);
    this.#schedule();
    return stamped;
  }

  /** What an owner that connects now should see first. */
  backlog(): { feed: FeedEntry[]; trace: Delivery[] } {
    this.flush();
    return { feed: [...this.#recentFeed], trace: [...this.#recentTrace] };
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pendingFeed.length) this.#sink.feed(this.#pendingFeed.splice(0));
    if (this.#pendingTrace.length) this.#sink.trace(this.#pendingTrace.splice(0));
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #keep<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.#backlog) list.splice(0, list.length - this.#backlog);
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => this.flush(), 16);
  }
}
