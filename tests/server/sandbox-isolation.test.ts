/** Two learners' sandboxes share namespaces, rooms and event names, and nothing crosses between them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket as ClientSocket } from "socket.io-client";
import { connectOwner, createSandbox, joinSandbox, once, seededRandom, settle, startLive, testSeed, waitFor, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

describe("sandbox isolation", () => {
  it("keeps events, rooms and traces apart in both directions over many random rounds", async () => {
    const random = seededRandom(testSeed("isolation rounds"));
    const one = await createSandbox(live.url);
    const two = await createSandbox(live.url);
    expect(one.id).not.toBe(two.id);
    expect(Buffer.from(one.id, "base64url").length).toBeGreaterThanOrEqual(16);
    const owners = [await connectOwner(live.url, one), await connectOwner(live.url, two)];
    for (const [index, owner] of owners.entries()) {
      const ack = await owner.emitWithAck("settings", { program: "rooms" });
      expect(ack.ok, `settings of sandbox ${index}`).toBe(true);
    }
    const clients: ClientSocket[][] = [[], []];
    const received: string[][][] = [[], []];
    for (const [side, ticket] of [one, two].entries()) {
      for (const name of ["A", "B", "C"]) {
        const client = joinSandbox(live.url, ticket, { as: name });
        const inbox: string[] = [];
        client.on("chat message", (message: string) => inbox.push(message));
        clients[side].push(client);
        received[side].push(inbox);
        await once(client, "connect");
        await client.emitWithAck("join", "lobby");
      }
    }
    for (let round = 0; round < 40; round++) {
      const side = random() < 0.5 ? 0 : 1;
      const sender = clients[side][Math.floor(random() * 3)];
      sender.emit("chat message", `s${side}-r${round}`, random() < 0.5 ? "lobby" : undefined);
    }
    await settle();
    for (const side of [0, 1]) {
      for (const inbox of received[side]) {
        expect(inbox.length).toBeGreaterThan(0);
        for (const message of inbox) expect(message.startsWith(`s${side}-`), `${message} reached sandbox ${side}`).toBe(true);
      }
      for (const delivery of owners[side].trace) {
        expect(String(delivery.args[0]).startsWith(`s${side}-`)).toBe(true);
      }
      for (const entry of owners[side].feed) {
        if (entry.kind === "event" && entry.event === "chat message") expect(String(entry.args?.[0]).startsWith(`s${side}-`)).toBe(true);
      }
    }
    await waitFor(() => owners[0].sockets.length === 3 && owners[1].sockets.length === 3, "both socket lists");
    const ids = (side: number) => new Set(owners[side].sockets.map((socket) => socket.socketId));
    for (const id of ids(0)) expect(ids(1).has(id)).toBe(false);
  });

  it("names simulated clients by the owner's key and everyone else External 1, 2…", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    const stranger = joinSandbox(live.url, ticket);
    await once(stranger, "connect");
    const impostor = joinSandbox(live.url, { ...ticket, clientKey: "guess" }, { as: "B" });
    await once(impostor, "connect");
    const list = await waitFor(() => (owner.sockets.length === 3 ? owner.sockets : undefined), "three sockets");
    const byId = new Map(list.map((socket) => [socket.socketId, socket]));
    expect(byId.get(a.id!)).toMatchObject({ client: "A", simulated: true, nsp: "/" });
    expect(byId.get(stranger.id!)).toMatchObject({ client: "External 1", simulated: false });
    expect(byId.get(impostor.id!)).toMatchObject({ client: "External 2", simulated: false });
    expect(byId.get(a.id!)?.rooms).toContain(a.id);
  });
});
