/** `npm start` as a child process: SIGTERM/SIGINT end it whatever is connected, and its sandboxes come back after. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect as tcp, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import type { SandboxTicket } from "../../contract/protocol.ts";
import { createSandbox, once } from "../support/live.ts";
import { builtPage } from "../support/server.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "playground-start-"));
const held: Array<{ destroy(): void }> = [];
let child: ChildProcess | undefined;

afterEach(() => {
  for (const thing of held.splice(0)) thing.destroy();
  child?.kill("SIGKILL");
  child = undefined;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `npm start`'s entry point on a free port, serving this run's build; resolves with its URL and its output so far. */
async function start(): Promise<{ url: string; output: () => string; exited: Promise<number | null> }> {
  const started = spawn(process.execPath, ["--import", "tsx", "server/main.ts", `--dist=${builtPage()}`], {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", PLAYGROUND_DATA: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = started;
  let output = "";
  started.stdout!.on("data", (chunk) => (output += chunk));
  started.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => started.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    };
    started.stdout!.on("data", look);
    void exited.then(() => reject(new Error(`npm start exited early:\n${output}`)));
  });
  return { url, output: () => output, exited };
}

function client(url: string, ticket: SandboxTicket, transport: "polling" | "websocket"): Promise<ClientSocket> {
  const socket = connect(url, { path: ticket.path, transports: [transport], forceNew: true, reconnection: false });
  held.push({ destroy: () => socket.disconnect() });
  return once(socket, "connect").then(() => socket);
}

function rawSocket(url: string, text: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcp(Number(port), "127.0.0.1", () => {
      socket.write(text);
      resolve(socket);
    });
    socket.on("error", () => {});
    held.push(socket);
  });
}

describe("npm start", () => {
  it("ends on SIGTERM with clients on every transport, a stray upgrade, a half-sent request and an idle keep-alive connected; its sandboxes are saved", async () => {
    const server = await start();
    const ticket = await createSandbox(server.url);
    const owner = connect(server.url, { path: "/control/socket.io", forceNew: true, reconnection: false, auth: { sandbox: ticket.id, token: ticket.token } });
    held.push({ destroy: () => owner.disconnect() });
    await once(owner, "connect");
    await client(server.url, ticket, "polling"); // holds a long-poll GET open
    await client(server.url, ticket, "websocket");
    await rawSocket(server.url, "GET /stray HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    await rawSocket(server.url, "GET / HTTP/1.1\r\nHost: x\r\n"); // never finishes its headers
    const agent = new Agent({ keepAlive: true });
    held.push(agent);
    await new Promise((resolve) => request(`${server.url}/`, { agent }, (res) => res.resume().on("end", resolve)).end());

    child!.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    // It closed everything itself rather than leaving on its 4-second safety timer.
    expect(server.output()).not.toMatch(/did not close/);
    const saved = JSON.parse(readFileSync(join(dataDir, "sandboxes.json"), "utf8")) as { sandboxes: Array<{ id: string }> };
    expect(saved.sandboxes.map((sandbox) => sandbox.id)).toContain(ticket.id);

    // Started again on the same data folder, it knows the sandbox and its owner; SIGINT ends it the same way.
    const again = await start();
    const back = connect(again.url, { path: "/control/socket.io", forceNew: true, reconnection: false, auth: { sandbox: ticket.id, token: ticket.token } });
    held.push({ destroy: () => back.disconnect() });
    await once(back, "connect");
    const participant = await client(again.url, ticket, "websocket");
    expect(participant.connected).toBe(true);
    child!.kill("SIGINT");
    expect(await again.exited).toBe(0);
    expect(again.output()).not.toMatch(/did not close/);
  });
});
