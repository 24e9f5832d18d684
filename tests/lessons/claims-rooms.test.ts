/** Every claim of lessons/03-rooms.md, shown on a real sandbox running the rooms program, with real clients. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AckResult } from "../../contract/protocol.ts";
import { gotEvents, once, sandboxWith, settle, startLive, type Live, type RecordingClient, type SandboxBox } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

const join = (client: RecordingClient, room: string) => client.emitWithAck("join", room) as Promise<AckResult<string[]>>;
const leave = (client: RecordingClient, room: string) => client.emitWithAck("leave", room) as Promise<AckResult<string[]>>;
const roomsOf = (box: SandboxBox, client: RecordingClient) => [...box.io.of("/").sockets.get(client.id!)!.rooms];

/** A rooms sandbox with `count` clients A, B, …, the broadcast flag off. */
async function roomsSandbox(count: number) {
  const box = await sandboxWith("rooms", { clients: count });
  return { box, clients: Object.values(box.clients) };
}

describe("lesson 3: rooms", () => {
  it("a client joins and leaves by asking; the server calls socket.join / socket.leave", async () => {
    const { box, clients: [a] } = await roomsSandbox(1);
    expect(await join(a, "lobby")).toEqual({ ok: true, data: [a.id, "lobby"] });
    expect(roomsOf(box, a)).toEqual([a.id, "lobby"]);
    expect(await leave(a, "lobby")).toEqual({ ok: true, data: [a.id] });
    await settle();
    expect(box.logs).toContain(`${a.id} joined lobby`);
    expect(box.logs).toContain(`${a.id} left lobby`);
  });

  it("rooms are server-only: a socket.io client has no list of its rooms", async () => {
    const { clients: [a] } = await roomsSandbox(1);
    await join(a, "lobby");
    expect("rooms" in a).toBe(false);
  });

  it("leaving a room you are not in does nothing and is not an error", async () => {
    const { clients: [a] } = await roomsSandbox(1);
    expect(await leave(a, "nowhere")).toEqual({ ok: true, data: [a.id] });
    expect(a.connected).toBe(true);
  });

  it("every socket starts in a room named after its id, created just before the connection handler runs", async () => {
    const { box, clients: [a] } = await roomsSandbox(1);
    expect(roomsOf(box, a)).toEqual([a.id]);
    await settle();
    const created = box.logs.indexOf(`room ${a.id} was created`);
    const connected = box.logs.indexOf(`a user connected, in rooms: ${a.id}`);
    expect(created).toBeGreaterThanOrEqual(0);
    expect(connected).toBe(created + 1);
  });

  it("io.to(room) includes a sender that is in the room; socket.to(room) does not; an empty room reaches nobody", async () => {
    const { box, clients: [a, b, c] } = await roomsSandbox(3);
    await join(a, "lobby");
    await join(b, "lobby");
    const serverA = box.io.of("/").sockets.get(a.id!)!;
    box.io.to("lobby").emit("news", 1);
    serverA.to("lobby").emit("news", 2);
    box.io.to("nowhere").emit("news", 3);
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[1], [2]]);
    expect(gotEvents(c, "news")).toEqual([]);
  });

  it("io.in(room) is the same as io.to(room)", async () => {
    const { box, clients: [a, b] } = await roomsSandbox(2);
    await join(a, "lobby");
    box.io.in("lobby").emit("news", 1);
    await once(a, "news");
    await settle();
    expect(gotEvents(b, "news")).toEqual([]);
  });

  it("the program's room messages: io.to(room) with the flag off, socket.to(room) with it on, io.emit without a room", async () => {
    const { box, clients: [a, b, c] } = await roomsSandbox(3);
    await join(a, "lobby");
    await join(b, "lobby");
    a.emit("chat message", "off", "lobby");
    await Promise.all([once(a, "chat message"), once(b, "chat message")]);
    await box.settings({ broadcast: true });
    a.emit("chat message", "on", "lobby");
    await once(b, "chat message");
    c.emit("chat message", "everyone");
    await Promise.all([once(a, "chat message"), once(b, "chat message"), once(c, "chat message")]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["off"], ["everyone"]]);
    expect(gotEvents(b, "chat message")).toEqual([["off"], ["on"], ["everyone"]]);
    expect(gotEvents(c, "chat message")).toEqual([["everyone"]]);
  });

  it("to(a).to(b) is a union, delivered once to a socket in both rooms; from a socket, minus the sender", async () => {
    const { box, clients: [a, b, c, d] } = await roomsSandbox(4);
    await join(a, "lobby");
    await join(b, "vip");
    await join(c, "lobby");
    await join(c, "vip");
    box.io.to("lobby").to("vip").emit("news", 1);
    box.io.of("/").sockets.get(a.id!)!.to("lobby").to("vip").emit("news", 2);
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[1], [2]]);
    expect(gotEvents(c, "news")).toEqual([[1], [2]]);
    expect(gotEvents(d, "news")).toEqual([]);
  });

  it("except(room) leaves that room's sockets out", async () => {
    const { box, clients: [a, b, c, d] } = await roomsSandbox(4);
    await join(a, "lobby");
    await join(b, "vip");
    await join(c, "lobby");
    await join(c, "vip");
    box.io.to("lobby").except("vip").emit("news", 1);
    box.io.except("vip").emit("news", 2);
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1], [2]]);
    expect(gotEvents(b, "news")).toEqual([]);
    expect(gotEvents(c, "news")).toEqual([]);
    expect(gotEvents(d, "news")).toEqual([[2]]);
  });

  it("a room exists while someone is in it: created by the first join, deleted when the last socket leaves", async () => {
    const { box, clients: [a, b] } = await roomsSandbox(2);
    const rooms = box.io.of("/").adapter.rooms;
    expect(rooms.has("lobby")).toBe(false);
    await join(a, "lobby");
    await settle();
    expect(box.logs).toContain("room lobby was created");
    await join(b, "lobby");
    await leave(a, "lobby");
    expect(rooms.has("lobby")).toBe(true);
    await leave(b, "lobby");
    expect(rooms.has("lobby")).toBe(false);
    await join(a, "lobby");
    await settle();
    expect(box.logs.filter((line) => line === "room lobby was deleted")).toHaveLength(1);
    expect(box.logs.filter((line) => line === "room lobby was created")).toHaveLength(2);
  });

  it("disconnecting: rooms still there; then the own-id room is deleted (lobby stays, B is in it); disconnect: no rooms", async () => {
    const { box, clients: [a, b] } = await roomsSandbox(2);
    await join(a, "lobby");
    await join(b, "lobby");
    const id = a.id!;
    await settle();
    const from = box.logs.length;
    a.disconnect();
    await expect.poll(() => box.logs).toContain("disconnected, now in 0 rooms");
    expect(box.logs.slice(from)).toEqual([
      `disconnecting, still in rooms: ${id},lobby`,
      `room ${id} was deleted`,
      "disconnected, now in 0 rooms",
    ]);
    expect(box.io.of("/").adapter.rooms.get("lobby")).toEqual(new Set([b.id]));
  });

  it("a disconnected socket has left all its rooms by itself", async () => {
    const { box, clients: [a] } = await roomsSandbox(1);
    await join(a, "lobby");
    await join(a, "vip");
    a.disconnect();
    await expect.poll(() => box.logs).toContain("disconnected, now in 0 rooms");
    expect([...box.io.of("/").adapter.rooms.keys()]).toEqual([]);
  });
});
