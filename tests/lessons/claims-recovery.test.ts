/** Every claim of lessons/06-recovery.md, shown on a real sandbox running the recovery program, with real clients losing a simulated network. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerOptions } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { NetworkLink, offlineMessage } from "../../playground/src/live/network-link.ts";
import { programServerOptions } from "../../server/programs/server-options.ts";
import { gotEvents, once, sandboxWith, settle, startLive, waitFor, type Live, type RecordingClient, type SandboxBox } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

const options = programServerOptions.recovery!;
/** Short back-off so reconnections in tests take a fraction of a second. */
const quick = { reconnection: true, reconnectionDelay: 200 } as const;

/** The options the sandbox's server was built with (`opts` is private in Socket.IO's types). */
const optionsOf = (box: SandboxBox) => (box.io as unknown as { opts: Partial<ServerOptions> }).opts;

/** A recovery sandbox with recovery on or off and `count` clients that reconnect by themselves, each with a network link. */
async function recoverySandbox(recovery: boolean, count = 2, from = live) {
  const box = await sandboxWith("recovery", { live: from });
  await box.settings({ recovery });
  const clients: RecordingClient[] = [];
  for (let index = 0; index < count; index++) clients.push(await box.join({ as: String.fromCharCode(65 + index), ...quick }));
  const links = clients.map((client) => new NetworkLink(client.io));
  return { box, clients, links };
}

/** The reason the server gave for `socketId`'s disconnection, from the program's console. */
function serverReason(box: SandboxBox, socketId: string): Promise<string> {
  return waitFor(() => box.logs.find((line) => line.startsWith(`${socketId} disconnected: `))?.slice(`${socketId} disconnected: `.length), `the server to drop ${socketId}`, 10_000);
}

/** Goes offline and waits until the server has dropped the socket (a ping went unanswered). */
async function offlineUntilDropped(box: SandboxBox, client: ClientSocket, link: NetworkLink): Promise<{ client: string; server: string; id: string }> {
  const id = client.id!;
  const disconnected = once(client, "disconnect");
  link.goOffline();
  const [reason] = await disconnected;
  return { client: reason, server: await serverReason(box, id), id };
}

describe("lesson 6: disconnection and recovery", () => {
  it("the program's file sets what the sandbox's server runs with: its heartbeat and, with the switch on, connectionStateRecovery", async () => {
    const text = readFileSync(new URL("../../server/programs/recovery.js", import.meta.url), "utf8");
    expect(text).toContain(`pingInterval: ${options.heartbeat!.pingInterval},`);
    expect(text).toContain(`pingTimeout: ${options.heartbeat!.pingTimeout},`);
    expect(text).toContain(`maxDisconnectionDuration: ${options.recovery!.maxDisconnectionDuration},`);
    expect(text).toContain(`skipMiddlewares: ${options.recovery!.skipMiddlewares},`);
    const { box } = await recoverySandbox(true, 0);
    expect(optionsOf(box).connectionStateRecovery).toEqual(options.recovery);
    expect(box.io.engine.opts.pingInterval).toBe(options.heartbeat!.pingInterval);
    expect(box.io.engine.opts.pingTimeout).toBe(options.heartbeat!.pingTimeout);
    await box.settings({ recovery: false });
    expect(optionsOf(box).connectionStateRecovery).toBeUndefined();
  });

  it("going offline: the client says transport close at once, the server says ping timeout when a ping goes unanswered", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(false, 1);
    const reasons = await offlineUntilDropped(box, a, link);
    expect(reasons.client).toBe("transport close");
    expect(reasons.server).toBe("ping timeout");
  });

  it("a client whose server's pings stop arriving says ping timeout itself, after pingInterval + pingTimeout", async () => {
    const { box, clients: [a] } = await recoverySandbox(false, 1);
    const conn = box.io.of("/").sockets.get(a.id!)!.conn as unknown as { pingIntervalTimer: ReturnType<typeof setTimeout> };
    clearTimeout(conn.pingIntervalTimer); // the server stops pinging this client (and so never waits for its pong)
    const [reason] = await once(a, "disconnect", 10_000);
    expect(reason).toBe("ping timeout");
  });

  it("Disconnect is a clean goodbye: io client disconnect on the client, client namespace disconnect on the server, and no reconnection", async () => {
    const { box, clients: [a] } = await recoverySandbox(false, 1);
    const id = a.id!;
    const disconnected = once(a, "disconnect");
    a.disconnect();
    expect((await disconnected)[0]).toBe("io client disconnect");
    expect(await serverReason(box, id)).toBe("client namespace disconnect");
    expect(a.active).toBe(false);
  });

  it("the server's socket.disconnect() says server namespace disconnect on the server and io server disconnect on the client, which does not reconnect", async () => {
    const { box, clients: [a] } = await recoverySandbox(false, 1);
    const id = a.id!;
    const disconnected = once(a, "disconnect");
    await box.command('socket("A").disconnect()');
    expect((await disconnected)[0]).toBe("io server disconnect");
    expect(await serverReason(box, id)).toBe("server namespace disconnect");
    expect(a.active).toBe(false);
  });

  it("while offline the client keeps trying with its back-off, each attempt failing, and gets back once online", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(false, 1);
    const attempts: number[] = [];
    const errors: string[] = [];
    a.io.on("reconnect_attempt", (attempt) => attempts.push(attempt));
    a.on("connect_error", (error) => errors.push(error.message));
    await offlineUntilDropped(box, a, link);
    await waitFor(() => attempts.length >= 3, "three reconnection attempts");
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    expect(errors.slice(0, 3)).toEqual([offlineMessage, offlineMessage, offlineMessage]);
    expect(a.connected).toBe(false);
    expect(a.active).toBe(true);
    const reconnected = once(a, "connect");
    link.goOnline();
    const [attempt] = await once(a.io, "reconnect", 5000);
    expect(attempt).toBeGreaterThan(3);
    await reconnected;
    expect(a.connected).toBe(true);
  });

  it("socket.io-client's back-off: 1000 ms doubling up to 5000 ms, each wait randomized by ±50%, attempts without end", async () => {
    const box = await sandboxWith("recovery");
    const client = box.open({ as: "A", reconnection: true });
    await once(client, "connect");
    // the cards use socket.io-client's defaults: read them from a client made without these options
    const manager = connect("http://127.0.0.1:1", { autoConnect: false, forceNew: true }).io;
    expect([manager.reconnectionDelay(), manager.reconnectionDelayMax(), manager.randomizationFactor(), manager.reconnectionAttempts()]).toEqual([1000, 5000, 0.5, Infinity]);
  });

  it("the heartbeat: the server pings (engine.io packet 2) and the client answers pong (3)", async () => {
    const { box, clients: [a] } = await recoverySandbox(false, 1);
    const types: string[] = [];
    const outgoing = (packet: { type: string }) => types.push(`out ${packet.type}`);
    const incoming = (packet: { type: string }) => types.push(`in ${packet.type}`);
    a.io.engine.on("packet", incoming);
    a.io.engine.on("packetCreate", outgoing);
    await waitFor(() => types.includes("out pong"), "a ping answered", 10_000);
    expect(types.slice(types.indexOf("in ping"), types.indexOf("in ping") + 2)).toEqual(["in ping", "out pong"]);
    expect(box.io.engine.opts.pingInterval).toBe(2000);
  });

  it("latency above pingTimeout: the network works, but the pong comes too late and the server says ping timeout", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(false, 1);
    const id = a.id!;
    link.latencyMs = 3000;
    expect(await serverReason(box, id)).toBe("ping timeout");
    expect(link.offline).toBe(false);
  }, 20_000);

  it("emits made while offline wait in the client's send buffer and go out, in order, on reconnection; a volatile one is dropped", async () => {
    const { box, clients: [a, b], links: [link] } = await recoverySandbox(false, 2);
    await offlineUntilDropped(box, a, link);
    a.emit("chat message", "one");
    a.volatile.emit("chat message", "lost");
    a.emit("chat message", "two");
    expect(a.sendBuffer.map((packet) => packet.data)).toEqual([
      ["chat message", "one"],
      ["chat message", "two"],
    ]);
    link.goOnline();
    await once(a, "connect");
    await waitFor(() => gotEvents(b, "chat message").length === 2, "B to get both buffered messages");
    await settle();
    expect(gotEvents(b, "chat message")).toEqual([["one"], ["two"]]);
    expect(a.sendBuffer).toEqual([]);
  });

  it("recovery off: the reconnected client is a new socket, new id, in no room, and what the server emitted meanwhile is lost", async () => {
    const { box, clients: [a, b], links: [link] } = await recoverySandbox(false, 2);
    await a.emitWithAck("join", "lobby");
    const { id } = await offlineUntilDropped(box, a, link);
    b.emit("chat message", "while A was away");
    await once(b, "chat message");
    link.goOnline();
    await once(a, "connect");
    await settle();
    expect(a.recovered).toBeFalsy(); // undefined: the server sent no session id to recover
    expect(a.id).not.toBe(id);
    expect([...box.io.of("/").sockets.get(a.id!)!.rooms]).toEqual([a.id]);
    expect(gotEvents(a, "chat message")).toEqual([]);
    expect(box.logs).toContain(`a user connected: ${a.id}, new session`);
  });

  it("recovery on: the same id, its rooms kept, socket.recovered true, and the emits it missed arrive (each ends with its offset)", async () => {
    const { box, clients: [a, b], links: [link] } = await recoverySandbox(true, 2);
    await a.emitWithAck("join", "lobby");
    const { id, server } = await offlineUntilDropped(box, a, link);
    expect(server).toBe("ping timeout");
    b.emit("chat message", "while A was away");
    const [text, offset] = await once(b, "chat message");
    expect(text).toBe("while A was away");
    expect(typeof offset).toBe("string");
    box.io.to("lobby").emit("news", "for the lobby");
    const order: string[] = [];
    a.onAny((event: string) => order.push(event));
    a.once("connect", () => order.push("connect"));
    link.goOnline();
    await once(a, "connect");
    expect(order).toEqual(["chat message", "news", "connect"]); // the missed events come before "connect"
    await waitFor(() => gotEvents(a, "news").length === 1, "A to get the lobby's news");
    expect(a.recovered).toBe(true);
    expect(a.id).toBe(id);
    expect([...box.io.of("/").sockets.get(id)!.rooms]).toEqual([id, "lobby"]);
    expect(gotEvents(a, "chat message")).toEqual([["while A was away", offset]]);
    await settle();
    expect(box.logs).toContain(`${id} recovered, in rooms: ${id},lobby`);
  });

  it("recovery on: a new session is greeted with hello, whose last argument is the offset the client will ask from", async () => {
    const { box } = await recoverySandbox(true, 0);
    const a = box.open({ as: "A", ...quick });
    const [greeting, offset] = await once(a, "hello");
    expect(greeting).toBe(`welcome, ${a.id}`);
    expect(typeof offset).toBe("string");
    expect((a as unknown as { _lastOffset: string })._lastOffset).toBe(offset);
  });

  it("recovery on: a client that never received an emit has no offset to ask from, and reconnects as a new session", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(true, 1);
    (a as unknown as { _lastOffset: string | undefined })._lastOffset = undefined;
    const { id } = await offlineUntilDropped(box, a, link);
    link.goOnline();
    await once(a, "connect");
    expect(a.recovered).toBe(false);
    expect(a.id).not.toBe(id);
  });

  it("recovery on: a volatile emit is never kept, so a recovered client does not get it", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(true, 1);
    await offlineUntilDropped(box, a, link);
    await box.command('io.volatile.emit("news", 1)');
    await box.command('io.emit("news", 2)');
    link.goOnline();
    await once(a, "connect");
    await waitFor(() => gotEvents(a, "news").length >= 1, "A to get the kept news");
    await settle();
    expect(a.recovered).toBe(true);
    expect(gotEvents(a, "news").map(([value]) => value)).toEqual([2]);
  });

  it("recovery on: an emit waiting for acknowledgements is not kept either; socket.data is", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(true, 1);
    box.io.of("/").sockets.get(a.id!)!.data = { name: "Ada" };
    const { id } = await offlineUntilDropped(box, a, link);
    box.io.timeout(100).emit("news", 3, () => {});
    box.io.emit("news", 4);
    link.goOnline();
    await once(a, "connect");
    await waitFor(() => gotEvents(a, "news").length >= 1, "A to get the kept news");
    await settle();
    expect(gotEvents(a, "news").map(([value]) => value)).toEqual([4]);
    expect(box.io.of("/").sockets.get(id)!.data).toEqual({ name: "Ada" });
  });

  it("recovery on: the sessions belong to the server; a restarted server (here: the switch off and on) recovers nobody", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(true, 1);
    const { id } = await offlineUntilDropped(box, a, link);
    await box.settings({ recovery: false });
    await box.settings({ recovery: true });
    link.goOnline();
    await once(a, "connect", 10_000);
    expect(a.recovered).toBe(false);
    expect(a.id).not.toBe(id);
  });

  it("recovery on: a clean Disconnect is not recoverable; reconnecting gives a new session", async () => {
    const { clients: [a] } = await recoverySandbox(true, 1);
    const id = a.id;
    a.disconnect();
    a.connect();
    await once(a, "connect");
    expect(a.recovered).toBe(false);
    expect(a.id).not.toBe(id);
  });

  it("recovery on, offline longer than maxDisconnectionDuration: the session is gone, as if recovery were off", async () => {
    const { box, clients: [a], links: [link] } = await recoverySandbox(true, 1);
    const { id } = await offlineUntilDropped(box, a, link);
    await box.command('io.emit("news", 1)');
    await new Promise((resolve) => setTimeout(resolve, options.recovery!.maxDisconnectionDuration + 500));
    link.goOnline();
    await once(a, "connect", 10_000);
    await settle();
    expect(a.recovered).toBe(false);
    expect(a.id).not.toBe(id);
    expect(gotEvents(a, "news")).toEqual([]);
  }, 40_000);

  it("the sandbox keeps at most recoveryBytes of missed emits per namespace: older ones are dropped and the client starts a new session", async () => {
    const small = await startLive({ recoveryBytes: 2000 });
    try {
      const { box, clients: [a], links: [link] } = await recoverySandbox(true, 1, small);
      await offlineUntilDropped(box, a, link);
      for (let index = 0; index < 10; index++) await box.command(`io.emit("news", "${"x".repeat(300)}")`);
      link.goOnline();
      await once(a, "connect");
      expect(a.recovered).toBe(false);
    } finally {
      await small.close();
    }
  });
});
