/**
 * The challenge checks on a real sandbox: each passes for its right answer and fails for plausible wrong ones;
 * none is completed by its step's own set-up or by running the commands its step's text shows.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { challengeChecks } from "../../contract/challenge-checks.ts";
import { fillPlaceholders } from "../../contract/console/lesson-commands.ts";
import type { ClientSetup } from "../../contract/lesson-types.ts";
import type { Delivery, ProgramName } from "../../contract/protocol.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { once, sandboxWith, settle, startLive, waitFor, type Live, type SandboxBox } from "../support/live.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

/** A sandbox from the kit, and the broadcast switch as the page would know it. */
interface Box extends SandboxBox {
  broadcast: boolean;
}

/** A sandbox running `program` with simulated clients set up as a lesson step's `clients` (refused ones stay refused). */
async function sandbox(program: ProgramName, clients: ClientSetup[], broadcast = false): Promise<Box> {
  return Object.assign(await sandboxWith(program, { clients, broadcast }), { broadcast });
}

/** Runs `act`, waits for the delivery of `event` it causes, and checks it with `id`. */
async function passes(box: Box, id: string, event: string, act: () => unknown): Promise<boolean> {
  const seen = box.owner.trace.length;
  await act();
  const delivery = await waitFor(() => box.owner.trace.slice(seen).find((candidate) => candidate.event === event), `a ${event} delivery`);
  return judge(box, id, delivery);
}

const judge = (box: Box, id: string, delivery: Delivery) => challengeChecks[id](delivery, { sockets: box.owner.sockets, broadcast: box.broadcast });

async function command(box: Box, line: string): Promise<void> {
  const filled = fillPlaceholders(line, (name) => box.clients[name]?.id);
  if (!filled.ok) throw new Error(filled.error);
  expect(await box.command(filled.line), filled.line).toMatchObject({ ok: true });
}

async function flip(box: Box, broadcast: boolean): Promise<void> {
  await box.settings({ broadcast });
  box.broadcast = broadcast;
}

describe("each challenge: the right answer passes, plausible wrong ones do not", () => {
  it("chat-everyone: with the switch on, io.emit from the console; not a card's send, nor another event, nor with the switch off", async () => {
    const box = await sandbox("chat", [{}, {}, {}], true);
    expect(await passes(box, "chat-everyone", "chat message", () => command(box, 'io.emit("chat message", "hi all")'))).toBe(true);
    expect(await passes(box, "chat-everyone", "chat message", () => box.clients.A.emit("chat message", "from A"))).toBe(false);
    expect(await passes(box, "chat-everyone", "news", () => command(box, 'io.emit("news", 1)'))).toBe(false);
    await flip(box, false);
    expect(await passes(box, "chat-everyone", "chat message", () => box.clients.A.emit("chat message", "switch off"))).toBe(false);
  });

  it("chat-announce: socket(\"C\").broadcast.emit by hand; not io.emit, not a direct emit, not C's own nickname", async () => {
    const box = await sandbox("chat", [{}, {}, {}], true);
    expect(await passes(box, "chat-announce", "user joined", () => command(box, 'io.emit("user joined", "Cleo")'))).toBe(false);
    expect(await passes(box, "chat-announce", "user joined", () => command(box, 'socket("C").emit("user joined", "Cleo")'))).toBe(false);
    expect(await passes(box, "chat-announce", "user joined", () => command(box, 'socket("A").broadcast.emit("user joined", "Ana")'))).toBe(false);
    expect(await passes(box, "chat-announce", "user joined", () => box.clients.C.emit("nickname", "Cleo"))).toBe(false);
    expect(await passes(box, "chat-announce", "user joined", () => command(box, 'socket("C").broadcast.emit("user joined", "Cleo")'))).toBe(true);
    expect(await passes(box, "chat-announce", "user joined", () => command(box, 'io.except("<C\'s id>").emit("user joined", "Cleo")'))).toBe(true);
  });

  it("everyone-but-sender: socket(\"A\").broadcast.emit with the switch off; not io.emit, not socket(\"A\").emit, not the switch", async () => {
    const box = await sandbox("broadcast", [{}, {}, {}]);
    expect(await passes(box, "everyone-but-sender", "x", () => command(box, 'socket("A").broadcast.emit("x", 1)'))).toBe(true);
    expect(await passes(box, "everyone-but-sender", "x", () => command(box, 'io.except("<A\'s id>").emit("x", 1)'))).toBe(true);
    expect(await passes(box, "everyone-but-sender", "x", () => command(box, 'io.emit("x", 1)'))).toBe(false);
    expect(await passes(box, "everyone-but-sender", "x", () => command(box, 'socket("A").emit("x", 1)'))).toBe(false);
    expect(await passes(box, "everyone-but-sender", "x", () => command(box, 'socket("B").broadcast.emit("x", 1)'))).toBe(false);
    await flip(box, true);
    expect(await passes(box, "everyone-but-sender", "chat message", () => box.clients.A.emit("chat message", "switch on"))).toBe(false);
  });

  it("own-room-message: io.to(B's id); not socket(\"B\").emit, not A's room, not B alone by excluding the others", async () => {
    const box = await sandbox("broadcast", [{}, {}, {}], true);
    expect(await passes(box, "own-room-message", "x", () => command(box, 'io.to("<B\'s id>").emit("x", 1)'))).toBe(true);
    expect(await passes(box, "own-room-message", "x", () => command(box, 'socket("B").emit("x", 1)'))).toBe(false);
    expect(await passes(box, "own-room-message", "x", () => command(box, 'io.to("<A\'s id>").emit("x", 1)'))).toBe(false);
    expect(await passes(box, "own-room-message", "x", () => command(box, 'io.except("<A\'s id>").except("<C\'s id>").emit("x", 1)'))).toBe(false);
    expect(await passes(box, "own-room-message", "x", () => command(box, 'socket("A").to("<A\'s id>").emit("x", 1)'))).toBe(false);
  });

  it("lobby-xor-vip: both rooms minus the one in both; not the union, not except(vip), not the right sockets by their own rooms", async () => {
    const box = await sandbox("rooms", [{ rooms: ["lobby"] }, { rooms: ["lobby", "vip"] }, { rooms: ["vip"] }, {}]);
    expect(await passes(box, "lobby-xor-vip", "x", () => command(box, 'io.to("lobby").to("vip").except("<B\'s id>").emit("x", 1)'))).toBe(true);
    expect(await passes(box, "lobby-xor-vip", "x", () => command(box, 'socket("B").to("lobby").to("vip").emit("x", 1)'))).toBe(true);
    expect(await passes(box, "lobby-xor-vip", "x", () => command(box, 'io.to("lobby").to("vip").emit("x", 1)'))).toBe(false);
    expect(await passes(box, "lobby-xor-vip", "x", () => command(box, 'io.to("lobby").except("vip").emit("x", 1)'))).toBe(false);
    expect(await passes(box, "lobby-xor-vip", "x", () => command(box, 'io.to("<A\'s id>").to("<C\'s id>").emit("x", 1)'))).toBe(false);
    expect(await passes(box, "lobby-xor-vip", "x", () => command(box, 'socket("D").broadcast.emit("x", 1)'))).toBe(false);
  });

  it("room-but-sender: socket(\"A\").to(\"lobby\") with user left; not io.to(lobby), not B's own room, not socket.broadcast", async () => {
    const box = await sandbox("rooms", [{ rooms: ["lobby"] }, { rooms: ["lobby"] }]);
    expect(await passes(box, "room-but-sender", "user left", () => command(box, 'socket("A").to("lobby").emit("user left", "A")'))).toBe(true);
    expect(await passes(box, "room-but-sender", "user left", () => command(box, 'io.to("lobby").emit("user left", "A")'))).toBe(false);
    expect(await passes(box, "room-but-sender", "user left", () => command(box, 'socket("A").to("<B\'s id>").emit("user left", "A")'))).toBe(false);
    expect(await passes(box, "room-but-sender", "user left", () => command(box, 'socket("A").broadcast.emit("user left", "A")'))).toBe(false);
    expect(await passes(box, "room-but-sender", "news", () => command(box, 'socket("A").to("lobby").emit("news", 2)'))).toBe(false);
  });

  it("admin-from-a: A in /admin with the token, sending there; not B (the text's client), not the console, not A on /", async () => {
    const box = await sandbox("namespaces", [{}, { namespace: "/admin" }]);
    expect(box.refused.B).toMatch(/Not authorized/); // no token
    expect(await passes(box, "admin-from-a", "chat message", () => box.clients.A.emit("chat message", "on /"))).toBe(false);
    const b = await box.join({ as: "B", namespace: "/admin", auth: { token: "let-me-in" } });
    expect(await passes(box, "admin-from-a", "chat message", () => b.emit("chat message", "from B"))).toBe(false);
    expect(await passes(box, "admin-from-a", "news", () => command(box, 'io.of("/admin").emit("news", 1)'))).toBe(false);
    const [error] = await once(box.open({ as: "A", namespace: "/admin" }), "connect_error");
    expect(error.message).toMatch(/Not authorized/);
    const a = await box.join({ as: "A", namespace: "/admin", auth: { token: "let-me-in" } });
    expect(await passes(box, "admin-from-a", "chat message", () => a.emit("chat message", "from A"))).toBe(true);
  });

  it("only-tenant-acme: io.of(\"/tenant-acme\") or C's own send; not io.emit, not /admin, not socket(\"C\").emit", async () => {
    const box = await sandbox("namespaces", [{}, { namespace: "/admin", auth: "let-me-in" }, { namespace: "/tenant-acme" }]);
    expect(await passes(box, "only-tenant-acme", "news", () => command(box, 'io.of("/tenant-acme").emit("news", 1)'))).toBe(true);
    expect(await passes(box, "only-tenant-acme", "chat message", () => box.clients.C.emit("chat message", "acme"))).toBe(true);
    expect(await passes(box, "only-tenant-acme", "news", () => command(box, 'io.emit("news", 1)'))).toBe(false);
    expect(await passes(box, "only-tenant-acme", "news", () => command(box, 'io.of("/admin").emit("news", 1)'))).toBe(false);
    expect(await passes(box, "only-tenant-acme", "news", () => command(box, 'socket("C").emit("news", 1)'))).toBe(false);
  });

  it("ask-all-but-c: a question to everyone but C with a timeout up to 1.5 s; not without a timeout, not C too, not a longer wait", async () => {
    const box = await sandbox("acknowledgements", [{}, {}, {}]);
    await settle(); // the program's own "ready?" questions to each newcomer, before the console's
    expect(await passes(box, "ask-all-but-c", "question", () => command(box, 'io.timeout(1500).except("<C\'s id>").emit("question", "x")'))).toBe(true);
    expect(await passes(box, "ask-all-but-c", "question", () => command(box, 'socket("C").broadcast.timeout(1000).emit("question", "x")'))).toBe(true);
    expect(await passes(box, "ask-all-but-c", "question", () => command(box, 'io.except("<C\'s id>").emit("question", "x")'))).toBe(false);
    expect(await passes(box, "ask-all-but-c", "question", () => command(box, 'io.timeout(1500).emit("question", "x")'))).toBe(false);
    expect(await passes(box, "ask-all-but-c", "question", () => command(box, 'io.timeout(2000).except("<C\'s id>").emit("question", "x")'))).toBe(false);
    expect(await passes(box, "ask-all-but-c", "news", () => command(box, 'io.timeout(1500).except("<C\'s id>").emit("news", "x")'))).toBe(false);
  });

  it("ack-emit-not-kept: io.timeout(ms).emit to everyone; not io.emit, not volatile, not one room", async () => {
    const box = await sandbox("recovery", [{ rooms: ["lobby"] }, {}]);
    await box.settings({ recovery: true });
    await box.join({ as: "C" });
    expect(await passes(box, "ack-emit-not-kept", "news", () => command(box, 'io.timeout(100).emit("news", 1)'))).toBe(true);
    expect(await passes(box, "ack-emit-not-kept", "news", () => command(box, 'io.emit("news", 1)'))).toBe(false);
    expect(await passes(box, "ack-emit-not-kept", "news", () => command(box, 'io.volatile.emit("news", 1)'))).toBe(false);
    expect(await passes(box, "ack-emit-not-kept", "news", () => command(box, 'io.to("lobby").timeout(100).emit("news", 1)'))).toBe(false);
  });
});

describe("the scaling challenge, on two servers", () => {
  it("room-across-servers: the room reached on both servers with the adapter on; not without it, not io.emit, not .local", async () => {
    const off = await sandbox("scaling", [{}, {}, {}, {}]);
    await command(off, 'server(1).io.socketsJoin("everyone")');
    await waitFor(() => off.owner.sockets.filter((socket) => socket.rooms.includes("everyone")).length === 2, "server 1's two sockets in the room");
    // Adapter off: the room holds server 1's clients only; reaching all of it is reaching one server.
    expect(await passes(off, "room-across-servers", "news", () => command(off, 'server(1).io.to("everyone").emit("news", 1)'))).toBe(false);
    expect(await passes(off, "room-across-servers", "news", () => command(off, 'server(2).io.to("everyone").emit("news", 1)'))).toBe(false);

    const on = Object.assign(await sandboxWith("scaling", { clients: 4, settings: { adapter: true } }), { broadcast: false });
    await command(on, 'server(1).io.socketsJoin("everyone")');
    await waitFor(() => on.owner.sockets.filter((socket) => socket.rooms.includes("everyone")).length === 4, "all four sockets in the room");
    expect(await passes(on, "room-across-servers", "news", () => command(on, 'server(2).io.to("everyone").emit("news", 1)'))).toBe(true);
    expect(await passes(on, "room-across-servers", "news", () => command(on, 'server(2).io.emit("news", 1)'))).toBe(false);
    expect(await passes(on, "room-across-servers", "news", () => command(on, 'server(2).io.local.to("everyone").emit("news", 1)'))).toBe(false);
  });
});

describe("walking a challenge's step never completes it", () => {
  const lessons = loadLessons(`${root}lessons`);
  const cases = lessons.flatMap((lesson) => lesson.challenges.map((challenge) => ({ lesson, challenge })));

  it("every challenge has a check and a test above", () => {
    expect(cases.map(({ challenge }) => challenge.id).sort()).toEqual(Object.keys(challengeChecks).sort());
  });

  it.each(cases.map(({ lesson, challenge }) => [`${lesson.slug}/${challenge.step + 1} ${challenge.id}`, lesson, challenge] as const))(
    "%s: not by the step's set-up, nor by running its text's commands",
    async (_name, lesson, challenge) => {
      const step = lesson.steps[challenge.step];
      const box = await sandbox(lesson.program, step.clients, step.broadcast ?? lesson.broadcast ?? false);
      for (const line of step.commands) {
        if (fillPlaceholders(line, (name) => box.clients[name]?.id).ok) await command(box, line);
      }
      // A marker emit: once the owner has it, every delivery made before it has arrived too (one ordered stream).
      await command(box, 'io.emit("end of step", 0)');
      await waitFor(() => box.owner.trace.some((delivery) => delivery.event === "end of step"), "the marker");
      const passed = box.owner.trace.filter((delivery) => delivery.event !== "end of step" && judge(box, challenge.id, delivery));
      expect(passed.map((delivery) => delivery.call)).toEqual([]);
    },
  );
});
