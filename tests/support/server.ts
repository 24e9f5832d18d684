/** Starts the real playground server (built page + live server) on 127.0.0.1, port 0, for tests. */
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../server/http-server.ts";
import type { PlaygroundOptions } from "../../server/app.ts";

/** The `dist/` folder the global setup builds. */
export const distDir = fileURLToPath(new URL("../../dist", import.meta.url));

/**
 * A real server for one test file. Close it in `afterAll`.
 *
 * @example
 * const server = await startTestServer();
 * await page.goto(`${server.url}/lessons/chat`);
 */
export function startTestServer(options: Partial<PlaygroundOptions> = {}): Promise<RunningServer> {
  return startServer({ port: 0, host: "127.0.0.1", distDir, options });
}
