/** Every claim of lessons/01-chat.md, shown on a real server running the chat program, with real clients. */
import { afterEach, describe, expect, it } from "vitest";
import { gotEvents, next, settle, startProgram, until, type ProgramServer } from "./program-server.ts";

let server: ProgramServer;
afterEach(() => server?.close());

describe("lesson 1: the chat example", () => {
  it("logs `a user connected` once per connection, and `message: …` for each message", async () => {
    server = await startProgram("chat");
    const [a] = [await server.client(), await server.client(), await server.client()];
    expect(server.logs.filter((line) => line === "a user connected")).toHaveLength(3);
    a.emit("chat message", "hello");
    await until(() => server.logs.includes("message: hello"), "the message log");
  });

  it("an event without a handler is dropped silently; the connection stays open", async () => {
    server = await startProgram("chat");
    const [a, b] = [await server.client(), await server.client()];
    const logged = server.logs.length;
    a.emit("shout", "hey");
    a.emit("chat message", "still here");
    await Promise.all([next(a, "chat message"), next(b, "chat message")]);
    expect(server.logs.slice(logged)).toEqual(["message: still here"]);
    expect(a.connected).toBe(true);
    expect(gotEvents(b, "shout")).toEqual([]);
  });

  it("io.emit sends the message to every connected client, the sender included", async () => {
    server = await startProgram("chat");
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    b.emit("chat message", "hi all");
    const received = await Promise.all([next(a, "chat message"), next(b, "chat message"), next(c, "chat message")]);
    expect(received).toEqual([["hi all"], ["hi all"], ["hi all"]]);
  });

  it("nothing is stored: a client that connects later never sees earlier messages", async () => {
    server = await startProgram("chat");
    const a = await server.client();
    a.emit("chat message", "before");
    await next(a, "chat message");
    const late = await server.client();
    await settle();
    expect(gotEvents(late, "chat message")).toEqual([]);
  });

  it("a disconnect logs `user disconnected`; io.emit then reaches only the clients still connected; a reconnection is a new socket", async () => {
    server = await startProgram("chat");
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    const oldId = c.id;
    c.disconnect();
    await until(() => server.logs.includes("user disconnected"), "user disconnected");
    a.emit("chat message", "after");
    await Promise.all([next(a, "chat message"), next(b, "chat message")]);
    await settle();
    expect(gotEvents(c, "chat message")).toEqual([]);
    c.connect();
    await next(c, "connect");
    expect(c.id).not.toBe(oldId);
    expect(server.logs.filter((line) => line === "a user connected")).toHaveLength(4);
  });

  it("homework, broadcast on: no echo to the sender; the others learn who wrote it (socket id, then nickname)", async () => {
    server = await startProgram("chat", true);
    const [a, b] = [await server.client(), await server.client()];
    a.emit("chat message", "one");
    expect(await next(b, "chat message")).toEqual(["one", a.id]);
    a.emit("nickname", "Ana");
    await next(b, "user joined");
    a.emit("chat message", "two");
    expect(await next(b, "chat message")).toEqual(["two", "Ana"]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([]);
  });

  it("homework: a nickname is stored in socket.data and logged; it lives as long as the connection", async () => {
    server = await startProgram("chat");
    const a = await server.client();
    a.emit("nickname", "Ana");
    await until(() => server.logs.includes(`${a.id} is now Ana`), "the nickname log");
    expect(server.io.of("/").sockets.get(a.id!)!.data.nickname).toBe("Ana");
    a.disconnect();
    a.connect();
    await next(a, "connect");
    expect(server.io.of("/").sockets.get(a.id!)!.data.nickname).toBeUndefined();
  });

  it("homework: a newcomer is announced to the others, not to itself; a rename is not announced; leaving is", async () => {
    server = await startProgram("chat");
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    c.emit("nickname", "Cleo");
    expect(await next(a, "user joined")).toEqual(["Cleo"]);
    expect(await next(b, "user joined")).toEqual(["Cleo"]);
    c.emit("nickname", "Cleopatra");
    await next(a, "online");
    await settle();
    expect(gotEvents(c, "user joined")).toEqual([]);
    expect(gotEvents(a, "user joined")).toEqual([["Cleo"]]);
    c.disconnect();
    expect(await next(a, "user left")).toEqual(["Cleopatra"]);
    expect(await next(b, "user left")).toEqual(["Cleopatra"]);
  });

  it("homework: `typing` goes to the others with the typist's name, never back to the typist", async () => {
    server = await startProgram("chat");
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    a.emit("nickname", "Ana");
    a.emit("typing", true);
    expect(await next(b, "typing")).toEqual(["Ana", true]);
    expect(await next(c, "typing")).toEqual(["Ana", true]);
    await settle();
    expect(gotEvents(a, "typing")).toEqual([]);
  });

  it("homework: everyone, sender included, gets who is online; a client that leaves is gone from the list", async () => {
    server = await startProgram("chat");
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    a.emit("nickname", "Ana");
    expect(await next(a, "online")).toEqual([["Ana"]]);
    b.emit("nickname", "Bo");
    expect(await next(c, "online")).toEqual([["Ana", "Bo"]]);
    b.disconnect();
    await until(() => gotEvents(a, "online").length === 3, "the list after B left");
    expect(gotEvents(a, "online").at(-1)).toEqual([["Ana"]]);
    expect(gotEvents(c, "online").at(-1)).toEqual([["Ana"]]);
  });

  it("the leaving socket is already out of io.of('/').sockets when its disconnect handler runs", async () => {
    server = await startProgram();
    const a = await server.client();
    const seen = new Promise<boolean>((resolve) => {
      const socket = server.io.of("/").sockets.get(a.id!)!;
      socket.on("disconnect", () => resolve(server.io.of("/").sockets.has(socket.id)));
    });
    a.disconnect();
    expect(await seen).toBe(false);
  });
});
