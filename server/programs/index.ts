/** The lesson programs a sandbox can run, by name: each one `server/programs/<name>.js`, compiled once. */
import { fileURLToPath } from "node:url";
import type { ProgramName } from "../../contract/protocol.ts";
import type { ProgramModule } from "./program.ts";
import { compileNative } from "../runtime/native-program.ts";
import { readProgramSource } from "../runtime/program-source.ts";
import { programServerOptions } from "./server-options.ts";

const names: ProgramName[] = ["chat", "broadcast", "rooms", "namespaces", "acknowledgements", "recovery", "delivery", "scaling"];

/** The programs that `require("./db")`: each of their runs gets a database of its own (see `server/store/`). */
const databasePrograms = new Set<ProgramName>(["delivery"]);

function load(name: ProgramName): ProgramModule {
  const source = readProgramSource(fileURLToPath(new URL(`./${name}.js`, import.meta.url)));
  const server = programServerOptions[name];
  const database = databasePrograms.has(name);
  return { run: compileNative(source), accepts: source.accepts, file: source.file, source, ...(server ? { server } : {}), ...(database ? { database } : {}) };
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
