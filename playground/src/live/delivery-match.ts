/** Checks the server's delivery trace against what each page client actually received. */
import type { Delivery } from "../../../contract/protocol.ts";
import { deliveryKey } from "./log-entry.ts";

/** One cell of the Deliveries table. */
export type CellState = "reached" | "not-reached" | "missing";

/** What the check needs from a client: its name and how often it received a given event. */
export interface ReceiptSource {
  name: string;
  receivedCount(key: string): number;
  ownsSocket(socketId: string): boolean;
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
 * Per delivery (same order as given), whether the client `name` was reached, and whether its own log disagrees:
 * `missing` means the trace lists it as a recipient but its log shows no such event. Only judged once
 * the trace has been quiet for a moment, since the trace and the client's copy travel separately. Clients
 * without a `source` (external ones) are judged from the trace alone.
 *
 * @example
 * cellStates(session.deliveries, "A", clientA, true); // ["reached", "not-reached", …]
 */
export function cellStates(
  deliveries: readonly Delivery[],
  name: string,
  client: ReceiptSource | undefined,
  settled: boolean,
): CellState[] {
  const ordinals = new Map<string, number>();
  return deliveries.map((delivery) => {
    const recipient = delivery.reached.find((recipient) => recipient.client === name);
    if (!recipient) return "not-reached";
    // Only this client's own sockets are checked: an earlier client of the same name had its own log.
    if (!client || !settled || !client.ownsSocket(recipient.socketId)) return "reached";
    const key = keyOf(delivery);
    const ordinal = (ordinals.get(key) ?? 0) + 1;
    ordinals.set(key, ordinal);
    return client.receivedCount(key) >= ordinal ? "reached" : "missing";
  });
}
