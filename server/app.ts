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
  /** A `request` listener for a server that serves the playground alone: its URLs, and a JSON 404 for the rest. */
  answer(req: IncomingMessage, res: ServerResponse): void;
  /** Closes every sandbox and the control channel; the HTTP server stays open. */
  close(): void;
}

export interface AttachOptions {
  options?: Partial<PlaygroundOptions>;
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
export function createPlayground(httpServer: HttpServer, { options = {} }: AttachOptions = {}): Playground {
  const resolved = resolveOptions(process.env, options);
  const control: ControlChannel = new ControlChannel(() => registry);
  const registry: SandboxRegistry = new SandboxRegistry(resolved, (id) => control.sinkFor(id));
  const refusal = createRefusal();
  const routes: Routes = { registry, control: control.engine, refusal: refusal.engine };
  const handle = (req: IncomingMessage, res: ServerResponse) => handleRequest(routes, req, res);
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (handle(req, res)) return;
    res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: `Nothing at ${req.url}.` }));
  };
  const detachUpgrades = attachUpgrades(httpServer, routes);
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
    },
  };
}
