/** Every claim of lessons/02-broadcast.md, shown on a real sandbox running the broadcast program, with real clients. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gotEvents, once, sandboxWith, settle, startLive, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

describe("lesson 2: the broadcast flag", () => {
  it("io.emit reaches everyone, the sender included; socket.broadcast.emit everyone but the sender", async () => {
    const box = await sandboxWith("broadcast", { clients: 3 });
    const { A: a, B: b, C: c } = box.clients;
    a.emit("chat message", "same");
    await Promise.all([once(a, "chat message"), once(b, "chat message"), once(c, "chat message")]);

    await box.settings({ broadcast: true });
    a.emit("chat message", "same again");
    await Promise.all([once(b, "chat message"), once(c, "chat message")]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["same"]]);
    expect(gotEvents(b, "chat message")).toEqual([["same"], ["same again"]]);
    expect(gotEvents(c, "chat message")).toEqual([["same"], ["same again"]]);
  });

  it("reads the flag at every message: flipping it needs no reconnect", async () => {
    const box = await sandboxWith("broadcast", { clients: 2 });
    const { A: a, B: b } = box.clients;
    for (const flag of [true, false, true]) {
      await box.settings({ broadcast: flag });
      a.emit("chat message", String(flag));
      await once(b, "chat message");
    }
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["false"]]);
    expect(gotEvents(b, "chat message")).toEqual([["true"], ["false"], ["true"]]);
    expect(a.connected && b.connected).toBe(true);
  });

  it("socket.emit greets only the socket that connects", async () => {
    const box = await sandboxWith("broadcast", { clients: 1 });
    const { A: a } = box.clients;
    await expect.poll(() => gotEvents(a, "welcome")).toHaveLength(1);
    const b = box.open({ as: "B" });
    const [text] = await once(b, "welcome");
    await settle();
    expect(text).toBe(`your id is ${b.id}`);
    expect(gotEvents(a, "welcome")).toEqual([[`your id is ${a.id}`]]);
    expect(gotEvents(b, "welcome")).toHaveLength(1);
  });

  it("every socket starts in exactly one room, named after its id", async () => {
    const box = await sandboxWith("broadcast", { clients: 1 });
    const { A: a } = box.clients;
    const socket = box.io.of("/").sockets.get(a.id!)!;
    expect([...socket.rooms]).toEqual([a.id]);
  });

  it("socket.broadcast excludes the sender's own-id room: io.except(id) reaches the same sockets", async () => {
    const box = await sandboxWith("broadcast", { clients: 3 });
    const { A: a, B: b, C: c } = box.clients;
    const serverA = box.io.of("/").sockets.get(a.id!)!;
    box.io.except(a.id!).emit("x", 1);
    serverA.broadcast.emit("x", 2);
    await settle();
    expect(gotEvents(a, "x")).toEqual([]);
    expect(gotEvents(b, "x")).toEqual([[1], [2]]);
    expect(gotEvents(c, "x")).toEqual([[1], [2]]);
  });

  it("io.to(id) reaches that one socket; socket.to(socket.id) reaches nobody", async () => {
    const box = await sandboxWith("broadcast", { clients: 2 });
    const { A: a, B: b } = box.clients;
    const serverA = box.io.of("/").sockets.get(a.id!)!;
    serverA.to(a.id!).emit("x", "to own room");
    box.io.to(a.id!).emit("x", "io to id");
    await once(a, "x");
    await settle();
    expect(gotEvents(a, "x")).toEqual([["io to id"]]);
    expect(gotEvents(b, "x")).toEqual([]);
  });
});
