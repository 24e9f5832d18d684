/** The event log of a client outside the page, pieced together from the server's feed and trace. */
import type { Delivery, FeedEntry } from "../../../contract/protocol.ts";
import type { LogEntry } from "./log-entry.ts";

/** The tails are enough for a log that shows its last 200 entries, and keep a flood cheap. */
const tail = 600;

/**
 * What the sockets `socketIds` sent, received and did, oldest first, as log entries. `toTime` turns the
 * server's `at` (ms since the sandbox started) into the page's clock.
 *
 * @example
 * externalEntries(session.feed, session.deliveries, ["Qx1…"], (at) => at + offset);
 */
export function externalEntries(feed: readonly FeedEntry[], deliveries: readonly Delivery[], socketIds: readonly string[], toTime: (at: number) => number): LogEntry[] {
  const ours = new Set(socketIds);
  const fromFeed = feed.slice(-tail).flatMap((entry) => (entry.socketId && ours.has(entry.socketId) ? feedEntry(entry, toTime) : []));
  const fromTrace = deliveries
    .slice(-tail)
    .filter((delivery) => delivery.reached.some((recipient) => ours.has(recipient.socketId)))
    .map((delivery): LogEntry => ({ id: delivery.seq * 2 + 1, time: toTime(delivery.at), kind: "received", event: delivery.event, args: delivery.args, nsp: delivery.nsp }));
  // Feed and trace share one seq counter; ids are seq * 2 (+ 1 for the trace), so both lists merge in order.
  return [...fromFeed, ...fromTrace].sort((a, b) => a.id - b.id);
}

function feedEntry(entry: FeedEntry, toTime: (at: number) => number): LogEntry[] {
  const base = { id: entry.seq * 2, time: toTime(entry.at), nsp: entry.nsp ?? "/" };
  if (entry.kind === "event") return [{ ...base, kind: "sent", event: entry.event ?? "", args: entry.args ?? [] }];
  if (entry.kind === "connection") return [{ ...base, kind: "connected", event: "connect", args: [] }];
  if (entry.kind === "disconnection") return [{ ...base, kind: "disconnected", event: entry.text, args: [] }];
  return [];
}
