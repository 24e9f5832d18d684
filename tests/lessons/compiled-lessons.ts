/** The real lessons/ folder, loaded and compiled once per test file, as the page gets it. */
import { fileURLToPath } from "node:url";
import type { CompiledLesson } from "../../contract/lesson-types.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { compileLessons } from "../../server/lessons/lesson-compiler.ts";

const lessonsDir = fileURLToPath(new URL("../../lessons", import.meta.url));
let compiled: Promise<CompiledLesson[]> | undefined;

/**
 * Every lesson as `virtual:lessons` holds it.
 *
 * @example
 * const broadcast = (await lessons()).find((lesson) => lesson.slug === "broadcast")!;
 */
export function lessons(): Promise<CompiledLesson[]> {
  compiled ??= compileLessons(loadLessons(lessonsDir));
  return compiled;
}
