/** `npm start`'s server answers every request: JSON errors, no page for API-like URLs, stray upgrades closed at once. */
import { connect as tcp, type Socket } from "node:net";
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { io as connect } from "socket.io-client";
import { startTestServer } from "../support/server.ts";
import { createSandbox, once } from "../support/live.ts";
import { socketServers } from "../../server/config.ts";
import type { RunningServer } from "../../server/http-server.ts";

let server: RunningServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer();
  port = Number(new URL(server.url).port);
});
afterAll(() => server.close());

/** Sends raw bytes and resolves with everything the server wrote once it closes the connection. */
function raw(request: string): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tcp(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("end", () => socket.end());
    socket.on("close", () => resolve({ text, closedByServer: true }));
  });
}

function upgrade(path: string, headers: Record<string, string> = {}): string {
  const all = {
    Host: `127.0.0.1:${port}`,
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    ...headers,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
}

/** The status line and the JSON body of a raw HTTP answer. */
function parse(text: string): { status: number; type: string; body: { error?: unknown } } {
  const [head, body] = text.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), type: /content-type: ([^\r]+)/i.exec(head)?.[1] ?? "", body: JSON.parse(body) };
}

function expectSentence(error: unknown, what: string): void {
  expect(typeof error, what).toBe("string");
  expect((error as string).length, what).toBeGreaterThan(20);
}

describe("HTTP requests the page does not serve", () => {
  const cases: Array<[method: string, path: string, status: number]> = [
    ["GET", "/api", 404],
    ["GET", "/api/", 404],
    ["POST", "/api/sandbox", 404],
    ["GET", "/api/sandboxes/abc", 404],
    ["DELETE", "/api/sandboxes/abc", 404],
    ["GET", "/api/sandboxes", 405],
    ["PUT", "/api/sandboxes/", 405],
    ["POST", "/api/sandboxes/", 415],
    ["OPTIONS", "/api/sandboxes", 403],
    ["GET", "/sandbox", 404],
    ["GET", "/sandbox/", 404],
    ["GET", "/sandbox/abc", 404],
    ["GET", "/sandbox/abc/other", 404],
    ["GET", "/sandbox/abc/socket.io/x", 404],
    ["GET", "/sandbox/abc/socket.io/", 400],
    ["POST", "/sandbox/abc/socket.io/?EIO=4&transport=polling", 400],
    ["GET", "/control", 404],
    ["GET", "/control/other", 404],
    ["GET", "/control/socket.io/", 400],
    ["GET", "/control/socket.io/?EIO=4&transport=polling&sid=nope", 400],
    ["GET", "/socket.io", 404],
    ["GET", "/socket.io/socket.io.js", 404],
    ["GET", "/engine.io/", 404],
    ["GET", "/assets/missing.js", 404],
    ["GET", "/missing.css", 404],
    ["GET", "/.env", 404],
    ["GET", "/favicon.ico", 404],
    ["POST", "/", 405],
    ["PUT", "/lessons/chat", 405],
    ["DELETE", "/lessons/chat/2", 405],
  ];

  it.each(cases)("%s %s → %i with a JSON { error } sentence, never the page", async (method, path, status) => {
    const response = await fetch(`${server.url}${path}`, { method });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as { error?: unknown };
    expectSentence(body.error, `${method} ${path}`);
  });

  it("answers a range it cannot serve in JSON too (sirv's bare 416)", async () => {
    const response = await fetch(`${server.url}/`, { headers: { range: "bytes=999999-" } });
    expect(response.status).toBe(416);
    expectSentence(((await response.json()) as { error?: unknown }).error, "416");
  });

  it("explains Engine.IO's bare polling errors: a POST over the frame limit gets a JSON 413", async () => {
    const ticket = await createSandbox(server.url);
    const handshake = await (await fetch(`${server.url}${ticket.path}/?EIO=4&transport=polling`)).text();
    const { sid } = JSON.parse(handshake.slice(1)) as { sid: string };
    const response = await fetch(`${server.url}${ticket.path}/?EIO=4&transport=polling&sid=${sid}`, {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: `4${"x".repeat(socketServers.sandbox.maxFrameBytes + 1)}`,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/larger than the server accepts/);
  });

  it("refuses JSONP polling on every Engine.IO server", async () => {
    const ticket = await createSandbox(server.url);
    for (const path of [ticket.path, "/control/socket.io", "/sandbox/unknown/socket.io", "/socket.io"]) {
      const response = await fetch(`${server.url}${path}/?EIO=4&transport=polling&j=0`);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: string }).error, path).toMatch(/JSONP polling is off/);
    }
  });

  it("answers a request Node cannot parse with a JSON 400 and closes the connection", async () => {
    const { text } = await raw("NOT HTTP AT ALL\r\n\r\n");
    const { status, type, body } = parse(text);
    expect(status).toBe(400);
    expect(type).toMatch(/^application\/json/);
    expectSentence(body.error, "parse error");
  });
});

describe("upgrade requests", () => {
  it.each(["/", "/nope", "/lessons/chat", "/api/sandboxes", "/sandbox/abc", "/control"])(
    "to %s (nobody serves it) get a JSON 404 and the server closes the socket",
    async (path) => {
      const { text, closedByServer } = await raw(upgrade(path));
      const { status, type, body } = parse(text);
      expect(status).toBe(404);
      expect(type).toMatch(/^application\/json/);
      expectSentence(body.error, path);
      expect(closedByServer).toBe(true);
    },
  );

  it("that are not a valid WebSocket handshake get a JSON 400 instead of Engine.IO's or ws's plain text", async () => {
    const ticket = await createSandbox(server.url);
    const path = `${ticket.path}/?EIO=4&transport=websocket`;
    const bad = [
      upgrade(path, { Upgrade: "h2c" }),
      upgrade(path, { "Sec-WebSocket-Key": "short" }),
      upgrade(path, { "Sec-WebSocket-Version": "99" }),
      upgrade(`${ticket.path}/?EIO=4&transport=bogus`),
      upgrade(`${ticket.path}/?EIO=4&transport=websocket&j=1`),
    ];
    for (const request of bad) {
      const { status, type, body } = parse((await raw(request)).text);
      expect(status, request).toBe(400);
      expect(type).toMatch(/^application\/json/);
      expectSentence(body.error, request);
    }
  });

  it("leave no file descriptor behind: 200 refused upgrades, then back to the starting count", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const connections = () => new Promise<number>((resolve, reject) => server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    // Idle keep-alive connections of earlier fetches may still be open; they only ever close from here on.
    const before = { fds: fds(), connections: await connections() };
    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => raw(upgrade(`/stray/${round}/${index}`))));
      for (const { text } of answers) expect(parse(text).status).toBe(404);
    }
    await vi.waitFor(async () => expect(await connections()).toBeLessThanOrEqual(before.connections), { timeout: 10_000 });
    await vi.waitFor(() => expect(fds()).toBeLessThanOrEqual(before.fds), { timeout: 10_000 });
  });
});

describe("a Socket.IO client with the wrong path", () => {
  it.each([["websocket"], ["polling"]] as const)(
    "gets a connect_error naming the path to use, with the default /socket.io over %s",
    async (transport) => {
      const client = connect(server.url, { transports: [transport], forceNew: true, reconnection: false });
      const [error] = await once(client, "connect_error");
      expect(error.message).toMatch(/No Socket\.IO server at \/socket\.io\/.*path: "\/sandbox\/<id>\/socket\.io"/);
      client.disconnect();
    },
  );

  it("gets the same clear answer for a sandbox path without /socket.io", async () => {
    const ticket = await createSandbox(server.url);
    const client = connect(server.url, { path: `/sandbox/${ticket.id}`, transports: ["websocket"], forceNew: true, reconnection: false });
    const [error] = await once(client, "connect_error");
    expect(error.message).toMatch(/No Socket\.IO server at \/sandbox\//);
    client.disconnect();
  });
});
