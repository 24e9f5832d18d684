/** The frame batch's turn-taking: under a flood the weighed commits (logs, the Deliveries table) share a frame's budget. */
import { describe, expect, it } from "vitest";
import { rowsPerFrame, takeTurns } from "../../playground/src/live/frame-turns.ts";

type Weights = Map<string, (() => number) | undefined>;

describe("takeTurns", () => {
  it("runs every commit without a weight, in the order asked for", () => {
    const waiting: Weights = new Map([["a", undefined], ["b", undefined], ["c", undefined]]);
    expect(takeTurns(waiting)).toEqual(["a", "b", "c"]);
  });

  it("runs weighed commits while they fit in the budget, the first always, and never holds back a plain one", () => {
    const heavy = () => Math.ceil(rowsPerFrame * 0.6);
    const waiting: Weights = new Map([["A", heavy], ["B", heavy], ["table", undefined], ["C", () => 1]]);
    // B would not fit after A; C does.
    expect(takeTurns(waiting)).toEqual(["A", "table", "C"]);
    expect(takeTurns(new Map([["huge", () => rowsPerFrame * 10]]))).toEqual(["huge"]);
  });

  it("leaves the one held back first in line: across frames every log gets its turn, oldest first", () => {
    const heavy = () => rowsPerFrame;
    const waiting: Weights = new Map([["A", heavy], ["B", heavy], ["C", heavy]]);
    const frames: string[][] = [];
    while (waiting.size) {
      const turn = takeTurns(waiting);
      for (const commit of turn) waiting.delete(commit);
      frames.push(turn);
      // A log that committed asks again at its next event: it goes to the back of the line.
      if (frames.length === 1) waiting.set("A again", heavy);
    }
    expect(frames).toEqual([["A"], ["B"], ["C"], ["A again"]]);
  });
});
