/** The course path: parts come from the lesson files' `part`, every lesson in the lessons folder is on it, in order. */
import { describe, expect, it } from "vitest";
import { coursePath } from "../../playground/src/shell/course-path.ts";
import { lessons } from "../lessons/compiled-lessons.ts";

describe("the course path", () => {
  it("starts with the four foundations, then the lessons after them; every lesson of the folder once, in order", async () => {
    const compiled = await lessons();
    const parts = coursePath(compiled);
    expect(parts[0].title).toBe("The foundations");
    expect(parts[0].lessons.map(({ lesson }) => lesson.slug)).toEqual(["chat", "broadcast", "rooms", "namespaces"]);
    expect(parts.flatMap((part) => part.lessons.map(({ index }) => index))).toEqual(compiled.map((_, index) => index));
    expect(parts[1]?.lessons[0].lesson.slug).toBe("acknowledgements");
  });

  it("a lesson without a part continues the part before it; the first one opens a part even without one", async () => {
    const [chat, broadcast, rooms] = await lessons();
    const { part: _dropped, ...untitled } = chat;
    expect(coursePath([untitled, broadcast, { ...rooms, part: "Next" }]).map((part) => [part.title, part.lessons.map(({ lesson }) => lesson.slug)])).toEqual([
      ["Lessons", ["chat", "broadcast"]],
      ["Next", ["rooms"]],
    ]);
  });
});
