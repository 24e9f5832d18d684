/** The shell's URLs, as pure functions: which lesson and step a path names, and the steps around it. */
import type { CompiledLesson } from "../../../contract/lesson-types.ts";

/** A step of a lesson: the lesson's index in the list and the step's 0-based index. */
export interface Place {
  lessonIndex: number;
  stepIndex: number;
}

/** A link to a neighbouring step, with the title a screen reader announces. */
export interface StepLink {
  href: string;
  title: string;
}

/** What a path shows: a lesson step, the lesson index, or "not found". */
export type Route = ({ kind: "step" } & Place) | { kind: "index" } | { kind: "not-found"; path: string };

/**
 * The route a path names (`/`, `/lessons`, `/lessons/<slug>`, `/lessons/<slug>/<n>`; n is 1-based).
 *
 * @example
 * parseRoute("/lessons/rooms/2", lessons); // { kind: "step", lessonIndex: 2, stepIndex: 1 }
 */
export function parseRoute(path: string, lessons: readonly CompiledLesson[]): Route {
  const parts = path.split("/").filter(Boolean).map(safeDecode);
  const notFound: Route = { kind: "not-found", path };
  if (parts.length === 0) return lessons.length ? { kind: "step", lessonIndex: 0, stepIndex: 0 } : notFound;
  if (parts[0] !== "lessons" || parts.length > 3) return notFound;
  if (parts.length === 1) return { kind: "index" };
  const lessonIndex = lessons.findIndex((lesson) => lesson.slug === parts[1]);
  if (lessonIndex === -1) return notFound;
  if (parts.length === 2) return { kind: "step", lessonIndex, stepIndex: 0 };
  if (!/^[1-9]\d*$/.test(parts[2])) return notFound;
  const stepIndex = Number(parts[2]) - 1;
  return stepIndex < lessons[lessonIndex].steps.length ? { kind: "step", lessonIndex, stepIndex } : notFound;
}

/**
 * The URL of a step (1-based in the URL).
 *
 * @example
 * stepPath("chat", 0); // "/lessons/chat/1"
 */
export function stepPath(slug: string, stepIndex: number): string {
  return `/lessons/${encodeURIComponent(slug)}/${stepIndex + 1}`;
}

/**
 * The steps before and after a place, crossing into the neighbouring lessons at the ends.
 *
 * @example
 * neighbours(lessons, { lessonIndex: 1, stepIndex: 0 }).previous; // last step of lesson 0
 */
export function neighbours(lessons: readonly CompiledLesson[], place: Place): { previous?: Place; next?: Place } {
  const { lessonIndex, stepIndex } = place;
  const steps = lessons[lessonIndex].steps.length;
  let previous: Place | undefined;
  let next: Place | undefined;
  if (stepIndex > 0) previous = { lessonIndex, stepIndex: stepIndex - 1 };
  else if (lessonIndex > 0) previous = { lessonIndex: lessonIndex - 1, stepIndex: lessons[lessonIndex - 1].steps.length - 1 };
  if (stepIndex < steps - 1) next = { lessonIndex, stepIndex: stepIndex + 1 };
  else if (lessonIndex < lessons.length - 1) next = { lessonIndex: lessonIndex + 1, stepIndex: 0 };
  return { previous, next };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
