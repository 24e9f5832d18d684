/** The kit's own promises: settle() waits for what is in flight, in both directions and to the owner, and nothing else. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gotEvents, sandboxWith, seededRandom, settle, startLive, type Live } from "./live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

describe("settle()", () => {
  it("returns once what the server sent has reached every client", async () => {
    const box = await sandboxWith("chat", { clients: 2 });
    for (let i = 0; i < 50; i++) box.io.emit("x", i);
    await settle();
    expect(gotEvents(box.clients.A, "x")).toHaveLength(50);
    expect(gotEvents(box.clients.B, "x")).toHaveLength(50);
  });

  it("returns once what the clients sent has been handled, and the owner has the feed and the trace", async () => {
    const box = await sandboxWith("chat", { clients: 2 });
    box.clients.A.emit("chat message", "hi");
    await settle();
    expect(gotEvents(box.clients.B, "chat message")).toEqual([["hi"]]);
    expect(box.logs).toContain("message: hi");
    expect(box.owner.trace.map((delivery) => delivery.call)).toEqual(['io.emit("chat message", "hi")']);
  });

  it("leaves no trace of itself: no event, feed line or delivery", async () => {
    const box = await sandboxWith("chat", { clients: 1 });
    await settle();
    const feed = box.owner.feed.length;
    await settle();
    await settle();
    expect(box.clients.A.got).toEqual([]);
    expect(box.owner.feed).toHaveLength(feed);
    expect(box.owner.trace).toEqual([]);
  });
});

it("seededRandom: the same seed gives the same numbers", () => {
  const [one, two] = [seededRandom(7), seededRandom(7)];
  const numbers = Array.from({ length: 5 }, () => one());
  expect(Array.from({ length: 5 }, () => two())).toEqual(numbers);
  expect(new Set(numbers).size).toBe(5);
  expect(numbers.every((value) => value >= 0 && value < 1)).toBe(true);
});
