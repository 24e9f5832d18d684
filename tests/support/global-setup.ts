/** Builds the playground once per test run when its sources changed, so browser tests serve what `npm start` would. */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = fileURLToPath(new URL("../../", import.meta.url));
const sources = ["playground", "lessons", "server", "vite.config.ts", "package-lock.json"];

/** Newest modification time under `path`, in ms (0 when it does not exist). */
function newest(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

export default async function setup(): Promise<void> {
  const built = newest(join(root, "dist", "index.html"));
  const changed = Math.max(...sources.map((source) => newest(join(root, source))));
  if (built > changed) return; // dist/ is newer than every source: it is what a build would write
  await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn" });
}
