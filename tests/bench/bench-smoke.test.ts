/** The benchmark at tiny sizes, so it cannot rot: it runs end to end and its last line holds every figure. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, inject, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tiny = ["--clients=3", "--messages=60", "--rounds=1", "--sandboxes=3", "--per-sandbox=2", "--rate=40", "--seconds=1", "--page-clients=2", "--page-events=40", "--code-sandboxes=2", "--flood-sandboxes=2", "--flood-messages=20", "--flood-rate=20"];

it("npm run bench at tiny sizes prints a table and, last, one JSON object with every figure", async () => {
  const args = ["--expose-gc", "--import", "tsx", "bench/run.ts", ...tiny, `--dist=${inject("distDir")}`]; // the page this run built
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: root, timeout: 110_000 });
  const lines = stdout.trim().split("\n");
  console.log(stdout, stderr); // the run's table and progress, for whoever reads the test output
  expect(lines[0]).toMatch(/^measure +\| plain Socket\.IO/);
  const figures = JSON.parse(lines.at(-1)!);

  expect(figures.fanOut.plainRounds).toHaveLength(1);
  expect(figures.fanOut.plainPerSecond).toBeGreaterThan(0);
  expect(figures.fanOut.playgroundPerSecond).toBeGreaterThan(0);
  expect(figures.fanOut.ratio).toBeCloseTo(figures.fanOut.playgroundPerSecond / figures.fanOut.plainPerSecond, 1);
  expect(figures.fanOut.pairedRatio).toBeCloseTo(figures.fanOut.playgroundRounds[0] / figures.fanOut.plainRounds[0], 1); // one round: one pair
  expect(figures.fanOut.ownerTraceEntries).toBeGreaterThan(0); // the owner really listened to the trace

  expect(figures.code.builtInPerSecond).toBeGreaterThan(0);
  expect(figures.code.editedPerSecond).toBeGreaterThan(0); // the learner code ran throughout (the bench throws if it stopped)
  expect(figures.code.memory.quickjsHeapPerEngine).toBeGreaterThan(0);

  for (const side of [figures.density.plain, figures.density.playground]) {
    expect(Number.isFinite(side.heapBytes)).toBe(true); // at 3 sandboxes, GC noise can outweigh them: a figure, not a sign
    expect(side.sent).toBe(40);
    expect(side.received).toBe(80); // io.emit to both clients of the sandbox
    expect(side.p99Ms).toBeGreaterThanOrEqual(side.p50Ms);
  }
  expect(typeof figures.density.returnedWithin10Percent).toBe("boolean");

  expect(figures.flood.sent).toBe(40); // 20 from each sandbox's client A
  expect(figures.flood.keptBytesMax).toBeGreaterThan(0);
  expect(figures.flood.keptBytesMax).toBeLessThanOrEqual(figures.flood.feedBytes);
  expect(Number.isFinite(figures.flood.peakRssBytes)).toBe(true);

  expect(figures.page.timeToLastEventMs).toBeGreaterThan(0);
  expect(figures.page.firstLoadJsGzip).toBeGreaterThan(1000);
  expect(figures.page.terminalLazy).toBe(true);
}, 120_000);

