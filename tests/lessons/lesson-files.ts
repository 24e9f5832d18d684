/** Reads the four lesson files and their programs' sources, for tests that check what the lessons say. */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export interface LessonStep {
  clients: number | Array<{ namespace?: string; auth?: string; rooms?: string[] }>;
  broadcast?: boolean;
  highlight?: string;
}

export interface LessonFile {
  file: string;
  slug: string;
  front: {
    title: string;
    panel: string;
    program: string;
    event: string;
    steps: LessonStep[];
    questions: Array<{ question: string; answer: string }>;
    challenges: Array<{ id: string; title: string; hint: string }>;
  };
  /** Step titles, from the `## ` headings, in order. */
  headings: string[];
  /** The step texts, one per heading. */
  bodies: string[];
  /** The program's source lines. */
  programLines: string[];
}

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Every `lessons/NN-slug.md`, in order, with its frontmatter, step texts and program source.
 *
 * @example
 * const chat = readLessons().find((lesson) => lesson.slug === "chat")!;
 * chat.front.steps[0].highlight; // 'io.on("connection", (socket) => {'
 */
export function readLessons(): LessonFile[] {
  return readdirSync(`${root}lessons`)
    .filter((name) => /^\d+-[a-z-]+\.md$/.test(name))
    .sort()
    .map((name) => {
      const text = readFileSync(`${root}lessons/${name}`, "utf8");
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      if (!match) throw new Error(`${name}: no frontmatter`);
      const front = parse(match[1]) as LessonFile["front"];
      const sections = match[2].split(/^## /m).slice(1);
      return {
        file: name,
        slug: name.replace(/^\d+-/, "").replace(/\.md$/, ""),
        front,
        headings: sections.map((section) => section.split("\n")[0].trim()),
        bodies: sections.map((section) => section.slice(section.indexOf("\n") + 1)),
        programLines: readFileSync(`${root}server/programs/${front.program}.ts`, "utf8").split("\n"),
      };
    });
}
