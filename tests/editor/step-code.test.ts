/** The file a step shows: the program with its editable region swapped, and each step's starting code. */
import { describe, expect, it } from "vitest";
import { lessons } from "../lessons/compiled-lessons.ts";
import { fileWith, regionOf } from "../../contract/editable-region.ts";
import { stepCode } from "../../playground/src/editor/step-code.ts";

describe("the editable region", () => {
  const file = "const io = new Server(server);\n\nio.on(\"connection\", () => {});\n\nserver.listen(3000);\n";

  it("swaps the region for text of any length and moves the range with it", () => {
    const editable = { start: 3, end: 3 };
    expect(regionOf(file, editable)).toBe('io.on("connection", () => {});');
    const longer = fileWith(file, editable, "a\nb\nc");
    expect(longer.editable).toEqual({ start: 3, end: 5 });
    expect(regionOf(longer.text, longer.editable)).toBe("a\nb\nc");
    expect(longer.text.split("\n").slice(0, 2)).toEqual(file.split("\n").slice(0, 2));
    expect(longer.text.endsWith("\nserver.listen(3000);\n")).toBe(true);
    const empty = fileWith(file, editable, "");
    expect(empty.editable).toEqual({ start: 3, end: 3 });
    expect(regionOf(empty.text, empty.editable)).toBe("");
  });

  it("gives back the program's own file when the region is unchanged", () => {
    const editable = { start: 3, end: 3 };
    expect(fileWith(file, editable, regionOf(file, editable)).text).toBe(file);
  });
});

describe("each step's starting code", async () => {
  const compiled = await lessons();

  it("is the program's region, or the task's starting code, with a model answer wherever there is a task", () => {
    for (const lesson of compiled) {
      lesson.steps.forEach((step, index) => {
        const code = stepCode(lesson, index);
        expect(code.key).toBe(`${lesson.slug}/${index}`);
        expect(code.start).toBe(step.task?.start ?? regionOf(lesson.source.code, lesson.source.editable));
        expect(code.solution).toBe(step.task?.solution);
      });
    }
  });

  it("has at least one code task per lesson, each one's model answer different from its starting code", () => {
    for (const lesson of compiled) {
      const tasks = lesson.steps.flatMap((step, index) => (step.task ? [{ task: step.task, code: stepCode(lesson, index) }] : []));
      // The scaling lesson's two servers, and the delivery lesson's database, run the built-in program only (Run code
      // is refused there, with a reason).
      if (lesson.program !== "scaling" && lesson.program !== "delivery") expect(tasks.length, lesson.slug).toBeGreaterThan(0);
      for (const { task, code } of tasks) expect(code.start, task.id).not.toBe(task.solution);
    }
  });
});
