/** The program's console lines and emits name the client and event being handled, also after an `await` and across interleaved handlers. */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Delivery, FeedEntry } from "../../contract/protocol.ts";
import { resolveOptions } from "../../server/config.ts";
import { programs } from "../../server/programs/index.ts";
import { compileNative } from "../../server/runtime/native-program.ts";
import { parseProgramSource } from "../../server/runtime/program-source.ts";
import { Sandbox, type SandboxSink } from "../../server/sandbox/sandbox.ts";
import { once } from "../support/live.ts";

/**
 * A program whose handlers await: "chat message" waits until some client sends "nickname", "join" kicks the
 * others, and the connection and disconnect handlers print after an await. Written as the lesson programs are
 * (an index.js, compiled with its call sites numbered), so its console lines carry their line.
 */
const awaitingSource = parseProgramSource("awaiting.js", String.raw`const { createServer } = require("node:http");
const { Server } = require("socket.io");
/**
 * @typedef {{
 *   "chat message": (text: string) => void,
 *   nickname: (name: string) => void,
 *   join: (room: string) => void,
 * }} ClientToServerEvents
 */
const io = new Server(createServer());
// ---- your code
let release = () => {};
io.on("connection", async (socket) => {
  console.log("a user connected");
  socket.on("chat message", async (text) => {
    console.log("waiting");
    await new Promise((resolve) => (release = resolve));
    console.log("after the await: " + text); // line: after-await
    socket.emit("chat message", "only you: " + text);
    io.emit("chat message", "everyone: " + text);
  });
  socket.on("nickname", (name) => {
    console.log("releasing for " + name);
    release();
  });
  socket.on("join", () => {
    for (const other of io.of("/").sockets.values()) if (other !== socket) other.disconnect(true);
    console.log("kicked the others");
    socket.emit("chat message", "you are alone");
  });
  socket.on("disconnect", async () => {
    await Promise.resolve();
    console.log("user disconnected");
  });
  await new Promise((resolve) => setImmediate(resolve));
  console.log("settled in");
});
// ---- end of your code
`);

const catalog = {
  ...programs,
  chat: { run: compileNative(awaitingSource), accepts: awaitingSource.accepts, file: awaitingSource.file, source: awaitingSource },
};

describe("handler context", () => {
  let httpServer: HttpServer;
  let sandbox: Sandbox;
  let url: string;
  const feed: FeedEntry[] = [];
  const trace: Delivery[] = [];
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    feed.length = 0;
    trace.length = 0;
    const sink: SandboxSink = { stream: (entries, deliveries) => (feed.push(...entries), trace.push(...deliveries)), sockets() {}, settings() {} };
    sandbox = new Sandbox({ id: "test", token: "secret", clientKey: "key" }, resolveOptions(), sink, { catalog });
    httpServer = createServer((req, res) => sandbox.engine.handleRequest(req, res));
    httpServer.on("upgrade", (req, socket, head) => sandbox.engine.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    sandbox.close();
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  });

  async function join(name: string): Promise<ClientSocket> {
    const client = connect(url, { path: sandbox.path, query: { client: name, key: "key" }, transports: ["websocket"], forceNew: true, reconnection: false });
    clients.push(client);
    await once(client, "connect");
    return client;
  }

  const printed = (text: string) => feed.find((entry) => entry.kind === "program" && entry.text === text);

  it("attributes what a connection handler prints after an await to the client that connected", async () => {
    await Promise.all([join("A"), join("B")]);
    await expect.poll(() => feed.filter((entry) => entry.text === "settled in").map((entry) => entry.client).sort()).toEqual(["A", "B"]);
  });

  it("attributes a console line and emits after an await to the client and event that started the handler, not the one running when it resumed", async () => {
    const a = await join("A");
    const b = await join("B");
    await expect.poll(() => feed.filter((entry) => entry.text === "a user connected").map((entry) => entry.client)).toEqual(["A", "B"]);

    const toA = once(a, "chat message");
    a.emit("chat message", "hi");
    await expect.poll(() => printed("waiting")?.client).toBe("A");
    b.emit("nickname", "bob"); // B's handler resumes A's: the continuation runs inside B's tick
    expect(await toA).toEqual(["only you: hi"]);

    await expect.poll(() => printed("after the await: hi")).toBeDefined();
    expect(printed("releasing for bob")).toMatchObject({ client: "B", socketId: b.id });
    const line = awaitingSource.text.split("\n").findIndex((text) => text.includes("// line: after-await")) + 1;
    expect(printed("after the await: hi")).toMatchObject({ client: "A", socketId: a.id, nsp: "/", line });
    await expect.poll(() => trace.length).toBe(2);
    expect(trace.map(({ call, trigger, from }) => ({ call, trigger, from }))).toEqual([
      { call: 'socket.emit("chat message", "only you: hi")', trigger: { client: "A", event: "chat message" }, from: "A" },
      { call: 'io.emit("chat message", "everyone: hi")', trigger: { client: "A", event: "chat message" }, from: undefined },
    ]);
  });

  it("runs disconnect handlers as the socket that left, even when another client's handler disconnected it, and gives that handler its context back", async () => {
    const a = await join("A");
    const b = await join("B");
    const gone = once(b, "disconnect");
    const toA = once(a, "chat message");
    a.emit("join", "lobby");
    await gone;
    expect(await toA).toEqual(["you are alone"]);

    await expect.poll(() => printed("user disconnected")?.client).toBe("B");
    expect(printed("kicked the others")).toMatchObject({ client: "A", socketId: a.id });
    await expect.poll(() => trace.at(-1)?.trigger).toEqual({ client: "A", event: "join" });
  });
});
