/** What the owner is shown of a payload: the same JSON when it fits, a cut copy with its real size otherwise, never a stack overflow. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundedJson, cutText, shownArgs } from "../../server/sandbox/shown-payload.ts";
import { testSeed } from "../support/live.ts";

describe("boundedJson", () => {
  it("writes what JSON.stringify writes, when it fits", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const json = JSON.stringify(value);
        expect(boundedJson(value, json.length)).toEqual({ text: json, complete: true, length: json.length });
      }),
      { seed: testSeed("boundedJson"), numRuns: 500 },
    );
  });

  it("stops at its limit on values JSON.stringify cannot write: nested a million deep, cyclic", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(boundedJson(deep, 20)).toMatchObject({ text: "[".repeat(20), complete: false });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(boundedJson(cyclic, 30).complete).toBe(false);
  });
});

describe("shownArgs and cutText", () => {
  it("keep small arguments as they are, and cut large ones with their real size", () => {
    const small = [{ a: 1 }, "hi"];
    expect(shownArgs(small, 1024).args).toEqual(small);
    expect(shownArgs(["x".repeat(64 * 1024)], 1024).args).toEqual([`${"x".repeat(1024)}… (64 KiB, shown 1 KiB)`]);
    expect(shownArgs([{ big: "y".repeat(5000) }], 1024).args[0]).toMatch(/^\{"big":"y+… \(5 KiB, shown 1 KiB\)$/);
    expect(shownArgs(Array.from({ length: 300_000 }, () => ""), 1024).args.at(-1)).toMatch(/^… \(29\d{4} more arguments\)$/);
    expect(cutText("z".repeat(3000), 10)).toBe("zzzzzzzzzz… (3 KiB, shown 10 bytes)");
  });

  it("count flat arguments (strings, numbers, booleans, null) as the bytes of their JSON, and cut them past the limit", () => {
    const flat = fc.array(fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.double(), fc.boolean(), fc.constant(null)), { maxLength: 6 });
    fc.assert(
      fc.property(flat, fc.integer({ min: 2, max: 200 }), (args, shown) => {
        const json = JSON.stringify(args);
        const result = shownArgs(args, shown);
        if (json.length <= shown) expect(result).toEqual({ args, bytes: json.length });
        else expect(result.bytes).toBeGreaterThan(shown); // cut: counted at the limit and more
      }),
      { seed: testSeed("shownArgs flat"), numRuns: 500 },
    );
  });
});
