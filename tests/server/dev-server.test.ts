/** `npm run dev`: the live server on Vite's HTTP server, with Vite's own HMR WebSocket still working beside it. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import WebSocket from "ws";
import { io as connect } from "socket.io-client";
import { createSandbox, joinSandbox, once } from "../support/live.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "playground-dev-"));
let vite: ViteDevServer;
let url: string;

beforeAll(async () => {
  vi.stubEnv("PLAYGROUND_DATA", dataDir);
  vite = await createServer({ configFile: join(root, "vite.config.ts"), logLevel: "silent", server: { host: "127.0.0.1", port: 0, strictPort: false } });
  await vite.listen();
  url = vite.resolvedUrls!.local[0].replace(/\/$/, "");
});
afterAll(async () => {
  await vite?.close();
  vi.unstubAllEnvs();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the dev server", () => {
  it("still serves Vite's HMR WebSocket", async () => {
    const hmr = new WebSocket(`${url.replace("http", "ws")}/?token=${vite.config.webSocketToken}`, "vite-hmr");
    const [message] = await once(hmr, "message");
    expect(JSON.parse(String(message))).toMatchObject({ type: "connected" });
    hmr.close();
  });

  it("serves sandboxes and answers the default Socket.IO path with a reason", async () => {
    const ticket = await createSandbox(url);
    const client = joinSandbox(url, ticket, { as: "A" });
    await once(client, "connect");
    const stray = connect(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    const [error] = await once(stray, "connect_error");
    expect(error.message).toMatch(/No Socket\.IO server at \/socket\.io\//);
    stray.disconnect();
  });

  it("refuses an upgrade to a reserved path with a JSON 404, like production", async () => {
    const socket = new WebSocket(`${url.replace("http", "ws")}/api/nothing`);
    const [, response] = await once(socket, "unexpected-response");
    expect(response.statusCode).toBe(404);
    socket.on("error", () => {});
  });
});
