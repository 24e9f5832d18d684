/** The challenge checks, fed with deliveries and socket lists captured from a real sandbox (clients and console). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { challengeChecks } from "../../contract/challenge-checks.ts";
import type { Delivery, SocketInfo } from "../../contract/protocol.ts";
import { once, sandboxWith, startLive, waitFor, type Live, type SandboxBox } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

/** The next delivery the owner gets after `act` that matches `event`. */
async function capture(box: SandboxBox, event: string, act: () => unknown): Promise<Delivery> {
  const seen = box.owner.trace.length;
  await act();
  return waitFor(() => box.owner.trace.slice(seen).find((delivery) => delivery.event === event), `a ${event} delivery`);
}

const command = async (box: SandboxBox, line: string) => {
  expect(await box.command(line), line).toMatchObject({ ok: true });
};

const check = (id: string, delivery: Delivery, sockets: SocketInfo[]) => challengeChecks[id](delivery, sockets);

describe("challenge checks on real deliveries", () => {
  it("chat-everyone and everyone-but-sender tell io.emit from socket.broadcast.emit", async () => {
    const box = await sandboxWith("chat", { clients: 3 });
    const everyone = await capture(box, "chat message", () => box.clients.A.emit("chat message", "hi"));
    expect(check("chat-everyone", everyone, box.owner.sockets)).toBe(true);
    expect(check("everyone-but-sender", everyone, box.owner.sockets)).toBe(false);

    await box.settings({ broadcast: true });
    const others = await capture(box, "chat message", () => box.clients.A.emit("chat message", "hi"));
    expect(others.call).toBe('socket.broadcast.emit("chat message", "hi", ' + JSON.stringify(box.clients.A.id) + ")");
    expect(check("everyone-but-sender", others, box.owner.sockets)).toBe(true);
    expect(check("chat-everyone", others, box.owner.sockets)).toBe(false);
  });

  it("chat-announce: a newcomer's `user joined` passes, the `online` list that follows does not", async () => {
    const box = await sandboxWith("chat", { clients: 2 });
    const seen = box.owner.trace.length;
    const joined = await capture(box, "user joined", () => box.clients.A.emit("nickname", "Ana"));
    expect(check("chat-announce", joined, box.owner.sockets)).toBe(true);
    const online = await waitFor(() => box.owner.trace.slice(seen).find((delivery) => delivery.event === "online"), "online");
    expect(check("chat-announce", online, box.owner.sockets)).toBe(false);
  });

  it("everyone-but-sender: a socket.emit to the sender alone, or a broadcast with nobody else there, does not count", async () => {
    const box = await sandboxWith("broadcast", { clients: 1, broadcast: true });
    const welcome = await waitFor(() => box.owner.trace.find((delivery) => delivery.event === "welcome"), "the welcome");
    expect(welcome.call).toMatch(/^socket\.emit\("welcome"/);
    expect(check("everyone-but-sender", welcome, box.owner.sockets)).toBe(false);
    const alone = await capture(box, "chat message", () => box.clients.A.emit("chat message", "anyone?"));
    expect(alone.reached).toEqual([]);
    expect(check("everyone-but-sender", alone, box.owner.sockets)).toBe(false);
  });

  it("everyone-but-sender also passes when typed in the console", async () => {
    const box = await sandboxWith("broadcast", { clients: 3 });
    const typed = await capture(box, "x", () => command(box, 'socket("A").broadcast.emit("x")'));
    expect(typed.source).toBe("console");
    expect(check("everyone-but-sender", typed, box.owner.sockets)).toBe(true);
  });

  it("own-id-nobody: socket.to(own id) reaches nobody and passes; an empty room does not", async () => {
    const box = await sandboxWith("broadcast", { clients: 2 });
    const own = await capture(box, "x", () => command(box, `socket("A").to("${box.clients.A.id}").emit("x", 1)`));
    expect(own.reached).toEqual([]);
    expect(check("own-id-nobody", own, box.owner.sockets)).toBe(true);
    const quoted = await capture(box, "z", () => command(box, `socket('A').to('${box.clients.A.id}').emit('z', 1)`));
    expect(check("own-id-nobody", quoted, box.owner.sockets)).toBe(true);
    const otherId = await capture(box, "w", () => command(box, `socket("A").to("${box.clients.B.id}").emit("w", 1)`));
    expect(otherId.reached.map((recipient) => recipient.client)).toEqual(["B"]);
    expect(check("own-id-nobody", otherId, box.owner.sockets)).toBe(false);
    const empty = await capture(box, "y", () => command(box, 'socket("A").to("nowhere").emit("y", 1)'));
    expect(check("own-id-nobody", empty, box.owner.sockets)).toBe(false);
  });

  it("lobby-and-vip-one-emit: the union passes, one room or everyone does not", async () => {
    const box = await sandboxWith("rooms", { clients: [{ rooms: ["lobby"] }, { rooms: ["vip"] }, { rooms: ["lobby", "vip"] }, {}] });
    const union = await capture(box, "news", () => command(box, 'io.to("lobby").to("vip").emit("news", 1)'));
    expect(union.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B", "C"]);
    expect(check("lobby-and-vip-one-emit", union, box.owner.sockets)).toBe(true);
    const lobby = await capture(box, "news", () => command(box, 'io.to("lobby").emit("news", 2)'));
    expect(check("lobby-and-vip-one-emit", lobby, box.owner.sockets)).toBe(false);
    const everyone = await capture(box, "news", () => command(box, 'io.emit("news", 3)'));
    expect(check("lobby-and-vip-one-emit", everyone, box.owner.sockets)).toBe(false);
  });

  it("room-but-sender: socket.to(room), from the console or from the program, passes; io.to(room) does not", async () => {
    const box = await sandboxWith("rooms", { clients: [{ rooms: ["lobby"] }, { rooms: ["lobby"] }, {}] });
    const typed = await capture(box, "news", () => command(box, 'socket("A").to("lobby").emit("news", 1)'));
    expect(check("room-but-sender", typed, box.owner.sockets)).toBe(true);
    const withSender = await capture(box, "news", () => command(box, 'io.to("lobby").emit("news", 2)'));
    expect(check("room-but-sender", withSender, box.owner.sockets)).toBe(false);
    await box.settings({ broadcast: true });
    const fromProgram = await capture(box, "chat message", () => box.clients.A.emit("chat message", "hi", "lobby"));
    expect(fromProgram.call).toBe('socket.to("lobby").emit("chat message", "hi")');
    expect(check("room-but-sender", fromProgram, box.owner.sockets)).toBe(true);
  });

  it("admin-connected: false while the middleware refuses, true once a client is in /admin", async () => {
    const box = await sandboxWith("namespaces", { clients: 1 });
    const refused = box.open({ as: "B", namespace: "/admin" });
    const [error] = await once(refused, "connect_error");
    expect(error.message).toBe("Not authorized: wrong or missing auth token");
    const before = await capture(box, "chat message", () => box.clients.A.emit("chat message", "hi"));
    expect(check("admin-connected", before, box.owner.sockets)).toBe(false);
    const admin = box.open({ as: "C", namespace: "/admin", auth: { token: "let-me-in" } });
    await once(admin, "connect");
    await waitFor(() => box.owner.sockets.some((socket) => socket.nsp === "/admin"), "the admin in the list");
    const after = await capture(box, "chat message", () => admin.emit("chat message", "hi"));
    expect(after.args).toEqual(["[admin] hi"]);
    expect(check("admin-connected", after, box.owner.sockets)).toBe(true);
  });

  it("only-tenant-acme: a tenant-acme delivery passes while others are connected; io.emit does not", async () => {
    const box = await sandboxWith("namespaces", { clients: [{ namespace: "/tenant-acme" }, { namespace: "/tenant-acme" }, { namespace: "/tenant-globex" }, {}] });
    const acme = await capture(box, "chat message", () => box.clients.A.emit("chat message", "acme"));
    expect(acme.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B"]);
    expect(check("only-tenant-acme", acme, box.owner.sockets)).toBe(true);
    const main = await capture(box, "news", () => command(box, 'io.emit("news", 1)'));
    expect(main.reached.map((recipient) => recipient.client)).toEqual(["D"]);
    expect(check("only-tenant-acme", main, box.owner.sockets)).toBe(false);
  });
});
