/**
 * `npm start [-- --build | --dist=folder]`: builds the playground into `dist/` if needed (or always, with
 * `--build`), or serves a build that exists elsewhere (`--dist`), and the live server on the same port.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { projectDataDir } from "./config.ts";
import { guardProcess } from "./fault-guard.ts";
import { startServer } from "./http-server.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const { values: args } = parseArgs({ options: { build: { type: "boolean" }, dist: { type: "string" } } });
const distDir = args.dist === undefined ? `${root}dist` : resolve(args.dist);
/** SIGTERM/SIGINT end the process within this long, whatever is still connected. */
const shutdownMs = 4000;

if (args.dist !== undefined) {
  if (!existsSync(`${distDir}/index.html`)) throw new Error(`--dist=${args.dist}: there is no built page (index.html) in ${distDir}.`);
} else if (!existsSync(`${distDir}/index.html`) || args.build) {
  console.log("Building the playground (first start)…");
  const { build } = await import("vite");
  await build({ configFile: `${root}vite.config.ts`, logLevel: "warn" });
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const dataDir = process.env.PLAYGROUND_DATA ?? projectDataDir;
const running = await startServer({ port, host, distDir, options: { dataDir } });
guardProcess(); // an error that escapes a sandbox's handlers closes that sandbox, never this process
const { processName } = running.playground.options;
const notes = [processName && `process ${processName}: sandbox ids start with "${processName}."`, dataDir && `sandboxes kept in ${dataDir}`].filter(Boolean);
console.log(`Socket Playground is running at ${running.url}${notes.length ? ` (${notes.join("; ")})` : ""}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    // Closing saves the sandboxes first; if anything still holds on after that, leave anyway.
    setTimeout(() => {
      console.warn(`Some connections did not close within ${shutdownMs} ms; exiting anyway.`);
      process.exit(0);
    }, shutdownMs).unref();
    void running.close().then(() => process.exit(0));
  });
}
