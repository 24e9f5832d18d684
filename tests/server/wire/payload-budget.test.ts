/** measureJson finds the first limit a JSON text passes without parsing it, and agrees with a parse on text that fits. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventName, measureJson, type PayloadBudget } from "../../../server/wire/payload-budget.ts";
import { testSeed } from "../../support/live.ts";

const roomy: PayloadBudget = { bytes: 1 << 20, depth: 1000, keys: 1 << 20, strings: 1 << 20 };

/** Depth, keys and strings of a parsed value, counted the slow way. */
function counted(value: unknown): { depth: number; keys: number; strings: number } {
  if (typeof value === "string") return { depth: 0, keys: 0, strings: 1 };
  if (value === null || typeof value !== "object") return { depth: 0, keys: 0, strings: 0 };
  const entries = Array.isArray(value) ? value.map((item) => [undefined, item] as const) : Object.entries(value);
  const inner = entries.map(([, item]) => counted(item));
  return {
    depth: 1 + Math.max(0, ...inner.map((each) => each.depth)),
    keys: (Array.isArray(value) ? 0 : entries.length) + inner.reduce((sum, each) => sum + each.keys, 0),
    strings: inner.reduce((sum, each) => sum + each.strings, 0),
  };
}

describe("measureJson", () => {
  it("finds each limit exactly where a parse would, on random JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        const { depth, keys, strings } = counted(value);
        expect(measureJson(text, roomy)).toBeUndefined();
        if (depth > 0) expect(measureJson(text, { ...roomy, depth: depth - 1 })).toEqual({ over: "depth", measured: depth, limit: depth - 1 });
        if (keys > 0) expect(measureJson(text, { ...roomy, keys: keys - 1 })).toEqual({ over: "keys", measured: keys, limit: keys - 1 });
        if (strings > 0) expect(measureJson(text, { ...roomy, strings: strings - 1 })?.over).toBe("strings");
        const bytes = Buffer.byteLength(text);
        expect(measureJson(text, { ...roomy, bytes: bytes - 1 })).toEqual({ over: "bytes", measured: bytes, limit: bytes - 1 });
        expect(measureJson(text, { ...roomy, bytes })).toBeUndefined();
      }),
      { seed: testSeed("measureJson"), numRuns: 500 },
    );
  });

  it("stops at the first level too deep: a megabyte nested 500,000 deep costs no stack", () => {
    const deep = `${"[".repeat(500_000)}${"]".repeat(500_000)}`;
    expect(measureJson(deep, { ...roomy, depth: 32 })).toEqual({ over: "depth", measured: 33, limit: 32 });
  });

  it("does not count brackets, colons or quotes inside strings", () => {
    expect(measureJson('["[[[{:}]]]", "\\"x\\":1"]', { ...roomy, depth: 1, keys: 0 })).toBeUndefined();
  });
});

describe("eventName", () => {
  it("reads the name without parsing the rest, and says when it is too long", () => {
    expect(eventName('["chat message",' + "[".repeat(10_000), 100)).toEqual({ name: "chat message" });
    expect(eventName(`[${JSON.stringify("x".repeat(101))}]`, 100)).toEqual({ tooLong: 101 });
    expect(eventName("[42]", 100)).toEqual({});
    expect(eventName('["unterminated', 100)).toEqual({});
  });
});
