/** The live server as a factory: wires sandboxes, the control channel and the dispatcher; never listens. */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { RedisLink } from "./cluster/redis-link.ts";
import { resolveOptions, type PlaygroundOptions } from "./config.ts";
import { ControlChannel } from "./control/control-channel.ts";
import { CreationQuota } from "./http/creation-quota.ts";
import { attachUpgrades, handleRequest, type Routes, type UpgradePolicy } from "./http/dispatcher.ts";
import { sendJson } from "./http/json-answers.ts";
import { createRefusal } from "./http/unknown-sandbox.ts";
import { SandboxRegistry } from "./sandbox/sandbox-registry.ts";

export type { PlaygroundOptions } from "./config.ts";

export interface Playground {
  registry: SandboxRegistry;
  options: PlaygroundOptions;
  /** True when the request was the playground's and has been answered. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** A `request` listener for a server that serves the playground alone: its URLs, and a JSON 404 for the rest. */
  answer(req: IncomingMessage, res: ServerResponse): void;
  /** Closes every sandbox and the control channel; the HTTP server stays open. */
  close(): void;
}

export interface AttachOptions {
  options?: Partial<PlaygroundOptions>;
  /**
   * `"all"` (default): every upgrade on this HTTP server is the playground's to answer, and one to an unknown
   * path gets a JSON 404 at once. `"own"`: upgrades outside the playground's paths are left alone (Vite's HMR).
   */
  upgrades?: UpgradePolicy;
}

/**
 * Attaches the live server's upgrades to an HTTP server; requests stay the caller's: it calls `handle` (beside
 * sirv or Vite's middlewares) or adds `answer` as its `request` listener.
 *
 * @example
 * const httpServer = createServer();
 * const playground = createPlayground(httpServer);
 * httpServer.on("request", playground.answer);
 * httpServer.listen(0, "127.0.0.1");
 */
export function createPlayground(httpServer: HttpServer, { options = {}, upgrades = "all" }: AttachOptions = {}): Playground {
  const resolved = resolveOptions(process.env, options);
  const control: ControlChannel = new ControlChannel(() => registry);
  const registry: SandboxRegistry = new SandboxRegistry(resolved, (id) => control.sinkFor(id));
  const refusal = createRefusal();
  const quota = new CreationQuota(resolved.createQuota, resolved.createWindowMs);
  const routes: Routes = { registry, control: control.engine, refusal: refusal.engine, quota };
  const handle = (req: IncomingMessage, res: ServerResponse) => handleRequest(routes, req, res);
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (handle(req, res)) return;
    sendJson(res, 404, { error: `Nothing at ${JSON.stringify((req.url ?? "/").split("?", 1)[0].slice(0, 80))}: this server has the API and the sandboxes only.` });
  };
  const detachUpgrades = attachUpgrades(httpServer, routes, upgrades);
  // The process's Redis connections, shared by every sandbox (and every playground of this process) on that URL.
  const redis = resolved.redisUrl ? RedisLink.acquire(resolved.redisUrl) : undefined;
  return {
    registry,
    options: resolved,
    handle,
    answer,
    close() {
      detachUpgrades();
      httpServer.off("request", answer);
      registry.closeAll();
      control.close();
      refusal.close();
      if (redis) RedisLink.release(redis);
    },
  };
}
