/** Starts the real playground server (built page + live server) on 127.0.0.1, port 0, for tests of the page project (and Chromium beside it). */
import { afterAll, beforeAll, inject } from "vitest";
import type { Browser } from "playwright-core";
import { startServer, type RunningServer } from "../../server/http-server.ts";
import type { PlaygroundOptions } from "../../server/app.ts";
import { followServer, unfollowServer } from "./live.ts";
import { launchBrowser } from "./browser.ts";

/**
 * The folder the page project's global setup built the page into, once for this run.
 *
 * @example
 * readdirSync(`${builtPage()}/assets`);
 */
export function builtPage(): string {
  const dir = inject("distDir");
  if (!dir) throw new Error("No built page: this test belongs to the page project (vite.config.ts), whose global setup builds it.");
  return dir;
}

/**
 * A real server for one test file, serving this run's build. Close it in `afterAll`.
 *
 * @example
 * const server = await startTestServer();
 * await page.goto(`${server.url}/lessons/chat`);
 */
export async function startTestServer(options: Partial<PlaygroundOptions> = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, host: "127.0.0.1", distDir: builtPage(), options });
  followServer(server.url, server.playground);
  return {
    ...server,
    close: () => {
      unfollowServer(server.url);
      return server.close();
    },
  };
}

/**
 * For a browser test file: a real server (as `startTestServer`) and real Chromium, started before the file's tests
 * and closed after them. Read them as `live.server` and `live.browser` inside tests and hooks.
 *
 * @example
 * const live = serverAndBrowser();
 * it("opens", async () => { const page = await live.browser.newPage(); await page.goto(`${live.server.url}/lessons/chat`); });
 */
export function serverAndBrowser(): { readonly server: RunningServer; readonly browser: Browser } {
  const parts: { server?: RunningServer; browser?: Browser } = {};
  beforeAll(async () => {
    parts.server = await startTestServer();
    parts.browser = await launchBrowser();
  });
  afterAll(async () => {
    await parts.browser?.close();
    await parts.server?.close();
  });
  return {
    get server() {
      if (!parts.server) throw new Error("The server starts in beforeAll: read live.server inside a test or hook.");
      return parts.server;
    },
    get browser() {
      if (!parts.browser) throw new Error("Chromium starts in beforeAll: read live.browser inside a test or hook.");
      return parts.browser;
    },
  };
}
