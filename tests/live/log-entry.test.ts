/** How a log entry reads (the accessible name the contract fixes) and how an Engine.IO packet reads as a raw frame. */
import { describe, expect, it } from "vitest";
import { clockTime, describeEntry, rawFrame, type LogEntry } from "../../playground/src/live/log-entry.ts";

const entry = (fields: Partial<LogEntry>): LogEntry => ({ id: 1, time: 0, kind: "received", event: "", args: [], nsp: "/", ...fields });

describe("describeEntry", () => {
  it("puts the kind first, then the event, then the arguments as JSON", () => {
    expect(describeEntry(entry({ event: "chat message", args: ["hello"] }))).toBe('received chat message "hello"');
    expect(describeEntry(entry({ kind: "sent", event: "x", args: [1, { a: [true] }] }))).toBe('sent x 1 {"a":[true]}');
  });

  it("shows an error's message as plain words", () => {
    expect(describeEntry(entry({ kind: "error", event: "connect_error", args: ["Not authorized"] }))).toBe(
      "error connect_error Not authorized",
    );
  });
});

describe("rawFrame", () => {
  it("writes packets as they travel: type digit, then the Socket.IO payload", () => {
    expect(rawFrame({ type: "message", data: '2["chat message","hi"]' })).toBe('42["chat message","hi"]');
    expect(rawFrame({ type: "message", data: '0/admin,{"token":"t"}' })).toBe('40/admin,{"token":"t"}');
    expect(rawFrame({ type: "ping" })).toBe("2");
    expect(rawFrame({ type: "pong" })).toBe("3");
    expect(rawFrame({ type: "message", data: new ArrayBuffer(4) })).toBe("4<binary 4 bytes>");
  });
});

describe("participant text in the log", () => {
  it("is shown with its control characters escaped: event names, arguments, error messages and frames", () => {
    expect(describeEntry(entry({ event: "evil\x1b[2J", args: ["a\x1b]8;;http://x\x07b", { k: "\u009b1m" }] }))).toBe(
      'received evil\\x1b[2J "a\\u001b]8;;http://x\\u0007b" {"k":"\\u009b1m"}',
    );
    expect(describeEntry(entry({ kind: "error", event: "connect_error", args: ["no\r\nforged line"] }))).toBe(
      "error connect_error no\\r\\nforged line",
    );
    expect(describeEntry(entry({ kind: "frame", direction: "in", frame: '42["x","\u202eabc"]' }))).toBe('frame in 42["x","\\u202eabc"]');
  });
});

describe("clockTime", () => {
  it("reads as a time of day to the millisecond, not as a count of milliseconds", () => {
    expect(clockTime(new Date(2025, 0, 1, 14, 3, 7, 412).getTime())).toBe("14:03:07.412");
    expect(clockTime(new Date(2025, 0, 1, 9, 0, 5, 7).getTime())).toBe("09:00:05.007");
  });
});
