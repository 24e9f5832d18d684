/** The ordered stream a sandbox sends its owner: feed lines and deliveries, batched, with a backlog bounded in count and bytes. */
import type { Delivery, FeedEntry } from "../../contract/protocol.ts";
import { displayText } from "../../contract/display-text.ts";
import { shownPayloadBytes } from "../config.ts";
import { formatBytes } from "../wire/payload-budget.ts";
import { HandlerContext } from "./handler-context.ts";
import { cutText, shownArgs } from "./shown-payload.ts";

/** Where a sandbox's stream goes (the control channel implements it): both kinds of a batch at once, one packet. */
export interface StreamSink {
  stream(feed: FeedEntry[], trace: Delivery[]): void;
}

type Unstamped<T> = Omit<T, "seq" | "at" | "run">;

/**
 * Program and event lines, and deliveries, shown in full per batch (each kind): a flood past it is counted, not
 * kept, so it costs an increment per message instead of a formatted entry and its JSON to the owner.
 */
export const detailPerBatch = 100;
/**
 * The same while a flood goes on (the batch before also had more than it showed): a burst is shown in full, a
 * sustained flood at 20 of each kind every 16 ms (1,250 a second, more than anyone reads) costs the sandbox,
 * the control channel and the page a fifth of the formatting, JSON and parsing.
 */
export const floodDetailPerBatch = 20;
/** How long entries wait to go out together. */
const batchMs = 16;

/** What one kept entry costs besides its text and payload: the object, its stamps, names and ids. */
const entryOverhead = 256;
/** What each socket an emit reached costs in a delivery (socket id, name, object). */
const recipientCost = 96;

/** Streams with a batch waiting: one timer for every sandbox of the process, not one per sandbox and batch. */
const due = new Set<FeedStream>();
let tick: NodeJS.Timeout | undefined;

/**
 * The shared tick, started outside any sandbox's handling: it flushes every sandbox's stream, so it must not carry
 * the async context of the one that happened to schedule it (an error in it would be blamed on that sandbox).
 */
function startTick(): NodeJS.Timeout {
  return setTimeout(flushDue, batchMs);
}

function flushDue(): void {
  tick = undefined;
  // After the I/O already waiting (the participants' events and their deliveries): owners' batches go after them.
  setImmediate(flushAll);
}

function flushAll(): void {
  // Each flush takes its own stream out of `due`; should one throw, the ones after it go out at the next tick.
  try {
    for (const stream of [...due]) stream.flush();
  } finally {
    if (due.size > 0) tick ??= HandlerContext.outside(startTick);
  }
}

/** Entries of one kind, oldest first, and what each costs (two arrays: no wrapper object per kept entry). */
class Kept<T extends { seq: number }> {
  entries: T[] = [];
  costs: number[] = [];
}

/**
 * Stamps entries with `seq`, `at` and the current program `run`, and flushes batches to the sink on a 16 ms tick
 * shared by every sandbox (after the I/O waiting then), so a flood costs one control packet per tick rather than
 * one per event, and a thousand quiet sandboxes one timer rather than one each. Before it keeps anything it
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
  #feed = new Kept<FeedEntry>();
  #trace = new Kept<Delivery>();
  #used = 0;
  /** Entries up to this `seq` have gone to the sink. */
  #sent = 0;
  /** Entries dropped before they were sent, and when that was last said. */
  #unsent = 0;
  #unsentSaid = 0;
  /** Detailed lines and deliveries in the batch under way, and those of a flood counted instead (not said yet). */
  #batchLines = 0;
  #batchDeliveries = 0;
  /** Entries of each kind shown in full in this batch: `detailPerBatch`, or `floodDetailPerBatch` during a flood. */
  #detail = detailPerBatch;
  #countedLines = 0;
  #countedDeliveries = 0;
  /** The flush that says what a flood kept off the page, when the last such line was under a second ago. */
  #sayTimer: NodeJS.Timeout | undefined;
  /** In `due`: a batch waits for the next tick. */
  #due = false;

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

  /**
   * Whether the batch under way has room for one more program or event line in full; when not, the line is
   * counted (and said in one line later) and the caller need not even format it.
   *
   * @example
   * if (stream.lineWanted()) stream.feed({ level: "log", kind: "program", text: format(...args) });
   */
  lineWanted(): boolean {
    if (++this.#batchLines <= this.#detail) return true;
    this.#countedLines++;
    this.#schedule();
    return false;
  }

  /** As `lineWanted`, for a delivery: false means it is only counted, so the tracer need not note its recipients. */
  deliveryWanted(): boolean {
    if (++this.#batchDeliveries <= this.#detail) return true;
    this.#countedDeliveries++;
    this.#schedule();
    return false;
  }

  /** Stamps and keeps `entry`: the object itself, made safe to show (callers hand over a fresh one; no copy per line). */
  feed(entry: Unstamped<FeedEntry>): FeedEntry {
    const stamped = entry as FeedEntry;
    stamped.text = shownText(entry.text);
    const args = entry.args && shownArgs(entry.args, shownPayloadBytes);
    if (args) stamped.args = args.args;
    this.#stamp(stamped);
    this.#keep(this.#feed, stamped, entryOverhead + stamped.text.length + (args?.bytes ?? 0) + (entry.event?.length ?? 0));
    return stamped;
  }

  /** As `feed`, for a delivery (the tracer's fresh object). */
  trace(delivery: Unstamped<Delivery>): Delivery {
    const stamped = delivery as Delivery;
    stamped.call = shownText(delivery.call);
    const args = shownArgs(delivery.args, shownPayloadBytes);
    stamped.args = args.args;
    this.#stamp(stamped);
    this.#keep(this.#trace, stamped, entryOverhead + stamped.call.length + args.bytes + delivery.event.length + recipientCost * delivery.reached.length);
    return stamped;
  }

  #stamp(entry: { seq: number; at: number; run: number }): void {
    entry.seq = ++this.#seq;
    entry.at = this.now;
    entry.run = this.run;
  }

  /** What an owner that connects now should see first. */
  backlog(): { feed: FeedEntry[]; trace: Delivery[] } {
    this.flush();
    return { feed: [...this.#feed.entries], trace: [...this.#trace.entries] };
  }

  flush(): void {
    this.#unschedule();
    this.#detail = Math.max(this.#batchLines, this.#batchDeliveries) > this.#detail ? floodDetailPerBatch : detailPerBatch;
    this.#batchLines = this.#batchDeliveries = 0;
    const counted = this.#countedLines + this.#countedDeliveries;
    if (this.#unsent > 0 || counted > 0) {
      const wait = this.#unsentSaid + 1000 - Date.now();
      // At most one such line a second; what was not said yet is said by a later flush.
      if (wait > 0) this.#sayTimer ??= setTimeout(() => ((this.#sayTimer = undefined), this.flush()), wait);
      else this.#sayUnshown();
    }
    const feed = unsent(this.#feed, this.#sent);
    const trace = unsent(this.#trace, this.#sent);
    this.#sent = this.#seq;
    if (feed.length || trace.length) this.#sink.stream(feed, trace);
  }

  /** One line for the entries a flood kept off this page: counted past the batch detail, or dropped by the byte budget. */
  #sayUnshown(): void {
    this.#unsentSaid = Date.now();
    const [dropped, lines, deliveries] = [this.#unsent, this.#countedLines, this.#countedDeliveries];
    this.#unsent = this.#countedLines = this.#countedDeliveries = 0;
    const sentences: string[] = [];
    if (lines + deliveries > 0) {
      sentences.push(
        `A flood: ${plural(lines, "console line")} and ${plural(deliveries, "delivery", "deliveries")} were counted but not shown (this page gets the first ${detailPerBatch} of each every ${batchMs} ms, ${floodDetailPerBatch} while a flood goes on).`,
      );
    }
    if (dropped > 0) {
      sentences.push(
        `${dropped} console lines and deliveries were dropped before they reached this page: more came in at once than this sandbox keeps (${formatBytes(this.#bytes)}, SANDBOX_FEED_BYTES). The newest are shown.`,
      );
    }
    this.feed({ level: "warn", kind: "system", text: sentences.join(" ") });
    this.#unschedule(); // said within the flush under way
  }

  #unschedule(): void {
    this.#due = false;
    due.delete(this);
  }

  #schedule(): void {
    if (this.#due) return;
    this.#due = true;
    due.add(this);
    tick ??= HandlerContext.outside(startTick);
  }

  close(): void {
    this.#unschedule();
    clearTimeout(this.#sayTimer);
    this.#sayTimer = undefined;
  }

  #keep<T extends { seq: number }>(list: Kept<T>, entry: T, cost: number): void {
    list.entries.push(entry);
    list.costs.push(cost);
    this.#used += cost;
    if (list.entries.length > this.#backlog) this.#drop(list);
    while (this.#used > this.#bytes && this.#feed.entries.length + this.#trace.entries.length > 1) {
      const oldestFeed = this.#feed.entries[0]?.seq ?? Infinity;
      const oldestTrace = this.#trace.entries[0]?.seq ?? Infinity;
      if (oldestFeed < oldestTrace) this.#drop(this.#feed);
      else this.#drop(this.#trace);
    }
    this.#schedule();
  }

  #drop<T extends { seq: number }>(list: Kept<T>): void {
    const dropped = list.entries.shift();
    if (!dropped) return;
    this.#used -= list.costs.shift()!;
    if (dropped.seq > this.#sent) this.#unsent++;
  }
}

/** "1 console line", "3 deliveries". */
function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/** Text from the program or a participant, as the owner may see it: cut with its real size, control characters escaped. */
function shownText(text: string): string {
  return displayText(cutText(text, shownPayloadBytes));
}

/** The entries of `list` (oldest first) not yet sent. */
function unsent<T extends { seq: number }>(list: Kept<T>, sent: number): T[] {
  const { entries } = list;
  let first = entries.length;
  while (first > 0 && entries[first - 1].seq > sent) first--;
  return first === entries.length ? [] : entries.slice(first);
}
