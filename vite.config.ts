/// <reference types="vitest/config" />
/** Build, dev server and tests: Svelte, the lesson compiler, and the live server on Vite's own HTTP server. */
import { fileURLToPath } from "node:url";
// From vite, not vitest/config: `npm start` builds the page with this file, and vitest is a dev dependency.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { livePlayground } from "./server/vite-plugin-live-server.ts";
import { lessonsPlugin } from "./server/lessons/vite-plugin-lessons.ts";

const projectRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * Tests of the built page that run beside the browser project under `npm test`: the production server, its process,
 * the benchmark's page part, the browser walks that mostly wait (recovery's ping timeouts, a server restart), and
 * enough other browser files that both streams take about as long (see scripts/test.ts).
 */
const servedPageTests = [
  "tests/server/http-server.test.ts",
  "tests/server/every-request-answered.test.ts",
  "tests/server/shutdown.test.ts",
  "tests/server/behind-haproxy.test.ts",
  "tests/bench/bench-smoke.test.ts",
  "tests/browser/recovery.test.ts",
  "tests/browser/restart.test.ts",
  "tests/browser/panel.test.ts",
];
/** The other tests in real Chromium, on the built page. */
const browserTests = ["tests/browser/**/*.test.ts"];

export default defineConfig({
  root: "playground",
  publicDir: false,
  plugins: [svelte(), lessonsPlugin(), livePlayground()],
  build: {
    outDir: "../dist",
    emptyOutDir: true,
  },
  test: {
    root: projectRoot,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // A poll waits for something that will happen; on a loaded 2-core machine that can take more than the default 1 s.
    expect: { poll: { timeout: 10_000 } },
    // `npm test` (scripts/test.ts) runs the browser project beside the unit project, then the page project; plain
    // `vitest run` runs all three one file at a time. `npm run test:unit` runs the first only, without a build.
    projects: [
      {
        extends: true,
        // One module graph for all its files (each still starts and closes its own servers): modules import once, a third less time.
        test: { name: "unit", include: ["tests/**/*.test.ts", "server/**/*.test.ts"], exclude: [...servedPageTests, ...browserTests], isolate: false },
      },
      {
        extends: true,
        // Builds the page once per run into a temporary folder; its tests serve that (inject("distDir")).
        test: { name: "page", include: servedPageTests, globalSetup: ["tests/support/global-setup.ts"] },
      },
      {
        extends: true,
        // One file at a time, as in every project: a stream never runs two of its files at once.
        test: { name: "browser", include: browserTests, exclude: servedPageTests, globalSetup: ["tests/support/global-setup.ts"] },
      },
    ],
  },
});
