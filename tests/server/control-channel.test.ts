/** Only the page that created a sandbox controls it; the feed and trace reach that owner in order. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { programs } from "../../server/programs/index.ts";
import { connectOwner, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

describe("control channel", () => {
  it("refuses a participant who knows only the id, and keeps its control traffic out of the sandbox", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const wrongToken = joinControl(ticket.id, "not-the-token");
    const [error] = await once(wrongToken, "connect_error");
    expect(error.message).toMatch(/Not the owner/);

    const participant = joinSandbox(live.url, ticket);
    await once(participant, "connect");
    const answer = await participant.timeout(2000).emitWithAck("settings", { broadcast: true });
    expect(answer).toMatchObject({ ok: false });
    expect(answer.error).toMatch(/no handler/);
    const command = await participant.timeout(2000).emitWithAck("command", 'io.emit("x", 1)');
    expect(command).toMatchObject({ ok: false });
    expect(live.playground.registry.get(ticket.id)?.settings.broadcast).toBe(false);

    // The owner's own control connection never appears among the sandbox's sockets.
    await waitFor(() => owner.sockets.length === 1, "one socket");
    expect(owner.sockets[0].socketId).toBe(participant.id);
  });

  it("streams connections, program logs, events and deliveries to the owner, in order", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    const b = joinSandbox(live.url, ticket, { as: "B" });
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    const gotByB = once(b, "chat message");
    a.emit("chat message", "hi");
    expect(await gotByB).toEqual(["hi"]);
    const delivery = await waitFor(() => owner.trace.find((entry) => entry.event === "chat message"), "the delivery");
    expect(delivery.call).toBe('io.emit("chat message", "hi")');
    expect(delivery.source).toBe("program");
    expect(delivery.trigger).toEqual({ client: "A", event: "chat message" });
    expect(delivery.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B"]);
    // "The line that just ran" is read off the real call stack: it points at the program's own emit.
    const source = readFileSync(programs.chat.file, "utf8").split("\n");
    expect(source[delivery.line! - 1]).toContain('io.emit("chat message"');
    const texts = owner.feed.map((entry) => entry.text);
    expect(texts).toContain("a user connected");
    expect(texts).toContain("message: hi");
    const connected = owner.feed.find((entry) => entry.kind === "connection" && entry.client === "A");
    expect(connected?.text).toContain(a.id);
    const log = owner.feed.find((entry) => entry.text === "message: hi");
    expect(log).toMatchObject({ client: "A", kind: "program" });
    expect(source[log!.line! - 1]).toContain("console.log");
    const seqs = [...owner.feed, ...owner.trace].map((entry) => entry.seq).sort((x, y) => x - y);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(owner.feed.map((entry) => entry.seq)).toEqual([...owner.feed.map((entry) => entry.seq)].sort((x, y) => x - y));

    a.disconnect();
    await waitFor(() => owner.feed.find((entry) => entry.text === "user disconnected"), "user disconnected");
    expect(owner.feed.some((entry) => entry.kind === "disconnection" && entry.client === "A")).toBe(true);
  });

  it("flips the broadcast flag live and switches programs without closing the control channel", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    expect((await owner.emitWithAck("settings", { program: "broadcast" })).ok).toBe(true);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    const b = joinSandbox(live.url, ticket, { as: "B" });
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    const aInbox: string[] = [];
    a.on("chat message", (message: string) => aInbox.push(message));

    a.emit("chat message", "everyone");
    await once(b, "chat message");
    expect(await owner.emitWithAck("settings", { broadcast: true })).toEqual({ ok: true, data: { program: "broadcast", broadcast: true, run: 2, edited: false } });
    a.emit("chat message", "others");
    await once(b, "chat message");
    await settle();
    expect(aInbox).toEqual(["everyone"]);
    const chat = owner.trace.filter((delivery) => delivery.event === "chat message");
    const calls = chat.map((delivery) => delivery.call);
    expect(calls).toEqual(['io.emit("chat message", "everyone")', 'socket.broadcast.emit("chat message", "others")']);
    expect(chat[1]).toMatchObject({ from: "A", reached: [{ client: "B", socketId: b.id }] });

    const bad = await owner.emitWithAck("settings", { program: "nope" as never });
    expect(bad).toMatchObject({ ok: false });
    expect((await owner.emitWithAck("settings", { program: "chat" })).ok).toBe(true);
    await waitFor(() => owner.feed.find((entry) => entry.kind === "system" && entry.text.includes("chat program")), "switch notice");
    expect(owner.connected).toBe(true);
    // Each program switch starts a new run, and everything the stream carries says which run it belongs to.
    const runs = owner.trace.map((delivery) => delivery.run);
    expect(new Set(runs)).toEqual(new Set([2]));
    expect(owner.feed.at(-1)?.run).toBe(3);
  });

  it("answers a socket's rooms through the control channel", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.emitWithAck("settings", { program: "rooms" });
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    await a.emitWithAck("join", "lobby");
    const rooms = await owner.emitWithAck("rooms", a.id!);
    expect(rooms).toEqual({ ok: true, data: [a.id, "lobby"] });
    await waitFor(() => owner.sockets.find((socket) => socket.rooms.includes("lobby")), "rooms in the socket list");
    expect((await owner.emitWithAck("rooms", "nobody")).ok).toBe(false);
  });
});

function joinControl(sandbox: string, token: string) {
  return joinSandbox(live.url, { id: sandbox, token, clientKey: "", path: "/control/socket.io" }, { auth: { sandbox, token } });
}

describe("console commands", () => {
  it("run on the sandbox's real server, print recipients and show up in the trace as typed", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.emitWithAck("settings", { program: "rooms" });
    const a = joinSandbox(live.url, ticket, { as: "A" });
    const b = joinSandbox(live.url, ticket, { as: "B" });
    const c = joinSandbox(live.url, ticket, { as: "C" });
    await Promise.all([once(a, "connect"), once(b, "connect"), once(c, "connect")]);
    await a.emitWithAck("join", "lobby");
    await b.emitWithAck("join", "lobby");
    const got = { a: once(a, "news"), b: once(b, "news") };
    const cInbox: unknown[] = [];
    c.on("news", (value: unknown) => cInbox.push(value));
    const reply = await owner.emitWithAck("command", 'io.to("lobby").emit("news", 1)');
    expect(reply).toEqual({ ok: true, data: { lines: [expect.objectContaining({ text: "→ A, B" })] } });
    expect(await got.a).toEqual([1]);
    expect(await got.b).toEqual([1]);
    await settle();
    expect(cInbox).toEqual([]);
    const delivery = await waitFor(() => owner.trace.find((entry) => entry.event === "news"), "the trace");
    expect(delivery).toMatchObject({ source: "console", call: 'io.to("lobby").emit("news", 1)' });
    expect(delivery.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B"]);

    const wrong = await owner.emitWithAck("command", 'io.to("lobby").emitt("news")');
    expect(wrong).toMatchObject({ ok: false, position: 15 });
  });
});
