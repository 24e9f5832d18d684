/** Vite plugin serving `virtual:lessons`: the lessons loaded, validated and compiled at build time. */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { loadLessons } from "./lesson-loader.ts";
import { compileLessons } from "./lesson-compiler.ts";

const virtualId = "virtual:lessons";
const resolvedId = `\0${virtualId}`;
const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Compiles `lessons/` into `virtual:lessons` (`export const lessons: CompiledLesson[]`). A broken lesson fails
 * the build with its file and field; in dev, editing a lesson or a program reloads the page.
 *
 * @example
 * export default defineConfig({ plugins: [svelte(), lessonsPlugin()] });
 */
export function lessonsPlugin(lessonsDir = resolve(projectRoot, "lessons")): Plugin {
  const programsDir = resolve(projectRoot, "server/programs");
  return {
    name: "socket-playground:lessons",
    resolveId(id) {
      return id === virtualId ? resolvedId : undefined;
    },
    async load(id) {
      if (id !== resolvedId) return undefined;
      const loaded = loadLessons(lessonsDir, { projectRoot });
      for (const lesson of loaded) {
        this.addWatchFile(resolve(lessonsDir, lesson.file));
        this.addWatchFile(resolve(projectRoot, lesson.source.path));
      }
      const lessons = await compileLessons(loaded);
      return `export const lessons = ${JSON.stringify(lessons)};\n`;
    },
    configureServer(server) {
      server.watcher.add([lessonsDir, programsDir]);
      const reload = (file: string) => {
        if (!file.startsWith(lessonsDir) && !file.startsWith(programsDir)) return;
        const module = server.moduleGraph.getModuleById(resolvedId);
        if (!module) return;
        server.moduleGraph.invalidateModule(module);
        server.ws.send({ type: "full-reload" });
      };
      server.watcher.on("change", reload);
      server.watcher.on("add", reload);
      server.watcher.on("unlink", reload);
    },
  };
}
