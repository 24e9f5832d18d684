/** The production server: the built page (sirv) and the live server on one HTTP port, every request answered. */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import sirv from "sirv";
import { createPlayground, type Playground, type PlaygroundOptions } from "./app.ts";
import { refuseSocket, sendJson, withJsonErrors } from "./http/json-answers.ts";
import { setSecurityHeaders } from "./http/security-headers.ts";

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
  /** Saves the sandboxes, closes every connection whatever its state, and resolves once the port is free. */
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
    single: true, // client-side routes (/lessons/...) fall back to index.html…
    ignores: ["/[^/]*\\.[^/]*$"], // …but a missing file (a dot in the last segment: /assets/x.js, /.env) is a 404
    etag: true,
    setHeaders(res, pathname) {
      // Vite puts content hashes in /assets/ names: those never change; the page itself is revalidated.
      res.setHeader("cache-control", pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  const server = createServer();
  const playground = createPlayground(server, { options, upgrades: "all" });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    if (playground.handle(req, res)) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendJson(res, 405, { error: `The page is read with GET; ${req.method} ${shown(req)} changes nothing here.` }, { allow: "GET, HEAD" });
    }
    serveStatic(req, withJsonErrors(res, (status) => `The server could not send ${shown(req)} (HTTP ${status}).`), () => {
      sendJson(res, 404, { error: `Nothing at ${shown(req)}: the lessons are at /lessons/<slug>.` });
    });
  });
  // A request Node cannot parse still gets an answer in JSON, and its socket is closed at once.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    refuseSocket(socket, status, status === 431 ? "The request headers are too large." : status === 408 ? "The request took too long to arrive." : "The server could not read this HTTP request.");
  });
  // Upgraded sockets leave the HTTP server's books: track every socket, so closing can end them all.
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    playground,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        playground.close();
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      })),
  };
}

function shown(req: IncomingMessage): string {
  const path = (req.url ?? "/").split("?", 1)[0];
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
}
