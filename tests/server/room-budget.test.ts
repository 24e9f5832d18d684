/** Rooms a participant asks for (the rooms program's `join`) or learner code makes are bounded per socket in count and characters. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AckResult } from "../../contract/protocol.ts";
import { roomLimits } from "../../server/config.ts";
import { sandboxWith, settle, startLive, waitFor, type Live } from "../support/live.ts";
import { runCode } from "../support/run-code.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive({ maxEventsPerSecond: 1000 });
});
afterAll(() => live.close());

const joinedTo = (reply: unknown) => (reply as AckResult<string[]>).ok && (reply as { data: string[] }).data;

describe("rooms one socket may be in", () => {
  it(`stop at ${roomLimits.perSocket} besides its own: a join past them is not made, the owner is told, leaving makes room`, async () => {
    const box = await sandboxWith("rooms", { clients: 2 });
    const { A, B } = box.clients;
    for (let index = 0; index < roomLimits.perSocket; index++) A.emit("join", `room-${index}`);
    const full = joinedTo(await A.timeout(5000).emitWithAck("join", "one-too-many"));
    expect(full).toHaveLength(roomLimits.perSocket + 1); // its own-id room and 50 others
    expect(full).not.toContain("one-too-many");
    await waitFor(
      () => box.owner.feed.find((entry) => entry.level === "warn" && entry.text.startsWith(`A asked to join room "one-too-many" while in ${roomLimits.perSocket} rooms`)),
      "one line for the owner",
    );
    // A room already joined joins again as ever; another socket is not affected; leaving one makes room.
    expect(joinedTo(await A.timeout(5000).emitWithAck("join", "room-0"))).toHaveLength(roomLimits.perSocket + 1);
    expect(joinedTo(await B.timeout(5000).emitWithAck("join", "room-0"))).toEqual([B.id, "room-0"]);
    await A.timeout(5000).emitWithAck("leave", "room-1");
    expect(joinedTo(await A.timeout(5000).emitWithAck("join", "one-too-many"))).toContain("one-too-many");
    // The owner's socket list stays within the bound too.
    await settle();
    const listed = box.owner.sockets.find((socket) => socket.socketId === A.id);
    expect(listed?.rooms).toHaveLength(roomLimits.perSocket + 1);
  });

  it(`have names of at most ${roomLimits.nameChars} characters: a 60 KB name is not joined, the socket stays`, async () => {
    const box = await sandboxWith("rooms", { clients: 1 });
    const { A } = box.clients;
    const long = "r".repeat(60_000);
    expect(joinedTo(await A.timeout(5000).emitWithAck("join", long))).toEqual([A.id]);
    expect(joinedTo(await A.timeout(5000).emitWithAck("join", "r".repeat(roomLimits.nameChars)))).toHaveLength(2);
    await waitFor(
      () => box.owner.feed.find((entry) => /^A asked to join a room named "r{24}"… \(60000 characters\), but a room name has at most 100/.test(entry.text)),
      "one line for the owner",
    );
    expect(A.connected).toBe(true);
  });

  it("hold for learner code that joins in a loop through io.socketsJoin: at most the bound is made, in one line a second", async () => {
    // socket.join from code is refused at its line (tests/runtime/attacks.test.ts); socketsJoin reaches the adapter.
    const code = `io.on("connection", (socket) => {
  for (let index = 0; index < 200; index++) io.in(socket.id).socketsJoin("loop-" + index);
});`;
    const run = await runCode(live, code, { clients: ["A"] });
    expect(run.answer.ok).toBe(true);
    const listed = await waitFor(() => run.sockets().find((socket) => socket.socketId === run.clients.A.id && socket.rooms.length > 1), "A's rooms listed");
    expect(listed.rooms).toHaveLength(roomLimits.perSocket + 1);
    await settle();
    const lines = run.feed().filter((entry) => entry.text.includes("asked to join"));
    expect(lines.map((entry) => entry.text)).toEqual([`A asked to join room "loop-50" while in ${roomLimits.perSocket} rooms besides its own, the limit; it was not joined (leave one first).`]);
  });
});
