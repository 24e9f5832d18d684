/** The delivery trace names each emit as the program wrote it, with what it targeted and who sent it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgramName } from "../../contract/protocol.ts";
import { connectOwner, createSandbox, joinSandbox, once, startLive, waitFor, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

async function sandboxRunning(program: ProgramName, broadcast = false) {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  await owner.timeout(3000).emitWithAck("settings", { program, broadcast });
  return { ticket, owner };
}

describe("call text", () => {
  it("reads socket.broadcast.emit in a disconnect handler, though the socket has already left its namespace", async () => {
    const { ticket, owner } = await sandboxRunning("chat");
    const a = joinSandbox(live.url, ticket, { as: "A" });
    const b = joinSandbox(live.url, ticket, { as: "B" });
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    await a.timeout(3000).emitWithAck("nickname", "Ana").catch(() => undefined);
    await waitFor(() => owner.trace.find((delivery) => delivery.event === "user joined"), "user joined");
    const aId = a.id;
    a.disconnect();
    const left = await waitFor(() => owner.trace.find((delivery) => delivery.event === "user left"), "user left");
    expect(left.call).toBe('socket.broadcast.emit("user left", "Ana")');
    expect(left.from).toBe("A");
    expect(left.broadcast).toEqual({ rooms: [], except: [] });
    expect(left.reached.map((recipient) => recipient.client)).toEqual(["B"]);
    expect(left.call).not.toContain(aId!);
  });

  it("says what a broadcast targeted; a socket.emit has no broadcast part", async () => {
    const { ticket, owner } = await sandboxRunning("rooms", true);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    const b = joinSandbox(live.url, ticket, { as: "B" });
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    for (const client of [a, b]) await client.timeout(3000).emitWithAck("join", "lobby");
    a.emit("chat message", "hi", "lobby");
    const toRoom = await waitFor(() => owner.trace.find((delivery) => delivery.event === "chat message"), "the room emit");
    expect(toRoom.call).toBe('socket.to("lobby").emit("chat message", "hi")');
    expect(toRoom).toMatchObject({ from: "A", broadcast: { rooms: ["lobby"], except: [] } });

    const reply = await owner.timeout(3000).emitWithAck("command", `io.except("${a.id}").to("lobby").emit("x", 1)`);
    expect(reply).toMatchObject({ ok: true });
    const typed = await waitFor(() => owner.trace.find((delivery) => delivery.event === "x"), "the typed emit");
    // Typed from io, so nobody is "the sender", though the call leaves one socket's own room out.
    expect(typed.from).toBeUndefined();
    expect(typed.broadcast).toEqual({ rooms: ["lobby"], except: [a.id] });

    await owner.timeout(3000).emitWithAck("command", 'socket("B").to("lobby").emit("y", 1)');
    const fromB = await waitFor(() => owner.trace.find((delivery) => delivery.event === "y"), "the emit from B");
    expect(fromB).toMatchObject({ from: "B", broadcast: { rooms: ["lobby"], except: [] } });
    expect(fromB.reached.map((recipient) => recipient.client)).toEqual(["A"]);

    await owner.timeout(3000).emitWithAck("command", 'socket("B").emit("z", 1)');
    const direct = await waitFor(() => owner.trace.find((delivery) => delivery.event === "z"), "the direct emit");
    expect(direct.from).toBe("B");
    expect(direct.broadcast).toBeUndefined();
  });

  it("addresses a multiplexed client's /admin socket by its id", async () => {
    const { ticket, owner } = await sandboxRunning("namespaces");
    const main = joinSandbox(live.url, ticket, { forceNew: true });
    await once(main, "connect");
    // A second namespace on the same Manager shares its connection (multiplexing), so both sockets are External 1.
    const shared = main.io.socket("/admin", { auth: { token: "let-me-in" } });
    await once(shared, "connect");
    await waitFor(() => owner.sockets.filter((socket) => socket.client === "External 1").length === 2, "both sockets of External 1");
    const got = once(shared, "news");
    const reply = await owner.timeout(3000).emitWithAck("command", `socket("${shared.id}").emit("news", 1)`);
    expect(reply).toEqual({ ok: true, data: { lines: [{ level: "log", text: "→ External 1" }] } });
    expect(await got).toEqual([1]);
    shared.disconnect();
  });
});
