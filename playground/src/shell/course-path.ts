/** The course as a path: the lessons that exist, in order, grouped into the parts their files start. */
import type { CompiledLesson } from "../../../contract/lesson-types.ts";

/** One part of the path and its lessons, each with its 0-based place in the course. */
export interface CoursePart {
  title: string;
  lessons: Array<{ lesson: CompiledLesson; index: number }>;
}

/**
 * Groups the lessons by the `part` their front matter starts; a lesson without one continues the part before.
 *
 * @example
 * coursePath(lessons).map((part) => part.title); // ["The foundations", "Beyond the foundations"]
 */
export function coursePath(lessons: readonly CompiledLesson[]): CoursePart[] {
  const parts: CoursePart[] = [];
  lessons.forEach((lesson, index) => {
    if (lesson.part !== undefined || parts.length === 0) parts.push({ title: lesson.part ?? "Lessons", lessons: [] });
    parts[parts.length - 1].lessons.push({ lesson, index });
  });
  return parts;
}
