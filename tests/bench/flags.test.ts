/** The benchmark's flags and statistics, without running it (its smoke test runs it, in the page project). */
import { expect, it } from "vitest";
import { percentile } from "../../bench/stats.ts";
import { readFlags } from "../../bench/flags.ts";

it("reads flags and refuses bad ones with the usage", () => {
  expect(readFlags(["--sandboxes=7", "--only=density,page"])).toMatchObject({ sandboxes: 7, only: ["density", "page"], clients: 20, dist: undefined });
  expect(readFlags(["--dist=/tmp/page"]).dist).toBe("/tmp/page");
  expect(() => readFlags(["--sandboxes=0"])).toThrow(/--sandboxes=0 is not a whole number/);
  expect(() => readFlags(["--only=disk"])).toThrow(/--only takes fanout, code, density, flood, page/);
  expect(() => readFlags(["--bogus=1"])).toThrow();
  expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
});
