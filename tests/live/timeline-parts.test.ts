/** The timeline's pure parts: reading raw frames, and pairing each received frame with the call that sent it. */
import { describe, expect, it } from "vitest";
import { CallMatcher } from "../../playground/src/live/call-matcher.ts";
import { eventFrame, frameKind, parseEventFrame } from "../../playground/src/live/frame-text.ts";

describe("frame text", () => {
  it("names every kind of frame", () => {
    expect(["0{}", "1", "2", "3", "2probe", "5", "6", "40", "41", '42["x"]', '43[1]', "44/admin,{}"].map(frameKind)).toEqual([
      "open", "close", "ping", "pong", "ping", "upgrade", "noop", "connect", "disconnect", "event", "ack", "connect error",
    ]);
  });

  it("reads the event out of an event frame, with its namespace and past an ack id", () => {
    expect(parseEventFrame('42["chat message","hi"]')).toEqual({ nsp: "/", event: "chat message", args: ["hi"] });
    expect(parseEventFrame('42/admin,12["x",1,{"a":[2]}]')).toEqual({ nsp: "/admin", event: "x", args: [1, { a: [2] }] });
    expect(parseEventFrame("3")).toBeUndefined();
    expect(parseEventFrame("42[not json")).toBeUndefined();
    expect(parseEventFrame("42[1]")).toBeUndefined();
  });

  it("writes a traced emit as the frame it put on the wire", () => {
    expect(eventFrame("/", "news", [1])).toBe('42["news",1]');
    expect(eventFrame("/admin", "x", ["a"])).toBe('42/admin,["x","a"]');
    expect(parseEventFrame(eventFrame("/tenant-acme", "e", [null, [1]]))).toEqual({ nsp: "/tenant-acme", event: "e", args: [null, [1]] });
  });
});

describe("CallMatcher", () => {
  it("pairs a frame with its call whichever arrives first, per lane and key, in order", () => {
    const matcher = new CallMatcher<string, string>();
    expect(matcher.frame("A", "k1", "frame 1")).toBeUndefined();
    expect(matcher.call("B", "k1", "call 1")).toBeUndefined(); // another lane: no pair
    expect(matcher.call("A", "k1", "call 1")).toBe("frame 1");
    expect(matcher.frame("B", "k1", "frame 2")).toBe("call 1");
    matcher.call("A", "k2", "call 2");
    matcher.call("A", "k2", "call 3");
    expect(matcher.frame("A", "k2", "frame 3")).toBe("call 2");
    expect(matcher.frame("A", "k2", "frame 4")).toBe("call 3");
    expect(matcher.frame("A", "k2", "frame 5")).toBeUndefined();
  });

  it("gives up the oldest unpaired items first, so a lane never grows without bound", () => {
    const matcher = new CallMatcher<number, string>();
    for (let index = 0; index < 250; index++) matcher.frame("A", "k", index);
    expect(matcher.call("A", "k", "late")).toBe(50);
  });
});
