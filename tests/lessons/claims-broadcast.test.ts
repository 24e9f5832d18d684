/** Every claim of lessons/02-broadcast.md, shown on a real server running the broadcast program, with real clients. */
import { afterEach, describe, expect, it } from "vitest";
import { gotEvents, next, settle, startProgram, until, type ProgramServer } from "./program-server.ts";

let server: ProgramServer;
afterEach(() => server?.close());

describe("lesson 2: the broadcast flag", () => {
  it("io.emit reaches everyone, the sender included; socket.broadcast.emit everyone but the sender", async () => {
    server = await startProgram("broadcast", false);
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    a.emit("chat message", "same");
    await Promise.all([next(a, "chat message"), next(b, "chat message"), next(c, "chat message")]);

    server.settings.broadcast = true;
    a.emit("chat message", "same again");
    await Promise.all([next(b, "chat message"), next(c, "chat message")]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["same"]]);
    expect(gotEvents(b, "chat message")).toEqual([["same"], ["same again"]]);
    expect(gotEvents(c, "chat message")).toEqual([["same"], ["same again"]]);
  });

  it("reads the flag at every message: flipping it needs no reconnect", async () => {
    server = await startProgram("broadcast", false);
    const [a, b] = [await server.client(), await server.client()];
    for (const flag of [true, false, true]) {
      server.settings.broadcast = flag;
      a.emit("chat message", String(flag));
      await next(b, "chat message");
    }
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["false"]]);
    expect(gotEvents(b, "chat message")).toEqual([["true"], ["false"], ["true"]]);
    expect(a.connected && b.connected).toBe(true);
  });

  it("socket.emit greets only the socket that connects", async () => {
    server = await startProgram("broadcast");
    const a = await server.client();
    await until(() => gotEvents(a, "welcome").length === 1, "A's welcome");
    const b = server.open();
    const [text] = await next(b, "welcome");
    await settle();
    expect(text).toBe(`your id is ${b.id}`);
    expect(gotEvents(a, "welcome")).toEqual([[`your id is ${a.id}`]]);
    expect(gotEvents(b, "welcome")).toHaveLength(1);
  });

  it("every socket starts in exactly one room, named after its id", async () => {
    server = await startProgram("broadcast");
    const a = await server.client();
    const socket = server.io.of("/").sockets.get(a.id!)!;
    expect([...socket.rooms]).toEqual([a.id]);
  });

  it("socket.broadcast excludes the sender's own-id room: io.except(id) reaches the same sockets", async () => {
    server = await startProgram();
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    const serverA = server.io.of("/").sockets.get(a.id!)!;
    server.io.except(a.id!).emit("x", 1);
    serverA.broadcast.emit("x", 2);
    await until(() => gotEvents(b, "x").length === 2 && gotEvents(c, "x").length === 2, "both emits at B and C");
    await settle();
    expect(gotEvents(a, "x")).toEqual([]);
    expect(gotEvents(b, "x")).toEqual([[1], [2]]);
    expect(gotEvents(c, "x")).toEqual([[1], [2]]);
  });

  it("io.to(id) reaches that one socket; socket.to(socket.id) reaches nobody", async () => {
    server = await startProgram();
    const [a, b] = [await server.client(), await server.client()];
    const serverA = server.io.of("/").sockets.get(a.id!)!;
    serverA.to(a.id!).emit("x", "to own room");
    server.io.to(a.id!).emit("x", "io to id");
    await next(a, "x");
    await settle();
    expect(gotEvents(a, "x")).toEqual([["io to id"]]);
    expect(gotEvents(b, "x")).toEqual([]);
  });
});
