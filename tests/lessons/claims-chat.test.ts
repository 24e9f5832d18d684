/** Every claim of lessons/01-chat.md, shown on a real sandbox running the chat program, with real clients. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gotEvents, once, sandboxWith, settle, startLive, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

describe("lesson 1: the chat example", () => {
  it("logs `a user connected` once per connection, and `message: …` for each message", async () => {
    const box = await sandboxWith("chat", { clients: 3 });
    await settle();
    expect(box.logs.filter((line) => line === "a user connected")).toHaveLength(3);
    box.clients.A.emit("chat message", "hello");
    await expect.poll(() => box.logs).toContain("message: hello");
  });

  it("an event without a handler never reaches the program; the connection stays open", async () => {
    const box = await sandboxWith("chat", { clients: 2 });
    const { A: a, B: b } = box.clients;
    await settle();
    const logged = box.logs.length;
    a.emit("shout", "hey");
    a.emit("chat message", "still here");
    await Promise.all([once(a, "chat message"), once(b, "chat message")]);
    await settle();
    expect(box.logs.slice(logged)).toEqual(["message: still here"]);
    expect(a.connected).toBe(true);
    expect(gotEvents(b, "shout")).toEqual([]);
  });

  it("io.emit sends the message to every connected client, the sender included", async () => {
    const { clients } = await sandboxWith("chat", { clients: 3 });
    const { A: a, B: b, C: c } = clients;
    b.emit("chat message", "hi all");
    const received = await Promise.all([once(a, "chat message"), once(b, "chat message"), once(c, "chat message")]);
    expect(received).toEqual([["hi all"], ["hi all"], ["hi all"]]);
  });

  it("nothing is stored: a client that connects later never sees earlier messages", async () => {
    const box = await sandboxWith("chat", { clients: 1 });
    const { A: a } = box.clients;
    a.emit("chat message", "before");
    await once(a, "chat message");
    const late = await box.join({ as: "B" });
    await settle();
    expect(gotEvents(late, "chat message")).toEqual([]);
  });

  it("a disconnect logs `user disconnected`; io.emit then reaches only the clients still connected; a reconnection is a new socket", async () => {
    const box = await sandboxWith("chat", { clients: 3 });
    const { A: a, B: b, C: c } = box.clients;
    const oldId = c.id;
    c.disconnect();
    await expect.poll(() => box.logs).toContain("user disconnected");
    a.emit("chat message", "after");
    await Promise.all([once(a, "chat message"), once(b, "chat message")]);
    await settle();
    expect(gotEvents(c, "chat message")).toEqual([]);
    c.connect();
    await once(c, "connect");
    expect(c.id).not.toBe(oldId);
    await settle();
    expect(box.logs.filter((line) => line === "a user connected")).toHaveLength(4);
  });

  it("homework, broadcast on: no echo to the sender; the others learn who wrote it (socket id, then nickname)", async () => {
    const { clients } = await sandboxWith("chat", { clients: 2, broadcast: true });
    const { A: a, B: b } = clients;
    a.emit("chat message", "one");
    expect(await once(b, "chat message")).toEqual(["one", a.id]);
    a.emit("nickname", "Ana");
    await once(b, "user joined");
    a.emit("chat message", "two");
    expect(await once(b, "chat message")).toEqual(["two", "Ana"]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([]);
  });

  it("homework: a nickname is stored in socket.data and logged; it lives as long as the connection", async () => {
    const box = await sandboxWith("chat", { clients: 1 });
    const { A: a } = box.clients;
    a.emit("nickname", "Ana");
    await expect.poll(() => box.logs).toContain(`${a.id} is now Ana`);
    expect(box.io.of("/").sockets.get(a.id!)!.data.nickname).toBe("Ana");
    a.disconnect();
    a.connect();
    await once(a, "connect");
    expect(box.io.of("/").sockets.get(a.id!)!.data.nickname).toBeUndefined();
  });

  it("homework: a newcomer is announced to the others, not to itself; a rename is not announced; leaving is", async () => {
    const { clients } = await sandboxWith("chat", { clients: 3 });
    const { A: a, B: b, C: c } = clients;
    c.emit("nickname", "Cleo");
    expect(await once(a, "user joined")).toEqual(["Cleo"]);
    expect(await once(b, "user joined")).toEqual(["Cleo"]);
    c.emit("nickname", "Cleopatra");
    await once(a, "online");
    await settle();
    expect(gotEvents(c, "user joined")).toEqual([]);
    expect(gotEvents(a, "user joined")).toEqual([["Cleo"]]);
    c.disconnect();
    expect(await once(a, "user left")).toEqual(["Cleopatra"]);
    expect(await once(b, "user left")).toEqual(["Cleopatra"]);
  });

  it("homework: `typing` goes to the others with the typist's name, never back to the typist", async () => {
    const { clients } = await sandboxWith("chat", { clients: 3 });
    const { A: a, B: b, C: c } = clients;
    a.emit("nickname", "Ana");
    a.emit("typing", true);
    expect(await once(b, "typing")).toEqual(["Ana", true]);
    expect(await once(c, "typing")).toEqual(["Ana", true]);
    await settle();
    expect(gotEvents(a, "typing")).toEqual([]);
  });

  it("homework: everyone, sender included, gets who is online; a client that leaves is gone from the list", async () => {
    const { clients } = await sandboxWith("chat", { clients: 3 });
    const { A: a, B: b, C: c } = clients;
    a.emit("nickname", "Ana");
    expect(await once(a, "online")).toEqual([["Ana"]]);
    b.emit("nickname", "Bo");
    expect(await once(c, "online")).toEqual([["Ana", "Bo"]]);
    b.disconnect();
    await expect.poll(() => gotEvents(a, "online")).toHaveLength(3);
    expect(gotEvents(a, "online").at(-1)).toEqual([["Ana"]]);
    await expect.poll(() => gotEvents(c, "online").at(-1)).toEqual([["Ana"]]);
  });

  it("the leaving socket is already out of io.of('/').sockets when its disconnect handler runs", async () => {
    const box = await sandboxWith("chat", { clients: 1 });
    const { A: a } = box.clients;
    const seen = new Promise<boolean>((resolve) => {
      const socket = box.io.of("/").sockets.get(a.id!)!;
      socket.on("disconnect", () => resolve(box.io.of("/").sockets.has(socket.id)));
    });
    a.disconnect();
    expect(await seen).toBe(false);
  });
});
