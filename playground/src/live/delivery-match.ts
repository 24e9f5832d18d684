/** One Deliveries column: what each emit meant for one socket, checked against the page client's own log. */
import type { Delivery } from "../../../contract/protocol.ts";
import { deliveryKey } from "./log-entry.ts";

/**
 * One cell of the Deliveries table: `reached`; `not-reached` (the socket was there and did not get it);
 * `absent` (the socket was not connected at that moment); `missing` (the trace says delivered, but the
 * client's own log has no such event).
 */
export type CellState = "reached" | "not-reached" | "absent" | "missing";

/** For an event sent with an acknowledgement callback: whether the client answered it (yet). */
export type AckState = "answered" | "silent";

/** What the check needs from a page client: how often it received a given event, and whether a socket was its. */
export interface ReceiptSource {
  receivedCount(key: string): number;
  ownsSocket(socketId: string): boolean;
  /** Whether the `ordinal`-th event with `key` on `socketId` asked for an acknowledgement, and whether it got one. */
  ackState?(socketId: string, key: string, ordinal: number): AckState | undefined;
  /** False while no emit has asked this client for an acknowledgement: its column needs no `ackState` at all. */
  readonly askedAcks?: boolean;
}

/** Each delivery's receipt key, computed once: the table asks again at every render. */
const keys = new WeakMap<Delivery, string>();

function keyOf(delivery: Delivery): string {
  let key = keys.get(delivery);
  if (key === undefined) {
    key = deliveryKey(delivery.nsp, delivery.event, delivery.args);
    keys.set(delivery, key);
  }
  return key;
}

/**
 * Per delivery (same order as given), what it meant for socket `socketId`. A page client's own log is
 * consulted only once the trace has been quiet for a moment (`settled`), since the trace and the client's
 * copy travel separately; sockets without a `source` (external clients) are judged from the trace alone.
 *
 * @example
 * cellStates(deliveries, "Qx1…", clientA, true, (id, seq) => lifetimes.existedAt(id, seq)); // ["reached", "absent", …]
 */
export function cellStates(
  deliveries: readonly Delivery[],
  socketId: string,
  source: ReceiptSource | undefined,
  settled: boolean,
  existed: (socketId: string, seq: number) => boolean,
): CellState[] {
  const ordinals = new Map<string, number>();
  const judge = source !== undefined && settled && source.ownsSocket(socketId);
  return deliveries.map((delivery) => {
    if (!delivery.reached.some((recipient) => recipient.socketId === socketId)) {
      return existed(socketId, delivery.seq) ? "not-reached" : "absent";
    }
    if (!judge) return "reached";
    const key = keyOf(delivery);
    const ordinal = (ordinals.get(key) ?? 0) + 1;
    ordinals.set(key, ordinal);
    return source.receivedCount(key) >= ordinal ? "reached" : "missing";
  });
}

/**
 * Per delivery (same order as given), whether socket `socketId` was asked for an acknowledgement with it and
 * answered: the n-th delivery of an event to a socket is the n-th time that socket received it.
 *
 * @example
 * ackStates(deliveries, "Qx1…", clientA); // [undefined, "answered", "silent"]
 */
export function ackStates(deliveries: readonly Delivery[], socketId: string, source: ReceiptSource | undefined): Array<AckState | undefined> {
  const ordinals = new Map<string, number>();
  return deliveries.map((delivery) => {
    if (!source?.ackState || !delivery.reached.some((recipient) => recipient.socketId === socketId)) return undefined;
    const key = keyOf(delivery);
    const ordinal = (ordinals.get(key) ?? 0) + 1;
    ordinals.set(key, ordinal);
    return source.ackState(socketId, key, ordinal);
  });
}
