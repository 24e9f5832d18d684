/** The lesson texts on a real sandbox: every "type this in the console: it prints → …", and every step's panel setup. */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { sandboxWith, settle, startLive, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  // One sandbox per claim and per step of every lesson: more than one address's default quota.
  live = await startLive({ createQuota: 0 });
});
afterAll(() => live.close());

const lessons = loadLessons(fileURLToPath(new URL("../../lessons", import.meta.url)));
const claim = /`((?:io|socket)\b[^`]*)`[^`]{0,40}?prints\s+`(→ [^`]+)`/g;
const names = (printed: string): string[] => (printed === "→ nobody" ? [] : printed.slice(2).split(", ").sort());

describe("console claims in the lesson texts", () => {
  let total = 0;

  for (const lesson of lessons) {
    for (const [index, step] of lesson.steps.entries()) {
      const claims = [...step.markdown.matchAll(claim)].map(([, command, printed]) => ({ command, printed }));
      total += claims.length;
      if (claims.length === 0) continue;
      it(`${lesson.slug} step ${index + 1} (${step.title}): ${claims.length} console claims`, async () => {
        for (const { command, printed } of claims) {
          // Each claim starts from the step's own setup, as a learner arriving at the step would.
          const box = await sandboxWith(lesson.program, { clients: step.clients, broadcast: step.broadcast });
          const line = command.replace(/<([A-Z])'s id>/g, (_, name: string) => box.clients[name].id!);
          const reply = await box.command(line);
          expect(reply, line).toMatchObject({ ok: true });
          const recipients = (reply as { ok: true; data: { lines: { text: string }[] } }).data.lines.find((entry) => entry.text.startsWith("→"));
          expect(recipients, `${line} prints its recipients`).toBeDefined();
          expect(names(recipients!.text.trim()), line).toEqual(names(printed));
        }
      });
    }
  }

  it("found the console claims the lessons make", () => {
    expect(total).toBeGreaterThanOrEqual(16);
  });
});

describe("every step's setup works on a real sandbox", () => {
  for (const lesson of lessons) {
    it(`${lesson.slug}: each step's clients connect (or are refused where the text says so) and join their rooms`, async () => {
      for (const [index, step] of lesson.steps.entries()) {
        const at = `${lesson.file} step ${index + 1}`;
        // sandboxWith fails when a client cannot join its rooms or the owner's socket list does not show them all.
        const box = await sandboxWith(lesson.program, { clients: step.clients, broadcast: step.broadcast });
        for (const [name, message] of Object.entries(box.refused)) {
          expect(message, `${at}: ${name} refused`).toMatch(/^Not authorized/);
          expect(step.markdown, `${at} says why ${name} is refused`).toContain("connect_error");
        }
        await settle();
        expect(box.owner.feed.filter((entry) => entry.level === "warn" || entry.level === "error"), at).toEqual([]);
      }
    });
  }
});
