/** The server code a step shows: the program's file with its editable region swapped for the step's (or the learner's) text. */
import type { CompiledLesson } from "../../../contract/lesson-types.ts";
import { regionOf } from "../../../contract/editable-region.ts";

/** What the editor starts a step with. */
export interface StepCode {
  /** `slug/stepIndex`, the key of the step's draft and editor state. */
  key: string;
  /** The region the step starts with (Reset code goes back to it). */
  start: string;
  /** The model answer, when the step has a task. */
  solution?: string;
}

/**
 * The starting code and model answer of one step.
 *
 * @example
 * stepCode(lesson, 0); // { key: "broadcast/0", start: "io.on(\"connection\", …", solution: undefined }
 */
export function stepCode(lesson: CompiledLesson, stepIndex: number): StepCode {
  const task = lesson.steps[stepIndex]?.task;
  return {
    key: `${lesson.slug}/${stepIndex}`,
    start: task?.start ?? regionOf(lesson.source.code, lesson.source.editable),
    ...(task ? { solution: task.solution } : {}),
  };
}
