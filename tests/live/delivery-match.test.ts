/** The Deliveries table's check of the trace against a page client's own log. */
import { describe, expect, it } from "vitest";
import type { Delivery } from "../../contract/protocol.ts";
import { cellStates, type ReceiptSource } from "../../playground/src/live/delivery-match.ts";
import { deliveryKey } from "../../playground/src/live/log-entry.ts";

function delivery(seq: number, args: unknown[], reached: string[]): Delivery {
  return {
    seq,
    run: 1,
    at: seq,
    nsp: "/",
    call: `io.emit("chat message", ${JSON.stringify(args[0])})`,
    event: "chat message",
    args,
    source: "program",
    reached: reached.map((client) => ({ client, socketId: `${client}-socket` })),
  };
}

function client(name: string, received: Array<[unknown[], number]>): ReceiptSource {
  const counts = new Map(received.map(([args, count]) => [deliveryKey("/", "chat message", args), count]));
  return { name, receivedCount: (key) => counts.get(key) ?? 0, ownsSocket: (id) => id === `${name}-socket` };
}

describe("cellStates", () => {
  const trace = [delivery(1, ["hi"], ["A", "B"]), delivery(2, ["hi"], ["B"]), delivery(3, ["yo"], ["A"])];

  it("marks each emit reached or not, from the trace", () => {
    expect(cellStates(trace, "B", client("B", [[["hi"], 2]]), true)).toEqual(["reached", "reached", "not-reached"]);
    expect(cellStates(trace, "External 1", undefined, true)).toEqual(["not-reached", "not-reached", "not-reached"]);
  });

  it("flags a delivery the client's own log does not show, once the trace is settled", () => {
    const b = client("B", [[["hi"], 1]]);
    expect(cellStates(trace, "B", b, true)).toEqual(["reached", "missing", "not-reached"]);
    expect(cellStates(trace, "B", b, false)).toEqual(["reached", "reached", "not-reached"]);
  });

  it("does not judge a client by deliveries made to an earlier socket of the same name", () => {
    const fresh: ReceiptSource = { ...client("A", []), ownsSocket: () => false };
    expect(cellStates(trace, "A", fresh, true)).toEqual(["reached", "not-reached", "reached"]);
  });
});
