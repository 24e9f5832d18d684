/** Bad input gets a clear line on the owner's console (and an error ack), and nothing else changes. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { connectOwner, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live, type Owner } from "../support/live.ts";
import type { SandboxTicket } from "../../contract/protocol.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive({ maxEventsPerSecond: 50 });
});
afterAll(() => live.close());
afterEach(() => {
  vi.useRealTimers();
});

async function setUp() {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  const a = joinSandbox(live.url, ticket, { as: "A" });
  const b = joinSandbox(live.url, ticket, { as: "B" });
  await Promise.all([once(a, "connect"), once(b, "connect")]);
  return { ticket, owner, a, b };
}

const warnings = (owner: Owner) => owner.feed.filter((entry) => entry.kind === "system").map((entry) => entry.text);

/** A raw WebSocket speaking Engine.IO/Socket.IO by hand, connected to the main namespace. */
async function rawSocket(ticket: SandboxTicket): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`${live.url.replace("http", "ws")}${ticket.path}/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  ws.on("message", (data) => {
    const frame = data.toString();
    frames.push(frame);
    if (frame === "2") ws.send("3");
  });
  await waitFor(() => frames.find((frame) => frame.startsWith("0{")), "the Engine.IO open packet");
  ws.send("40");
  await waitFor(() => frames.find((frame) => frame.startsWith("40{")), "the Socket.IO connect packet");
  return { ws, frames };
}

describe("bad input", () => {
  it("an event the program does not handle: a warning and an error ack", async () => {
    const { owner, a } = await setUp();
    const answer = await a.timeout(2000).emitWithAck("no such event", 1);
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(/"no such event", but the chat program has no handler/);
    await waitFor(() => warnings(owner).find((text) => text.includes("no such event")), "the warning");
  });

  it("a payload of the wrong shape never reaches the program", async () => {
    const { owner, a, b } = await setUp();
    const inbox: unknown[] = [];
    b.on("chat message", (message: unknown) => inbox.push(message));
    const answer = await a.timeout(2000).emitWithAck("chat message", { not: "a string" });
    expect(answer.error).toMatch(/with an object, but the chat program expects a string/);
    await settle();
    expect(inbox).toEqual([]);
    expect(owner.trace).toEqual([]);
  });

  it("an oversized payload is refused with the limit in the message; the sender stays connected", async () => {
    const { owner, a, b } = await setUp();
    const answer = await a.timeout(2000).emitWithAck("chat message", "x".repeat(70 * 1024));
    // The whole packet counts, event name included: 70 KiB of text and 19 bytes of JSON around it.
    expect(answer.error).toMatch(/71 KiB of data, over the 64 KiB limit/);
    await waitFor(() => warnings(owner).find((text) => text.includes("64 KiB")), "the warning");
    const got = once(b, "chat message");
    a.emit("chat message", "small");
    expect(await got).toEqual(["small"]);
  });

  it("a reserved event name over a raw WebSocket never reaches the program's handlers", async () => {
    const { ticket, owner } = await setUp();
    // "error" passes Socket.IO's parser but would fire the socket's error listeners: the guard stops it.
    const first = await rawSocket(ticket);
    first.ws.send('42["error","fake"]');
    await waitFor(() => warnings(owner).find((text) => text.includes('"error", a name Socket.IO reserves')), "the guard's warning");
    expect(first.ws.readyState).toBe(WebSocket.OPEN);
    // "disconnect" is refused by Socket.IO's own parser, which closes that connection.
    const second = await rawSocket(ticket);
    const closed = once(second.ws, "close");
    second.ws.send('42["disconnect","fake"]');
    await closed;
    await waitFor(() => warnings(owner).find((text) => text.includes('reserved event name such as "disconnect"')), "the parser's refusal");
    first.ws.close();
  });

  it("a malformed frame closes only that connection, with a reason first; everyone else keeps talking", async () => {
    const { ticket, owner, a, b } = await setUp();
    const { ws, frames } = await rawSocket(ticket);
    const closed = once(ws, "close");
    ws.send('42["chat message"');
    await closed;
    expect(frames.at(-1)).toMatch(/^44\{"message":"External \d+ sent a packet whose data is not what Socket.IO expects \(broken JSON/);
    await waitFor(() => warnings(owner).find((text) => text.includes("whose data is not what Socket.IO expects")), "the warning");
    const garbage = await rawSocket(ticket);
    const closedToo = once(garbage.ws, "close");
    garbage.ws.send("\u0000nonsense");
    await closedToo;
    expect(garbage.frames.at(-1)).toMatch(/^44\{"message":"External \d+ sent a frame that is not an Engine.IO packet/);
    const got = once(b, "chat message");
    a.emit("chat message", "fine");
    expect(await got).toEqual(["fine"]);
    expect(a.connected && b.connected).toBe(true);
  });

  it("a flood past the rate limit is cut with one warning a second, not one per event", async () => {
    const { owner, a, b } = await setUp();
    // The guard's one-second windows read Date.now(): frozen, the whole flood falls in one window. (Frozen at the
    // present: a clock ahead of the clients' heartbeat deadlines would make them close with "ping timeout".)
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    let received = 0;
    b.on("chat message", () => received++);
    for (let i = 0; i < 400; i++) a.emit("chat message", `m${i}`);
    await settle();
    expect(received).toBe(50);
    expect(warnings(owner).filter((text) => text.includes("more than 50 events in one second"))).toHaveLength(1);
    a.emit("chat message", "still the same second");
    await settle();
    expect(received).toBe(50);
    vi.setSystemTime(Date.now() + 1000);
    const got = once(b, "chat message");
    a.emit("chat message", "after the flood");
    expect(await got).toEqual(["after the flood"]);
    expect(warnings(owner).filter((text) => text.includes("more than 50 events in one second"))).toHaveLength(1);
  });
});
