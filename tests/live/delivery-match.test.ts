/** The Deliveries table's cells: one socket per column, judged by when it existed and by the client's own log. */
import { describe, expect, it } from "vitest";
import type { Delivery } from "../../contract/protocol.ts";
import { ackStates, cellStates, type AckState, type ReceiptSource } from "../../playground/src/live/delivery-match.ts";
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
    reached: reached.map((socketId) => ({ client: socketId.slice(0, 1), socketId })),
  };
}

function client(sockets: string[], received: Array<[unknown[], number]>): ReceiptSource {
  const counts = new Map(received.map(([args, count]) => [deliveryKey("/", "chat message", args), count]));
  return { receivedCount: (key) => counts.get(key) ?? 0, ownsSocket: (id) => sockets.includes(id) };
}

const always = () => true;

describe("cellStates", () => {
  const trace = [delivery(1, ["hi"], ["A1", "B1"]), delivery(2, ["hi"], ["B1"]), delivery(3, ["yo"], ["A1"])];

  it("marks each emit reached or not, from the trace", () => {
    expect(cellStates(trace, "B1", client(["B1"], [[["hi"], 2]]), true, always)).toEqual(["reached", "reached", "not-reached"]);
    expect(cellStates(trace, "E1", undefined, true, always)).toEqual(["not-reached", "not-reached", "not-reached"]);
  });

  it("says absent, not 'not reached', for a socket that did not exist at the time", () => {
    const existed = (_id: string, seq: number) => seq >= 2; // connected between emit 1 and emit 2
    expect(cellStates(trace, "C1", undefined, true, existed)).toEqual(["absent", "not-reached", "not-reached"]);
  });

  it("flags a delivery the client's own log does not show, once the trace is settled", () => {
    const b = client(["B1"], [[["hi"], 1]]);
    expect(cellStates(trace, "B1", b, true, always)).toEqual(["reached", "missing", "not-reached"]);
    expect(cellStates(trace, "B1", b, false, always)).toEqual(["reached", "reached", "not-reached"]);
  });

  it("does not judge a client by a socket that was never its own", () => {
    const fresh = client(["A2"], []);
    expect(cellStates(trace, "A1", fresh, true, always)).toEqual(["reached", "not-reached", "reached"]);
  });
});

describe("ackStates", () => {
  it("pairs the n-th delivery of an event to a socket with the n-th time that socket received it", () => {
    const trace = [delivery(1, ["q"], ["A1", "B1"]), delivery(2, ["other"], ["A1"]), delivery(3, ["q"], ["A1"])];
    const asked = new Map<string, Array<AckState | undefined>>([[`A1|${deliveryKey("/", "chat message", ["q"])}`, ["answered", "silent"]]]);
    const a: ReceiptSource = {
      ...client(["A1"], []),
      ackState: (socketId, key, ordinal) => asked.get(`${socketId}|${key}`)?.[ordinal - 1],
    };
    expect(ackStates(trace, "A1", a)).toEqual(["answered", undefined, "silent"]);
    expect(ackStates(trace, "B1", a)).toEqual([undefined, undefined, undefined]); // B1 is not A's socket: nothing known
    expect(ackStates(trace, "A1", client(["A1"], []))).toEqual([undefined, undefined, undefined]); // an outside client: no marks
  });
});
