/** Generated inputs: nothing but a parse error ever comes out of bad text, and accepted chains are exactly the real API's. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCommand, printChain, printCommand, type ChainStep, type ChainTarget } from "../../contract/console/index.ts";
import { stepNames, stepShapes, type StepName as Name } from "../../contract/console/console-grammar.ts";
import { testSeed } from "../support/live.ts";
import { anyLine } from "./console-arbitraries.ts";
import { typeCheck } from "./socket-io-types.ts";

fc.configureGlobal({ seed: testSeed("console properties (fast-check)") });

describe("generated input", () => {
  it("never throws: a refusal is a result whose position lies inside the line", () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        const result = parseCommand(line);
        if (result.ok) return;
        expect(result.error.position).toBeGreaterThanOrEqual(0);
        expect(result.error.position).toBeLessThanOrEqual(line.length);
        expect(result.error.message).toMatch(/^\S.*[.!]$/);
      }),
      { numRuns: 3000 },
    );
  });

  it("prints every accepted line canonically, and the canonical text parses back to the same command", () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        const result = parseCommand(line);
        if (!result.ok) return;
        const again = parseCommand(printCommand(result.command));
        expect(again).toEqual(result);
      }),
      { numRuns: 3000 },
    );
  });

  it("carries any JSON value through emit unchanged", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 6 }), { maxLength: 4 }), (args) => {
        const normalized = JSON.parse(JSON.stringify(args)) as unknown[]; // what reaches a client: -0 is 0
        const line = printChain({ kind: "io" }, [{ name: "emit", event: "x", args: normalized as never }]);
        const result = parseCommand(line);
        expect(result).toEqual({ ok: true, command: { kind: "chain", target: { kind: "io" }, steps: [{ name: "emit", event: "x", args: normalized }] } });
      }),
      { numRuns: 500 },
    );
  });
});

describe("accepted chains are exactly those Socket.IO's own types allow", () => {
  // Every step of the grammar module takes part, so a new step cannot escape the oracle. Whether a step's value
  // ends a chain in Socket.IO's API is written here, apart from the grammar; a new step fails `npm run check` until it is.
  const endsChain: Record<Name, boolean> = {
    of: false, sockets: false, to: false, in: false, except: false, broadcast: false, volatile: false, local: false, compress: false, timeout: false,
    emit: true, join: true, leave: true, rooms: true, id: true, disconnect: true,
    fetchSockets: true, socketsJoin: true, socketsLeave: true, disconnectSockets: true,
  };
  const terminal = new Set(stepNames.filter((name) => endsChain[name]));

  function step(name: Name): ChainStep {
    const shape = stepShapes[name];
    switch (shape) {
      case "string":
        return { name, arg: name === "of" ? "/admin" : "r" } as ChainStep;
      case "number":
        return { name, ms: 100 } as ChainStep;
      case "boolean":
        return { name, on: false } as ChainStep;
      case "emit":
        return { name, event: "x", args: [1] } as ChainStep;
      case "property":
      case "call":
        return { name } as ChainStep;
      default:
        throw new Error(`No example argument for a step of shape ${shape satisfies never}.`);
    }
  }

  /** Chains the types allow that the console refuses on purpose, each for a reason a learner is told. */
  function refusedOnPurpose(target: ChainTarget, names: Name[]): boolean {
    if (target.kind === "socket" && names.length === 0) return false; // socket("A") alone describes the socket
    const last = names.at(-1);
    if (!last || !terminal.has(last)) return true; // "does nothing yet": a chain must end in a call
    if (names.slice(0, -1).some((name) => terminal.has(name))) return true; // socket.disconnect() returns the socket; nothing may follow
    // socket.volatile / .compress() / .timeout() flag the socket's next emit; .join(), .rooms… after them would leave the flag behind
    return target.kind === "socket" && ["join", "leave", "rooms", "id", "disconnect"].includes(last) && names.some((name) => name === "volatile" || name === "compress" || name === "timeout");
  }

  function chainsUpTo(length: number): Name[][] {
    let level: Name[][] = [[]];
    const all: Name[][] = [[]];
    for (let size = 1; size <= length; size++) {
      level = level.flatMap((chain) => stepNames.map((name) => [...chain, name]));
      all.push(...level);
    }
    return all;
  }

  it("for every chain of up to three steps on io and on socket(\"A\"), and random longer ones", () => {
    const longer = fc.sample(fc.array(fc.constantFrom(...stepNames), { minLength: 4, maxLength: 7 }), { numRuns: 1500, seed: 42 });
    const chains = [...chainsUpTo(3), ...longer].flatMap((names) =>
      (["io", "socket"] as const).map((kind) => {
        const target: ChainTarget = kind === "io" ? { kind } : { kind, name: "A" };
        return { target, names, text: printChain(target, names.map(step)) };
      }),
    );
    const allowed = typeCheck(chains.map(({ text }) => text.replace('socket("A")', "socketA")));
    let accepted = 0;
    const mismatches: string[] = [];
    chains.forEach(({ target, names, text }, index) => {
      const result = parseCommand(text);
      if (result.ok) accepted++;
      if (result.ok && !allowed[index]) mismatches.push(`accepted but not in the API: ${text}`);
      if (!result.ok && allowed[index] && !refusedOnPurpose(target, names)) mismatches.push(`refused but allowed: ${text} (${result.error.message})`);
    });
    expect(mismatches).toEqual([]);
    expect(accepted).toBeGreaterThan(400); // the oracle is not vacuous (500 of about 15,000 at the time of writing)
  }, 120_000);
});
