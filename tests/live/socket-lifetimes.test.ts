/** Socket lifetimes from the feed: "— not reached" only for sockets that existed when the emit was made. */
import { describe, expect, it } from "vitest";
import type { FeedEntry } from "../../contract/protocol.ts";
import { SocketLifetimes } from "../../playground/src/live/socket-lifetimes.ts";

const line = (seq: number, kind: FeedEntry["kind"], socketId: string): FeedEntry => ({ seq, run: 1, at: seq, level: "info", kind, text: "", socketId });

describe("SocketLifetimes", () => {
  it("knows a socket between its connection and its disconnection line", () => {
    const lifetimes = new SocketLifetimes();
    lifetimes.add(line(3, "connection", "a"));
    lifetimes.add(line(8, "disconnection", "a"));
    expect([2, 3, 4, 7, 8, 9].map((seq) => lifetimes.existedAt("a", seq))).toEqual([false, false, true, true, false, false]);
  });

  it("counts a socket it never saw connect as absent, and a reconnect as a new socket", () => {
    const lifetimes = new SocketLifetimes();
    expect(lifetimes.existedAt("ghost", 5)).toBe(false);
    lifetimes.add(line(6, "disconnection", "early"));
    expect(lifetimes.existedAt("early", 5)).toBe(true);
    lifetimes.add(line(10, "connection", "b2"));
    expect(lifetimes.existedAt("b2", 9)).toBe(false);
    expect(lifetimes.existedAt("b2", 11)).toBe(true);
  });

  it("ignores lines about no socket and every other kind", () => {
    const lifetimes = new SocketLifetimes();
    lifetimes.add({ ...line(1, "program", "a") });
    lifetimes.add({ seq: 2, run: 1, at: 2, level: "info", kind: "connection", text: "no socket" });
    expect(lifetimes.existedAt("a", 5)).toBe(false);
  });
});
