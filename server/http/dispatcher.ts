/** One request and upgrade listener on the shared HTTP server, routing to the API, the control channel and sandboxes. */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Server as EngineServer } from "engine.io";
import { isAdminUiPath, serveAdminUi } from "../admin/admin-ui-files.ts";
import type { SandboxRegistry } from "../sandbox/sandbox-registry.ts";
import type { CreationQuota } from "./creation-quota.ts";
import { explainEngineError, explainUpgradeErrors } from "./engine-answers.ts";
import { refuseSocket, sendJson, withJsonErrors } from "./json-answers.ts";
import { createSandbox } from "./sandbox-api.ts";

export interface Routes {
  registry: SandboxRegistry;
  control: EngineServer;
  /** Accepts the handshake only to refuse with a reason: an unknown sandbox id, or no Socket.IO server at a path. */
  refusal: EngineServer;
  quota: CreationQuota;
}

/**
 * Which upgrade requests are the playground's to answer: `"all"` (production: the playground owns the HTTP server,
 * so an upgrade to any other path gets a JSON 404 and its socket is destroyed) or `"own"` (dev: upgrades outside
 * the playground's paths are left to Vite's HMR).
 */
export type UpgradePolicy = "all" | "own";

const sandboxPath = /^\/sandbox\/([^/]+)\/socket\.io\/?$/;
const controlPath = /^\/control\/socket\.io\/?$/;
/** Paths that are never the page: an unknown one gets a JSON 404, never the SPA's HTML. */
const reserved = /^\/(api|sandbox|control|socket\.io|engine\.io)(\/|$)/;

/**
 * The engine that should take this URL, or undefined when it is not a Socket.IO request of ours. An Engine.IO
 * request (`?EIO=`) to any other path, the default `/socket.io` included, goes to the refusal, whose
 * `connect_error` tells the client which path to use instead of letting it time out.
 *
 * @example
 * engineFor(routes, "/sandbox/abc/socket.io/?EIO=4"); // the sandbox's engine, or the refusal
 */
export function engineFor(routes: Routes, url: string): EngineServer | undefined {
  const path = pathOf(url);
  if (controlPath.test(path)) return routes.control;
  const match = sandboxPath.exec(path);
  if (match) return routes.registry.get(match[1])?.engine ?? routes.refusal;
  return /[?&]EIO=/.test(url) ? routes.refusal : undefined;
}

/**
 * Handles a request if it is the playground's (API, control channel, sandbox, or any reserved path); returns
 * false otherwise (the page's files, Vite's modules).
 *
 * @example
 * createServer((req, res) => handleRequest(routes, req, res) || serveStatic(req, res));
 */
export function handleRequest(routes: Routes, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const path = pathOf(url);
  if (path === "/api/sandboxes" || path === "/api/sandboxes/") {
    createSandbox(req, res, routes.registry, routes.quota);
    return true;
  }
  if (isAdminUiPath(path)) {
    serveAdminUi(req, res);
    return true;
  }
  const engine = engineFor(routes, url);
  if (!engine) {
    if (!reserved.test(path)) return false;
    sendJson(res, 404, { error: notFound(path) });
    return true;
  }
  const query = new URL(url, "http://x").searchParams;
  if (query.has("j")) {
    sendJson(res, 400, { error: "JSONP polling is off on this server: connect with a Socket.IO v4 client (XHR polling or WebSocket)." });
    return true;
  }
  const sid = query.get("sid");
  const sessions = (engine as unknown as { clients: Record<string, unknown> }).clients;
  if (sid && engine !== routes.control && !Object.hasOwn(sessions, sid)) {
    // A polling request still in flight when a program switch replaced the sandbox's server (or its session
    // closed): answer with an Engine.IO close packet ("1") instead of engine.io's 400 "Session ID unknown",
    // so the client just reconnects and the page logs no failed request.
    res.writeHead(200, { "content-type": "text/plain; charset=UTF-8", "cache-control": "no-store" });
    res.end(req.method === "POST" ? "ok" : "1");
    return true;
  }
  engine.handleRequest(req, withJsonErrors(res, explainEngineError));
  return true;
}

/**
 * Routes WebSocket upgrades for the playground's paths; refuses the rest at once with a JSON 404 under the
 * `"all"` policy, or leaves them (Vite's HMR) under `"own"`. Returns a function that detaches it; the HTTP
 * server itself is never closed here.
 *
 * @example
 * const detach = attachUpgrades(httpServer, routes, "all");
 */
export function attachUpgrades(httpServer: HttpServer, routes: Routes, policy: UpgradePolicy): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? "/";
    const engine = engineFor(routes, url);
    if (!engine) {
      if (policy === "all" || reserved.test(pathOf(url))) refuseSocket(socket, 404, notFound(pathOf(url)));
      return;
    }
    const problem = upgradeProblem(req, url);
    if (problem) return refuseSocket(socket, 400, problem);
    explainUpgradeErrors(engine, req);
    engine.handleUpgrade(req, socket, head);
  };
  httpServer.on("upgrade", onUpgrade);
  return () => httpServer.off("upgrade", onUpgrade);
}

/** What is wrong with an upgrade request before Engine.IO and `ws` see it (they would answer in bare text). */
function upgradeProblem(req: IncomingMessage, url: string): string | undefined {
  if (req.method !== "GET") return "A WebSocket upgrade is a GET request; connect with a Socket.IO v4 client.";
  if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") return "Only WebSocket upgrades are served here; connect with a Socket.IO v4 client.";
  const key = req.headers["sec-websocket-key"] ?? "";
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return "This WebSocket handshake has no valid Sec-WebSocket-Key; connect with a Socket.IO v4 client.";
  const version = req.headers["sec-websocket-version"];
  if (version !== "13" && version !== "8") return "This server speaks WebSocket version 13; connect with a Socket.IO v4 client.";
  if (new URL(url, "http://x").searchParams.has("j")) return "JSONP polling is off on this server: connect with a Socket.IO v4 client.";
  return undefined;
}

function notFound(path: string): string {
  const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
  if (path.startsWith("/api")) return `Nothing at ${shown}: the API has one endpoint, POST /api/sandboxes.`;
  return `Nothing at ${shown}. A sandbox's Socket.IO path is /sandbox/<id>/socket.io: copy the snippet from the playground page.`;
}

function pathOf(url: string): string {
  return url.split("?", 1)[0];
}
