/** The production server: the built page (sirv) and the live server on one HTTP port. */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import sirv from "sirv";
import { createPlayground, type Playground, type PlaygroundOptions } from "./app.ts";

export interface ServerConfig {
  port: number;
  host: string;
  /** The folder `vite build` wrote. */
  distDir: string;
  options?: Partial<PlaygroundOptions>;
}

export interface RunningServer {
  url: string;
  server: HttpServer;
  playground: Playground;
  close(): Promise<void>;
}

/**
 * Serves `distDir` and the live server, and resolves once listening.
 *
 * @example
 * const { url, close } = await startServer({ port: 0, host: "127.0.0.1", distDir: "dist" });
 */
export async function startServer({ port, host, distDir, options }: ServerConfig): Promise<RunningServer> {
  const serveStatic = sirv(distDir, {
    single: true, // client-side routes (/lessons/...) fall back to index.html
    etag: true,
    setHeaders(res, pathname) {
      // Vite puts content hashes in /assets/ names: those never change; the page itself is revalidated.
      res.setHeader("cache-control", pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  const server = createServer();
  const playground = createPlayground(server, { options });
  server.on("request", (req, res) => {
    if (playground.handle(req, res)) return;
    serveStatic(req, res, () => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Not found");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    playground,
    close: () =>
      new Promise<void>((resolve) => {
        playground.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
