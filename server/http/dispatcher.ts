/** One request and upgrade listener on the shared HTTP server, routing to the API, the control channel and sandboxes. */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Server as EngineServer } from "engine.io";
import type { SandboxTicket } from "../../contract/protocol.ts";
import type { SandboxRegistry } from "../sandbox/sandbox-registry.ts";

export interface Routes {
  registry: SandboxRegistry;
  control: EngineServer;
  refusal: EngineServer;
}

const sandboxPath = /^\/sandbox\/([^/]+)\/socket\.io\/?$/;

/**
 * The engine that should take this URL, or undefined when it is not ours (Vite's or the static files').
 *
 * @example
 * engineFor(routes, "/sandbox/abc/socket.io/?EIO=4"); // the sandbox's engine, or the refusal
 */
export function engineFor(routes: Routes, url: string): EngineServer | undefined {
  const path = url.split("?", 1)[0];
  if (path === "/control/socket.io" || path === "/control/socket.io/") return routes.control;
  const match = sandboxPath.exec(path);
  if (!match) return undefined;
  return routes.registry.get(match[1])?.engine ?? routes.refusal;
}

/**
 * Handles a request if it is the playground's (API, control channel, sandbox); returns false otherwise.
 *
 * @example
 * createServer((req, res) => handleRequest(routes, req, res) || serveStatic(req, res));
 */
export function handleRequest(routes: Routes, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  if (url.split("?", 1)[0] === "/api/sandboxes") {
    createSandbox(routes, req, res);
    return true;
  }
  const engine = engineFor(routes, url);
  if (!engine) return false;
  const sid = new URL(url, "http://x").searchParams.get("sid");
  const sessions = (engine as unknown as { clients: Record<string, unknown> }).clients;
  if (sid && engine !== routes.control && !Object.hasOwn(sessions, sid)) {
    // A polling request still in flight when a program switch replaced the sandbox's server (or its session
    // closed): answer with an Engine.IO close packet ("1") instead of engine.io's 400 "Session ID unknown",
    // so the client just reconnects and the page logs no failed request.
    res.writeHead(200, { "content-type": "text/plain; charset=UTF-8", "cache-control": "no-store" });
    res.end(req.method === "POST" ? "ok" : "1");
    return true;
  }
  engine.handleRequest(req, res);
  return true;
}

/**
 * Routes WebSocket upgrades for the playground's paths and leaves every other upgrade (Vite's HMR) alone.
 * Returns a function that detaches it; the HTTP server itself is never closed here.
 *
 * @example
 * const detach = attachUpgrades(httpServer, routes);
 */
export function attachUpgrades(httpServer: HttpServer, routes: Routes): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const engine = engineFor(routes, req.url ?? "/");
    if (engine) engine.handleUpgrade(req, socket, head);
  };
  httpServer.on("upgrade", onUpgrade);
  return () => httpServer.off("upgrade", onUpgrade);
}

function createSandbox(routes: Routes, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== "POST") return json(res, 405, { error: "Create a sandbox with POST /api/sandboxes." });
  const sandbox = routes.registry.create();
  if (!sandbox) {
    return json(res, 503, { error: "The playground is full: too many sandboxes are open. Try again in a few minutes." });
  }
  const ticket: SandboxTicket = { id: sandbox.id, token: sandbox.token, clientKey: sandbox.clientKey, path: sandbox.path };
  json(res, 201, ticket);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
