/** The live server as a factory: wires sandboxes, the control channel and the dispatcher; never listens. */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { resolveOptions, type PlaygroundOptions } from "./config.ts";
import { ControlChannel } from "./control/control-channel.ts";
import { attachUpgrades, handleRequest, type Routes } from "./http/dispatcher.ts";
import { createRefusal } from "./http/unknown-sandbox.ts";
import { SandboxRegistry } from "./sandbox/sandbox-registry.ts";

export type { PlaygroundOptions } from "./config.ts";

export interface Playground {
  registry: SandboxRegistry;
  options: PlaygroundOptions;
  /** True when the request was the playground's and has been answered. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Closes every sandbox and the control channel; the HTTP server stays open. */
  close(): void;
}

export interface AttachOptions {
  options?: Partial<PlaygroundOptions>;
  /**
   * Add a `request` listener that answers the playground's URLs and 404s the rest (default true). Pass false
   * when something else (sirv, Vite's middlewares) owns requests and calls `handle` itself.
   */
  listen?: boolean;
}

/**
 * Attaches the live server to an HTTP server.
 *
 * @example
 * const httpServer = createServer();
 * const playground = createPlayground(httpServer);
 * httpServer.listen(0, "127.0.0.1");
 */
export function createPlayground(httpServer: HttpServer, { options = {}, listen = true }: AttachOptions = {}): Playground {
  const resolved = resolveOptions(process.env, options);
  const control: ControlChannel = new ControlChannel(() => registry);
  const registry: SandboxRegistry = new SandboxRegistry(resolved, (id) => control.sinkFor(id));
  const refusal = createRefusal();
  const routes: Routes = { registry, control: control.engine, refusal: refusal.engine };
  const handle = (req: IncomingMessage, res: ServerResponse) => handleRequest(routes, req, res);
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (handle(req, res)) return;
    res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: `Nothing at ${req.url}.` }));
  };
  if (listen) httpServer.on("request", onRequest);
  const detachUpgrades = attachUpgrades(httpServer, routes);
  return {
    registry,
    options: resolved,
    handle,
    close() {
      detachUpgrades();
      httpServer.off("request", onRequest);
      registry.closeAll();
      control.close();
      refusal.close();
    },
  };
}
