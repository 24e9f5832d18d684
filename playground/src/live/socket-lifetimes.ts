/** When each socket existed, read off the feed's connection and disconnection lines (feed and trace share one seq). */
import type { FeedEntry } from "../../../contract/protocol.ts";

interface Span {
  /** Seq of its connection line; 0 when that line was never seen (it connected before the page's window). */
  from: number;
  /** Seq of its disconnection line, if it has left. */
  to?: number;
}

/** How many sockets it remembers; the oldest are forgotten first. */
const capacity = 5000;

/**
 * Socket lifetimes in seq order, so a delivery can tell "not reached" (the socket was there) from "not there yet"
 * or "already gone".
 *
 * @example
 * const lifetimes = new SocketLifetimes();
 * lifetimes.add(connectionLine); // { kind: "connection", socketId: "x", seq: 4, … }
 * lifetimes.existedAt("x", 9); // true
 */
export class SocketLifetimes {
  #spans = new Map<string, Span>();

  /** Takes one feed line; only connection and disconnection lines matter. */
  add(entry: FeedEntry): void {
    if (!entry.socketId) return;
    if (entry.kind === "connection") {
      this.#spans.delete(entry.socketId);
      this.#spans.set(entry.socketId, { from: entry.seq });
      if (this.#spans.size > capacity) this.#spans.delete(this.#spans.keys().next().value!);
    } else if (entry.kind === "disconnection") {
      const span = this.#spans.get(entry.socketId) ?? { from: 0 };
      this.#spans.set(entry.socketId, { ...span, to: entry.seq });
    }
  }

  /** Whether the socket was connected when the item numbered `seq` happened (unknown: no). */
  existedAt(socketId: string, seq: number): boolean {
    const span = this.#spans.get(socketId);
    if (!span) return false;
    return span.from < seq && (span.to === undefined || span.to > seq);
  }

  /** Forgets everything (a new program run: every socket of the old server is gone). */
  clear(): void {
    this.#spans.clear();
  }
}
