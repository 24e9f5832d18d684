/** The lesson texts on a real sandbox: every "type this in the console: it prints → …", and every step's panel setup. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgramName } from "../../contract/protocol.ts";
import { clientName } from "../../contract/client-names.ts";
import { connectOwner, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live } from "../support/live.ts";
import { readLessons, type LessonStep } from "./lesson-files.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

const claim = /`((?:io|socket)\b[^`]*)`[^`]{0,40}?prints\s+`(→ [^`]+)`/g;
const names = (printed: string): string[] => (printed === "→ nobody" ? [] : printed.slice(2).split(", ").sort());

/** A sandbox running `program` with simulated clients A, B, … as `step.clients` asks; resolves with their socket ids. */
async function setUp(program: ProgramName, step: LessonStep) {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  await owner.timeout(3000).emitWithAck("settings", { program, broadcast: step.broadcast ?? false });
  const setups: Exclude<LessonStep["clients"], number> =
    typeof step.clients === "number" ? Array.from({ length: step.clients }, () => ({})) : step.clients;
  const ids: Record<string, string> = {};
  for (const [index, { namespace, auth, rooms = [] }] of setups.entries()) {
    const client = joinSandbox(live.url, ticket, { as: clientName(index), namespace, auth: auth ? { token: auth } : undefined });
    await once(client, "connect");
    for (const room of rooms) await client.timeout(3000).emitWithAck("join", room);
    ids[clientName(index)] = client.id!;
  }
  await waitFor(() => owner.sockets.length === setups.length, "every client in the socket list");
  return { owner, ids };
}

describe("console claims in the lesson texts", () => {
  const lessons = readLessons();
  let total = 0;

  for (const lesson of lessons) {
    for (const [index, body] of lesson.bodies.entries()) {
      const claims = [...body.matchAll(claim)].map(([, command, printed]) => ({ command, printed }));
      total += claims.length;
      if (claims.length === 0) continue;
      it(`${lesson.slug} step ${index + 1} (${lesson.headings[index]}): ${claims.length} console claims`, async () => {
        for (const { command, printed } of claims) {
          // Each claim starts from the step's own setup, as a learner arriving at the step would.
          const { owner, ids } = await setUp(lesson.front.program as ProgramName, lesson.front.steps[index]);
          const line = command.replace(/<([A-Z])'s id>/g, (_, name: string) => ids[name]);
          const reply = await owner.timeout(3000).emitWithAck("command", line);
          expect(reply, line).toMatchObject({ ok: true });
          const recipients = (reply as { ok: true; data: { lines: { text: string }[] } }).data.lines.find((entry) => entry.text.startsWith("→"));
          expect(recipients, `${line} prints its recipients`).toBeDefined();
          expect(names(recipients!.text.trim()), line).toEqual(names(printed));
          owner.disconnect();
          await settle(20);
        }
      });
    }
  }

  it("found the console claims the lessons make", () => {
    expect(total).toBeGreaterThanOrEqual(16);
  });
});

describe("every step's setup works on a real sandbox", () => {
  for (const lesson of readLessons()) {
    it(`${lesson.slug}: each step's clients connect (or are refused where the text says so) and join their rooms`, async () => {
      for (const [index, step] of lesson.front.steps.entries()) {
        const ticket = await createSandbox(live.url);
        const owner = await connectOwner(live.url, ticket);
        await owner.timeout(3000).emitWithAck("settings", { program: lesson.front.program as ProgramName, broadcast: step.broadcast ?? false });
        const setups: Exclude<LessonStep["clients"], number> =
          typeof step.clients === "number" ? Array.from({ length: step.clients }, () => ({})) : step.clients;
        let expectedRooms = 0;
        for (const [position, { namespace, auth, rooms = [] }] of setups.entries()) {
          const client = joinSandbox(live.url, ticket, { as: clientName(position), namespace, auth: auth ? { token: auth } : undefined });
          const refused = namespace === "/admin" && auth === undefined;
          if (refused) {
            const [error] = await once(client, "connect_error");
            expect(error.message, `${lesson.file} step ${index + 1}`).toMatch(/^Not authorized/);
            expect(lesson.bodies[index]).toContain("connect_error");
            continue;
          }
          await once(client, "connect");
          for (const room of rooms) {
            expect(await client.timeout(3000).emitWithAck("join", room), `${lesson.file} step ${index + 1} joins ${room}`).toMatchObject({ ok: true });
          }
          expectedRooms += 1 + rooms.length;
        }
        await waitFor(
          () => owner.sockets.reduce((count, socket) => count + socket.rooms.length, 0) === expectedRooms,
          `${lesson.file} step ${index + 1}: the sockets and rooms of its setup`,
        );
        expect(owner.feed.filter((entry) => entry.level === "warn" || entry.level === "error")).toEqual([]);
        owner.disconnect();
      }
    });
  }
});
