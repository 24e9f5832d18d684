/** Takes the control channel's feed and trace batches, drops replays, and hands them on once per frame. */
import type { Delivery, FeedEntry } from "../../../contract/protocol.ts";
import { nextFrame } from "./frame-batch.ts";

type Flush = (feed: FeedEntry[], trace: Delivery[]) => void;

/**
 * A reconnect replays the backlog, and a flood arrives as many small batches: this skips what was already
 * seen (feed and trace each count up in `seq`) and flushes at most once per animation frame.
 *
 * @example
 * const batcher = new StreamBatcher((feed, trace) => render(feed, trace));
 * control.on("stream", (feed, trace) => (batcher.feed(feed), batcher.trace(trace)));
 */
export class StreamBatcher {
  #flushTo: Flush;
  #feedSeq = 0;
  #traceSeq = 0;
  #feed: FeedEntry[] = [];
  #trace: Delivery[] = [];
  readonly #flush = () => this.#flushTo(this.#feed.splice(0), this.#trace.splice(0));

  constructor(flushTo: Flush) {
    this.#flushTo = flushTo;
  }

  feed(batch: FeedEntry[]): void {
    const fresh = batch.filter((entry) => entry.seq > this.#feedSeq);
    if (!fresh.length) return;
    this.#feedSeq = fresh[fresh.length - 1].seq;
    this.#feed.push(...fresh);
    this.#schedule();
  }

  trace(batch: Delivery[]): void {
    const fresh = batch.filter((delivery) => delivery.seq > this.#traceSeq);
    if (!fresh.length) return;
    this.#traceSeq = fresh[fresh.length - 1].seq;
    this.#trace.push(...fresh);
    this.#schedule();
  }

  #schedule(): void {
    nextFrame(this.#flush);
  }
}
