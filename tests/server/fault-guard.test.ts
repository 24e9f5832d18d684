/** A fault in one sandbox closes that sandbox alone, with a line to its owner; the process and the other sandboxes go on. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../fixtures/fault-guard/faulting-sandboxes.ts", import.meta.url));

/** Runs the fixture in a process of its own: the guard installs process-wide error listeners, vitest's must stay. */
function run(how: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", script, how], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)!));
    });
  });
}

describe("the process guard", () => {
  it.each(["handler", "timer", "promise"])("an error thrown in a program's %s closes that sandbox with a line to its owner", async (how) => {
    const result = await run(how);
    expect(result).toMatchObject({
      reason: "transport close",
      closed: true,
      badClosed: true,
      lastLine: expect.stringMatching(/^The server failed while handling "chat message" from External 1 \(Error: (thrown|rejected) in a/),
      echo: "still here",
      unblamed: 0,
      goodClosed: false,
    });
  });
});
