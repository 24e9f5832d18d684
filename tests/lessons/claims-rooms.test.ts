/** Every claim of lessons/03-rooms.md, shown on a real server running the rooms program, with real clients. */
import { afterEach, describe, expect, it } from "vitest";
import type { AckResult } from "../../contract/protocol.ts";
import { gotEvents, next, settle, startProgram, until, type ProgramServer, type RecordingClient } from "./program-server.ts";

let server: ProgramServer;
afterEach(() => server?.close());

const join = (client: RecordingClient, room: string) => client.emitWithAck("join", room) as Promise<AckResult<string[]>>;
const leave = (client: RecordingClient, room: string) => client.emitWithAck("leave", room) as Promise<AckResult<string[]>>;
const roomsOf = (client: RecordingClient) => [...server.io.of("/").sockets.get(client.id!)!.rooms];

describe("lesson 3: rooms", () => {
  it("a client joins and leaves by asking; the server calls socket.join / socket.leave", async () => {
    server = await startProgram("rooms");
    const a = await server.client();
    expect(await join(a, "lobby")).toEqual({ ok: true, data: [a.id, "lobby"] });
    expect(roomsOf(a)).toEqual([a.id, "lobby"]);
    expect(server.logs).toContain(`${a.id} joined lobby`);
    expect(await leave(a, "lobby")).toEqual({ ok: true, data: [a.id] });
    expect(server.logs).toContain(`${a.id} left lobby`);
  });

  it("rooms are server-only: a socket.io client has no list of its rooms", async () => {
    server = await startProgram("rooms");
    const a = await server.client();
    await join(a, "lobby");
    expect("rooms" in a).toBe(false);
  });

  it("leaving a room you are not in does nothing and is not an error", async () => {
    server = await startProgram("rooms");
    const a = await server.client();
    expect(await leave(a, "nowhere")).toEqual({ ok: true, data: [a.id] });
    expect(a.connected).toBe(true);
  });

  it("every socket starts in a room named after its id, created just before the connection handler runs", async () => {
    server = await startProgram("rooms");
    const a = await server.client();
    expect(roomsOf(a)).toEqual([a.id]);
    const created = server.logs.indexOf(`room ${a.id} was created`);
    const connected = server.logs.indexOf(`a user connected, in rooms: ${a.id}`);
    expect(created).toBeGreaterThanOrEqual(0);
    expect(connected).toBe(created + 1);
  });

  it("io.to(room) includes a sender that is in the room; socket.to(room) does not; an empty room reaches nobody", async () => {
    server = await startProgram("rooms");
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    await join(a, "lobby");
    await join(b, "lobby");
    const serverA = server.io.of("/").sockets.get(a.id!)!;
    server.io.to("lobby").emit("news", 1);
    serverA.to("lobby").emit("news", 2);
    server.io.to("nowhere").emit("news", 3);
    await until(() => gotEvents(b, "news").length === 2, "both news at B");
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[1], [2]]);
    expect(gotEvents(c, "news")).toEqual([]);
  });

  it("io.in(room) is the same as io.to(room)", async () => {
    server = await startProgram("rooms");
    const [a, b] = [await server.client(), await server.client()];
    await join(a, "lobby");
    server.io.in("lobby").emit("news", 1);
    await next(a, "news");
    await settle();
    expect(gotEvents(b, "news")).toEqual([]);
  });

  it("the program's room messages: io.to(room) with the flag off, socket.to(room) with it on, io.emit without a room", async () => {
    server = await startProgram("rooms", false);
    const [a, b, c] = [await server.client(), await server.client(), await server.client()];
    await join(a, "lobby");
    await join(b, "lobby");
    a.emit("chat message", "off", "lobby");
    await Promise.all([next(a, "chat message"), next(b, "chat message")]);
    server.settings.broadcast = true;
    a.emit("chat message", "on", "lobby");
    await next(b, "chat message");
    c.emit("chat message", "everyone");
    await Promise.all([next(a, "chat message"), next(b, "chat message"), next(c, "chat message")]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["off"], ["everyone"]]);
    expect(gotEvents(b, "chat message")).toEqual([["off"], ["on"], ["everyone"]]);
    expect(gotEvents(c, "chat message")).toEqual([["everyone"]]);
  });

  it("to(a).to(b) is a union, delivered once to a socket in both rooms; from a socket, minus the sender", async () => {
    server = await startProgram("rooms");
    const [a, b, c, d] = [await server.client(), await server.client(), await server.client(), await server.client()];
    await join(a, "lobby");
    await join(b, "vip");
    await join(c, "lobby");
    await join(c, "vip");
    server.io.to("lobby").to("vip").emit("news", 1);
    server.io.of("/").sockets.get(a.id!)!.to("lobby").to("vip").emit("news", 2);
    await until(() => gotEvents(c, "news").length === 2, "both news at C");
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[1], [2]]);
    expect(gotEvents(c, "news")).toEqual([[1], [2]]);
    expect(gotEvents(d, "news")).toEqual([]);
  });

  it("except(room) leaves that room's sockets out", async () => {
    server = await startProgram("rooms");
    const [a, b, c, d] = [await server.client(), await server.client(), await server.client(), await server.client()];
    await join(a, "lobby");
    await join(b, "vip");
    await join(c, "lobby");
    await join(c, "vip");
    server.io.to("lobby").except("vip").emit("news", 1);
    server.io.except("vip").emit("news", 2);
    await until(() => gotEvents(a, "news").length === 2 && gotEvents(d, "news").length === 1, "news at A and D");
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1], [2]]);
    expect(gotEvents(b, "news")).toEqual([]);
    expect(gotEvents(c, "news")).toEqual([]);
    expect(gotEvents(d, "news")).toEqual([[2]]);
  });

  it("a room exists while someone is in it: created by the first join, deleted when the last socket leaves", async () => {
    server = await startProgram("rooms");
    const [a, b] = [await server.client(), await server.client()];
    const rooms = server.io.of("/").adapter.rooms;
    expect(rooms.has("lobby")).toBe(false);
    await join(a, "lobby");
    expect(server.logs).toContain("room lobby was created");
    await join(b, "lobby");
    await leave(a, "lobby");
    expect(rooms.has("lobby")).toBe(true);
    await leave(b, "lobby");
    expect(rooms.has("lobby")).toBe(false);
    expect(server.logs.filter((line) => line === "room lobby was deleted")).toHaveLength(1);
    await join(a, "lobby");
    expect(server.logs.filter((line) => line === "room lobby was created")).toHaveLength(2);
  });

  it("disconnecting: rooms still there; then the own-id room is deleted (lobby stays, B is in it); disconnect: no rooms", async () => {
    server = await startProgram("rooms");
    const [a, b] = [await server.client(), await server.client()];
    await join(a, "lobby");
    await join(b, "lobby");
    const id = a.id!;
    const from = server.logs.length;
    a.disconnect();
    await until(() => server.logs.includes("disconnected, now in 0 rooms"), "the disconnect log");
    expect(server.logs.slice(from)).toEqual([
      `disconnecting, still in rooms: ${id},lobby`,
      `room ${id} was deleted`,
      "disconnected, now in 0 rooms",
    ]);
    expect(server.io.of("/").adapter.rooms.get("lobby")).toEqual(new Set([b.id]));
  });

  it("a disconnected socket has left all its rooms by itself", async () => {
    server = await startProgram("rooms");
    const a = await server.client();
    await join(a, "lobby");
    await join(a, "vip");
    a.disconnect();
    await until(() => server.logs.includes("disconnected, now in 0 rooms"), "the disconnect log");
    expect([...server.io.of("/").adapter.rooms.keys()]).toEqual([]);
  });
});
