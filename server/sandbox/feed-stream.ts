/** The ordered stream a sandbox sends its owner: feed lines and deliveries, batched, with a backlog bounded in count and bytes. */
import type { Delivery, FeedEntry } from "../../contract/protocol.ts";
import { displayText } from "../../contract/display-text.ts";
import { shownPayloadBytes } from "../config.ts";
import { formatBytes } from "../wire/payload-budget.ts";
import { cutText, shownArgs } from "./shown-payload.ts";

/** Where a sandbox's stream goes (the control channel implements it). */
export interface StreamSink {
  feed(entries: FeedEntry[]): void;
  trace(deliveries: Delivery[]): void;
}

type Unstamped<T> = Omit<T, "seq" | "at" | "run">;

/** What one kept entry costs besides its text and payload: the object, its stamps, names and ids. */
const entryOverhead = 256;
/** What each socket an emit reached costs in a delivery (socket id, name, object). */
const recipientCost = 96;

interface Kept<T> {
  entry: T;
  cost: number;
}

/**
 * Stamps entries with `seq`, `at` and the current program `run`, and flushes batches to the sink on a short
 * timer, so a flood costs one control packet per tick rather than one per event. Before it keeps anything it
 * makes it safe to show and small: text (a console line, a delivery's call) is cut to `shownPayloadBytes` with
 * its real size and its control characters escaped (`contract/display-text.ts`), payloads are cut the same way.
 * It keeps the last `backlog` of each kind and, over both kinds and the batch not yet sent, at most `bytes`:
 * the oldest go first, and entries dropped before they were sent are counted in one line.
 *
 * @example
 * const stream = new FeedStream(sink, 500, 256 * 1024);
 * stream.feed({ level: "log", kind: "program", text: "a user connected" });
 */
export class FeedStream {
  #sink: StreamSink;
  #backlog: number;
  #bytes: number;
  #startedAt = Date.now();
  #seq = 0;
  /** The program run new entries belong to; the sandbox moves it on at every restart of its server. */
  run = 1;
  #feed: Kept<FeedEntry>[] = [];
  #trace: Kept<Delivery>[] = [];
  #used = 0;
  /** Entries up to this `seq` have gone to the sink. */
  #sent = 0;
  /** Entries dropped before they were sent, and when that was last said. */
  #unsent = 0;
  #unsentSaid = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `bytes`: what the kept entries may cost together (`SANDBOX_FEED_BYTES`). */
  constructor(sink: StreamSink, backlog: number, bytes = Infinity) {
    this.#sink = sink;
    this.#backlog = backlog;
    this.#bytes = bytes;
  }

  /** Milliseconds since the sandbox started. */
  get now(): number {
    return Date.now() - this.#startedAt;
  }

  /** What the kept entries cost now, in bytes (estimated from their text, payloads and recipients). */
  get usedBytes(): number {
    return this.#used;
  }

  feed(entry: Unstamped<FeedEntry>): FeedEntry {
    const text = shownText(entry.text);
    const args = entry.args && shownArgs(entry.args, shownPayloadBytes);
    const stamped = { seq: ++this.#seq, at: this.now, run: this.run, ...entry, text, ...(args ? { args: args.args } : {}) } as FeedEntry;
    this.#keep(this.#feed, stamped, entryOverhead + text.length + (args?.bytes ?? 0) + (entry.event?.length ?? 0));
    return stamped;
  }

  trace(delivery: Unstamped<Delivery>): Delivery {
    const call = shownText(delivery.call);
    const args = shownArgs(delivery.args, shownPayloadBytes);
    const stamped = { seq: ++this.#seq, at: this.now, run: this.run, ...delivery, call, args: args.args } as Delivery;
    this.#keep(this.#trace, stamped, entryOverhead + call.length + args.bytes + delivery.event.length + recipientCost * delivery.reached.length);
    return stamped;
  }

  /** What an owner that connects now should see first. */
  backlog(): { feed: FeedEntry[]; trace: Delivery[] } {
    this.flush();
    return { feed: this.#feed.map((kept) => kept.entry), trace: this.#trace.map((kept) => kept.entry) };
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#unsent > 0 && Date.now() - this.#unsentSaid >= 1000) {
      this.#unsentSaid = Date.now();
      const dropped = this.#unsent;
      this.#unsent = 0;
      this.feed({
        level: "warn",
        kind: "system",
        text: `${dropped} console lines and deliveries were dropped before they reached this page: more came in at once than this sandbox keeps (${formatBytes(this.#bytes)}, SANDBOX_FEED_BYTES). The newest are shown.`,
      });
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const feed = unsent(this.#feed, this.#sent);
    const trace = unsent(this.#trace, this.#sent);
    this.#sent = this.#seq;
    if (feed.length) this.#sink.feed(feed);
    if (trace.length) this.#sink.trace(trace);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #keep<T extends { seq: number }>(list: Kept<T>[], entry: T, cost: number): void {
    list.push({ entry, cost });
    this.#used += cost;
    if (list.length > this.#backlog) this.#drop(list);
    while (this.#used > this.#bytes && this.#feed.length + this.#trace.length > 1) {
      const oldestFeed = this.#feed[0]?.entry.seq ?? Infinity;
      const oldestTrace = this.#trace[0]?.entry.seq ?? Infinity;
      if (oldestFeed < oldestTrace) this.#drop(this.#feed);
      else this.#drop(this.#trace);
    }
    this.#timer ??= setTimeout(() => this.flush(), 16);
  }

  #drop<T extends { seq: number }>(list: Kept<T>[]): void {
    const dropped = list.shift();
    if (!dropped) return;
    this.#used -= dropped.cost;
    if (dropped.entry.seq > this.#sent) this.#unsent++;
  }
}

/** Text from the program or a participant, as the owner may see it: cut with its real size, control characters escaped. */
function shownText(text: string): string {
  return displayText(cutText(text, shownPayloadBytes));
}

/** The entries of `list` (oldest first) not yet sent. */
function unsent<T extends { seq: number }>(list: Kept<T>[], sent: number): T[] {
  let first = list.length;
  while (first > 0 && list[first - 1].entry.seq > sent) first--;
  return list.slice(first).map((kept) => kept.entry);
}
