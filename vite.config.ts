/** Build, dev server and tests: Svelte, the lesson compiler, and the live server on Vite's own HTTP server. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { livePlayground } from "./server/vite-plugin-live-server.ts";
import { lessonsPlugin } from "./server/lessons/vite-plugin-lessons.ts";

const projectRoot = fileURLToPath(new URL(".", import.meta.url));

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
    include: ["tests/**/*.test.ts", "server/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ["tests/support/global-setup.ts"],
  },
});
