/** A step's set-up only sends what the lesson's program handles, and still reaches the step's rooms: every step of every lesson. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { roomPlan } from "../../playground/src/live/room-plan.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const lessons = loadLessons(`${root}lessons`);

describe("roomPlan", () => {
  it("leaves and joins with the program's handlers, keeping the own-id room", () => {
    expect(roomPlan(["sid", "vip", "lobby"], ["lobby"], "sid", ["join", "leave"])).toEqual({ reconnect: false, requests: [{ action: "leave", room: "vip" }] });
    expect(roomPlan(["sid"], ["lobby", "vip"], "sid", ["join", "leave"])).toEqual({
      reconnect: false,
      requests: [{ action: "join", room: "lobby" }, { action: "join", room: "vip" }],
    });
  });

  it("reconnects instead of asking for a leave the program has no handler for", () => {
    expect(roomPlan(["sid", "lobby"], [], "sid", ["chat message", "join"])).toEqual({ reconnect: true, requests: [] });
    expect(roomPlan(["sid", "lobby"], ["lobby"], "sid", ["join"])).toEqual({ reconnect: false, requests: [] });
  });
});

describe("every step of every lesson", () => {
  const transitions = lessons.flatMap((lesson) =>
    lesson.steps.flatMap((step, index) =>
      // Arriving from nowhere (a fresh page), and from every other step of the lesson (Next, Previous, the list).
      [undefined, ...lesson.steps.keys()].filter((from) => from !== index).map((from) => ({ lesson, from, to: index, step })),
    ),
  );

  it.each(transitions.map((t) => [`${t.lesson.slug}: ${t.from === undefined ? "open" : t.from + 1} → ${t.to + 1}`, t] as const))(
    "%s sends only handled requests and ends in the step's rooms",
    (_name, { lesson, from, step }) => {
      const before = from === undefined ? [] : lesson.steps[from].clients;
      step.clients.forEach((client, position) => {
        const current = ["sid", ...((before[position]?.namespace ?? "/") === (client.namespace ?? "/") ? (before[position]?.rooms ?? []) : [])];
        const plan = roomPlan(current, client.rooms ?? [], "sid", lesson.events);
        for (const request of plan.requests) expect(lesson.events, `${lesson.program} handles ${request.action}`).toContain(request.action);
        const after = new Set(plan.reconnect ? ["sid"] : current);
        for (const request of plan.requests) {
          if (request.action === "join") after.add(request.room);
          else after.delete(request.room);
        }
        expect([...after].sort()).toEqual(["sid", ...(client.rooms ?? [])].sort());
      });
    },
  );
});
