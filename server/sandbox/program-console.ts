/** A lesson program's `console`: each call becomes a feed line, tagged with the socket being handled and the line that ran. */
import { format } from "node:util";
import type { Socket } from "socket.io";
import type { FeedEntry } from "../../contract/protocol.ts";
import type { ProgramConsole } from "../programs/program.ts";
import type { CallSite } from "../runtime/call-sites.ts";
import type { Handling } from "./handler-context.ts";

/** A feed line as the console writes it, before the stream stamps it. */
export type ProgramLine = Omit<FeedEntry, "seq" | "at" | "run">;

/** What the console needs from its sandbox. */
export interface ConsoleTarget {
  /** Where the running program notes the line of each call it makes (see `server/runtime/call-sites.ts`). */
  site: CallSite;
  handling(): Handling | undefined;
  nameOf(socket: Socket): string;
  feed(line: ProgramLine): void;
  /** False while a flood's lines are only counted: the line is not even formatted. */
  wanted?(): boolean;
}

/**
 * The `console` handed to a lesson program, formatting its arguments as Node's console does.
 *
 * @example
 * const console = programConsole({ site, handling: () => context.current(), nameOf, feed });
 * programs.chat.run(io, { console, settings, site });
 */
export function programConsole(target: ConsoleTarget): ProgramConsole {
  const write = (level: FeedEntry["level"]) => (...args: unknown[]) => {
    if (target.wanted && !target.wanted()) return;
    const socket = target.handling()?.socket;
    target.feed({
      level,
      kind: "program",
      text: format(...args),
      client: socket ? target.nameOf(socket) : undefined,
      socketId: socket?.id,
      nsp: socket?.nsp.name,
      line: target.site.line,
    });
  };
  return { log: write("log"), info: write("info"), warn: write("warn"), error: write("error") };
}
