/** `npm run dev`: the live server on Vite's own HTTP server, so the page and the sandboxes share one port. */
import type { Server as HttpServer } from "node:http";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

const appModule = fileURLToPath(new URL("./app.ts", import.meta.url));
const configModule = fileURLToPath(new URL("./config.ts", import.meta.url));

/**
 * Vite plugin that attaches the live server in dev. The server code is loaded through Vite itself
 * (`ssrLoadModule`), so the config stays small and vitest, which has no HTTP server, never loads it.
 *
 * @example
 * export default defineConfig({ plugins: [svelte(), livePlayground()] });
 */
export function livePlayground(): Plugin {
  return {
    name: "socket-playground:live-server",
    apply: "serve",
    async configureServer(server) {
      if (!server.httpServer) return; // middleware mode (vitest, embedding): nothing to attach to
      const httpServer = server.httpServer as HttpServer;
      const { createPlayground } = (await server.ssrLoadModule(appModule)) as typeof import("./app.ts");
      const { projectDataDir } = (await server.ssrLoadModule(configModule)) as typeof import("./config.ts");
      // Vite's HMR shares this HTTP server: the upgrades that are not the playground's are left to it.
      const playground = createPlayground(httpServer, {
        upgrades: "own",
        options: { dataDir: process.env.PLAYGROUND_DATA ?? projectDataDir },
      });
      server.middlewares.use((req, res, next) => {
        if (!playground.handle(req, res)) next();
      });
      httpServer.once("close", () => playground.close());
    },
  };
}
