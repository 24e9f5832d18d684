/** `npm start`'s server: the built page with SPA fallback and caching, and a sandbox joined from another process. */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtPage, startTestServer } from "../support/server.ts";
import { connectOwner, createSandbox, waitFor } from "../support/live.ts";
import type { RunningServer } from "../../server/http-server.ts";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("the production server", () => {
  it("serves the page at / and at client-side routes, revalidated", async () => {
    for (const path of ["/", "/lessons/chat", "/lessons/rooms/2"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain('<div id="app">');
    }
  });

  it("serves hashed assets with their type, cached for good", async () => {
    const script = readdirSync(`${builtPage()}/assets`).find((name) => name.endsWith(".js"));
    expect(script).toBeDefined();
    const response = await fetch(`${server.url}/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    expect(response.headers.get("cache-control")).toContain("immutable");
  });

  it("lets a socket.io-client script in another process join a page's sandbox and exchange events", async () => {
    const ticket = await createSandbox(server.url);
    const owner = await connectOwner(server.url, ticket);
    const script = `
      const { io } = require("socket.io-client");
      const socket = io(process.argv[1], { path: process.argv[2] });
      socket.on("connect", () => socket.emit("chat message", "hello from outside"));
      socket.on("chat message", (msg) => { console.log("got " + msg); socket.disconnect(); });
      socket.on("connect_error", (err) => { console.error(err.message); process.exit(1); });
    `;
    const child = spawn(process.execPath, ["-e", script, `${server.url}/`, ticket.path], { cwd: process.cwd() });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(output.trim()).toBe("got hello from outside");
    expect(code).toBe(0);
    const delivery = await waitFor(() => owner.trace.find((entry) => entry.event === "chat message"), "the trace");
    expect(delivery.trigger).toEqual({ client: "External 1", event: "chat message" });
    expect(delivery.reached.map((recipient) => recipient.client)).toEqual(["External 1"]);
  });
});
