/**
 * `npm test`: every vitest project, in two streams side by side on one build of the page. The browser project
 * (real Chromium, one file at a time) is the long one; the unit project, then the page's server-side tests, run
 * beside it, so its waits for browsers overlap their work. With arguments it is plain `vitest run <arguments>`.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { buildPageOnce, builtPageVariable } from "./build-page.ts";

const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
/** What to undo if `npm test` is stopped: the running vitest processes, the page's build. */
const cleanups = new Set<() => void>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const cleanup of cleanups) cleanup();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

interface Outcome {
  projects: string;
  code: number;
  seconds: number;
}

/** Runs `vitest run` with these arguments, passing its output on line by line (two streams never cut each other's lines). */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  const started = Date.now();
  const projects = args.filter((_, index) => args[index - 1] === "--project").join(" + ");
  const child = spawn(process.execPath, [vitest, "run", ...args], {
    env: { ...env, ...(process.stdout.isTTY && env.NO_COLOR === undefined ? { FORCE_COLOR: "1" } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = () => child.kill("SIGTERM");
  cleanups.add(stop);
  child.on("close", () => cleanups.delete(stop));
  createInterface({ input: child.stdout }).on("line", (line) => process.stdout.write(`${line}\n`));
  createInterface({ input: child.stderr }).on("line", (line) => process.stderr.write(`${line}\n`));
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ projects, code: code ?? (signal ? 1 : 0), seconds: Math.round((Date.now() - started) / 1000) }));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length > 0) return (await run(args, process.env)).code;

  const started = Date.now();
  // The unit project needs no build: it starts at once, while the page builds.
  const unit = run(["--project", "unit"], process.env);
  const page = await buildPageOnce().catch((error: unknown) => {
    console.error("npm test: the page did not build, so the page and browser projects cannot run:", error);
    return undefined;
  });
  if (!page) {
    await unit;
    return 1;
  }
  cleanups.add(page.remove);
  try {
    const env = { ...process.env, [builtPageVariable]: page.dir };
    const browser = run(["--project", "browser"], env);
    const served = unit.then(() => run(["--project", "page"], env));
    const outcomes = await Promise.all([unit, served, browser]);
    console.log(`\nnpm test, ${Math.round((Date.now() - started) / 1000)} s in all:`);
    for (const outcome of outcomes) console.log(`  ${outcome.projects}: ${outcome.code === 0 ? "passed" : "FAILED"} (${outcome.seconds} s)`);
    return outcomes.every((outcome) => outcome.code === 0) ? 0 : 1;
  } finally {
    page.remove();
  }
}

process.exitCode = await main();
