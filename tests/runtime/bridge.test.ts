/**
 * The bridge is the boundary: even a guest that were fully taken over could only call `host(op, …)` with text and
 * numbers. Random and hostile calls must be answered or refused with an Error, never crash or grow the server.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import fc from "fast-check";
import { Server as EngineServer } from "engine.io";
import { Server } from "socket.io";
import type { LessonServer } from "../../server/programs/program.ts";
import { resolveOptions } from "../../server/config.ts";
import { codeLimits } from "../../server/runtime/budgets.ts";
import { Bridge } from "../../server/runtime/bridge.ts";
import type { BridgeValue } from "../../server/runtime/quickjs-engine.ts";
import { QuickJSEngine } from "../../server/runtime/quickjs-engine.ts";

const limits = codeLimits(resolveOptions());
let io: LessonServer;
let engine: QuickJSEngine;
let bridge: Bridge;
const printed: string[] = [];

beforeAll(async () => {
  io = new Server() as LessonServer;
  io.bind(new EngineServer() as never);
  engine = await QuickJSEngine.create(limits);
  const print = (text: unknown) => void printed.push(String(text));
  bridge = new Bridge(engine, io, { console: { log: print, info: print, warn: print, error: print }, settings: { broadcast: false }, site: { line: undefined } }, limits);
  engine.attach(bridge);
});
afterAll(() => {
  bridge.dispose();
  engine.dispose();
  io.close();
});

const ops = ["log", "fail", "listen", "middleware", "next", "matched", "namespace", "parent", "chain", "join", "leave", "rooms", "state", "sockets", "adapterRooms", "disconnect", "reply", "timer", "clear", "expired"];
const refs = ["n:/", "n:/admin", "n:", "p:1", "p:-1", "s:abc:/", "s::", "a:/", "a:/nope", "x", "", "s:__proto__:/", "n:__proto__"];
const jsonish = ["[]", "{}", '[["emit","x"]]', '[["to","r"],["emit","x"]]', '[["join","r"]]', '[["timeout",1e9],["emit","x"]]', '{"__proto__":{"polluted":1}}', "[".repeat(100) + "]".repeat(100), "not json", '["a"]', "null"];

const value: fc.Arbitrary<BridgeValue> = fc.oneof(
  fc.constantFrom(...refs, ...jsonish, "connection", "create-room", "*", "log", "disconnect", "/x", "/tenant-a", '"r"', '["r","s"]'),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -5, max: 100 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 53, 0),
  fc.constant(undefined),
);

it("answers or refuses any call with an Error, and the server stays as it was", () => {
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...ops), fc.string({ maxLength: 12 })), fc.array(value, { maxLength: 6 }), (op, args) => {
      try {
        const result = bridge.op(op, args);
        expect(["string", "number", "undefined"]).toContain(typeof result);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: 2000, seed: 20261128 },
  );
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(io._nsps.size).toBeLessThanOrEqual(1 + limits.namespaces);
  for (const line of printed) expect(line.length).toBeLessThanOrEqual(limits.consoleLine + 200);
});
