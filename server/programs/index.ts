/** The lesson programs a sandbox can run, by name. */
import { fileURLToPath } from "node:url";
import type { ProgramName } from "../../contract/protocol.ts";
import type { ProgramModule } from "./program.ts";
import * as chat from "./chat.ts";
import * as broadcast from "./broadcast.ts";
import * as rooms from "./rooms.ts";
import * as namespaces from "./namespaces.ts";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Every lesson program with its accepted event shapes and its source file.
 *
 * @example
 * programs.chat.run(io, { console, settings });
 */
export const programs: Record<ProgramName, ProgramModule> = {
  chat: { run: chat.chat, accepts: chat.accepts, file: here("./chat.ts") },
  broadcast: { run: broadcast.broadcast, accepts: broadcast.accepts, file: here("./broadcast.ts") },
  rooms: { run: rooms.rooms, accepts: rooms.accepts, file: here("./rooms.ts") },
  namespaces: { run: namespaces.namespaces, accepts: namespaces.accepts, file: here("./namespaces.ts") },
};

/** True when `name` names a lesson program. */
export function isProgramName(name: unknown): name is ProgramName {
  return typeof name === "string" && Object.hasOwn(programs, name);
}
