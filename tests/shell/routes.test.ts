/** The shell's URL rules: which lesson and step a path names, and the neighbours that cross lesson ends. */
import { describe, expect, it } from "vitest";
import type { CompiledLesson } from "../../contract/lesson-types.ts";
import { neighbours, parseRoute, stepPath } from "../../playground/src/shell/routes.ts";

/** Just enough of a compiled lesson for routing: a slug and a number of steps. */
const lesson = (slug: string, steps: number) => ({ slug, steps: Array.from({ length: steps }, () => ({})) }) as unknown as CompiledLesson;
const lessons = [lesson("chat", 3), lesson("broadcast", 1), lesson("rooms", 2)];

describe("parseRoute", () => {
  it.each([
    ["/", { kind: "step", lessonIndex: 0, stepIndex: 0 }],
    ["/lessons", { kind: "index" }],
    ["/lessons/", { kind: "index" }],
    ["/lessons/rooms", { kind: "step", lessonIndex: 2, stepIndex: 0 }],
    ["/lessons/chat/3", { kind: "step", lessonIndex: 0, stepIndex: 2 }],
    ["/lessons/chat/3/", { kind: "step", lessonIndex: 0, stepIndex: 2 }],
  ])("%s", (path, route) => expect(parseRoute(path, lessons)).toEqual(route));

  it.each(["/lessons/nope", "/lessons/chat/0", "/lessons/chat/4", "/lessons/chat/01", "/lessons/chat/1.5", "/lessons/chat/2/x", "/about", "/lessons/%E0%A4%A"])(
    "%s is not found",
    (path) => expect(parseRoute(path, lessons)).toEqual({ kind: "not-found", path }),
  );
});

describe("neighbours", () => {
  it("steps within a lesson and crosses into the next and previous lessons at the ends", () => {
    expect(neighbours(lessons, { lessonIndex: 0, stepIndex: 1 })).toEqual({ previous: { lessonIndex: 0, stepIndex: 0 }, next: { lessonIndex: 0, stepIndex: 2 } });
    expect(neighbours(lessons, { lessonIndex: 0, stepIndex: 2 }).next).toEqual({ lessonIndex: 1, stepIndex: 0 });
    expect(neighbours(lessons, { lessonIndex: 2, stepIndex: 0 }).previous).toEqual({ lessonIndex: 1, stepIndex: 0 });
    expect(neighbours(lessons, { lessonIndex: 1, stepIndex: 0 }).previous).toEqual({ lessonIndex: 0, stepIndex: 2 });
  });

  it("has nothing before the first step and nothing after the last", () => {
    expect(neighbours(lessons, { lessonIndex: 0, stepIndex: 0 }).previous).toBeUndefined();
    expect(neighbours(lessons, { lessonIndex: 2, stepIndex: 1 }).next).toBeUndefined();
  });
});

it("stepPath is 1-based, and parseRoute reads it back", () => {
  expect(stepPath("rooms", 1)).toBe("/lessons/rooms/2");
  expect(parseRoute(stepPath("rooms", 1), lessons)).toEqual({ kind: "step", lessonIndex: 2, stepIndex: 1 });
});
