/** Typing of `virtual:lessons`, the module `server/lessons/vite-plugin-lessons.ts` compiles from `lessons/`. */
declare module "virtual:lessons" {
  import type { CompiledLesson } from "../../contract/lesson-types.ts";
  /** Every lesson, in order, compiled at build time. */
  export const lessons: CompiledLesson[];
}
