/** The lesson programs a sandbox can run, by name: each one `server/programs/<name>.js`, compiled once. */
import { fileURLToPath } from "node:url";
import type { ProgramName } from "../../contract/protocol.ts";
import type { ProgramModule } from "./program.ts";
import { compileNative } from "../runtime/native-program.ts";
import { readProgramSource } from "../runtime/program-source.ts";

const names: ProgramName[] = ["chat", "broadcast", "rooms", "namespaces", "acknowledgements", "scaling"];

function load(name: ProgramName): ProgramModule {
  const source = readProgramSource(fileURLToPath(new URL(`./${name}.js`, import.meta.url)));
  return { run: compileNative(source), accepts: source.accepts, file: source.file, source };
}

/**
 * Every lesson program with its accepted event shapes and its source file.
 *
 * @example
 * programs.chat.run(io, { console, settings });
 */
export const programs = Object.fromEntries(names.map((name) => [name, load(name)])) as Record<ProgramName, ProgramModule>;

/** True when `name` names a lesson program. */
export function isProgramName(name: unknown): name is ProgramName {
  return typeof name === "string" && Object.hasOwn(programs, name);
}
