/** Starts the real playground server (built page + live server) on 127.0.0.1, port 0, for tests of the page project. */
import { inject } from "vitest";
import { startServer, type RunningServer } from "../../server/http-server.ts";
import type { PlaygroundOptions } from "../../server/app.ts";
import { followServer, unfollowServer } from "./live.ts";

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
