/** `npm start`: builds the playground if needed, then serves it and the live server on one port. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startServer } from "./http-server.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const distDir = `${root}dist`;

if (!existsSync(`${distDir}/index.html`) || process.argv.includes("--build")) {
  console.log("Building the playground (first start)…");
  const { build } = await import("vite");
  await build({ configFile: `${root}vite.config.ts`, logLevel: "warn" });
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const running = await startServer({ port, host, distDir });
console.log(`Socket Playground is running at ${running.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
