/**
 * Built-in lesson programs run natively on the host: they are the playground's own, trusted code. Each file is
 * compiled once, from the same text the page shows, with its call sites numbered (see `call-sites.ts`).
 * `node:vm` here is only a compiler that keeps the file's name and line numbers in stack traces, not a boundary:
 * learner code never comes this way (it runs in QuickJS, see `learner-program.ts`).
 */
import { compileFunction } from "node:vm";
import type { LessonProgram, LessonServer, ProgramContext } from "../programs/program.ts";
import { numberCallSites, scratchName, siteName, type CallSite } from "./call-sites.ts";
import type { RunningProgram } from "./learner-program.ts";
import type { ProgramSource } from "./program-source.ts";

type ProgramBody = (require: (name: string) => unknown, console: ProgramContext["console"], site: CallSite, scratch: undefined) => void;

/**
 * Compiles a program file once; the result runs it on a given server as many times as needed.
 *
 * @example
 * const run = compileNative(readProgramSource(file));
 * run(io, { console, settings: { broadcast: false } });
 */
export function compileNative(source: ProgramSource): LessonProgram {
  const numbered = numberCallSites(source.text);
  if (!numbered.ok) throw new Error(`${source.file}:${numbered.problem.line}: ${numbered.problem.message}`);
  const body = compileFunction(numbered.code, ["require", "console", siteName, scratchName], { filename: source.file }) as ProgramBody;
  return (io, { console, settings, site, db }) => body(programRequire(io, settings, db), console, site ?? { line: undefined }, undefined);
}

/** The modules an `index.js` of the playground may require: `socket.io` hands out the sandbox's own server. */
function programRequire(io: LessonServer, settings: ProgramContext["settings"], db: ProgramContext["db"]): (name: string) => unknown {
  let made = false;
  const http = {
    createServer: () => ({
      /** The sandbox is reached at its own path, not a port: `listen` only calls back. */
      listen(_port?: unknown, callback?: unknown) {
        if (typeof callback === "function") process.nextTick(callback as () => void);
        return this;
      },
    }),
  };
  const modules: Record<string, unknown> = {
    "socket.io": {
      Server: function Server() {
        if (made) throw new Error("This playground runs one Socket.IO server per sandbox: use the io you already have.");
        made = true;
        return io;
      },
    },
    "node:http": http,
    http,
    "./settings": settings,
    ...(db ? { "./db": db } : {}),
  };
  return (name) => {
    if (Object.hasOwn(modules, name)) return modules[name];
    throw new Error(`Cannot find module '${name}': a playground program can require only ${db ? '"socket.io", "node:http", "./settings" and "./db"' : '"socket.io", "node:http" and "./settings"'}.`);
  };
}

/**
 * Runs a built-in program on a server run. Its `settings` are read live, so a settings change needs nothing more.
 *
 * @example
 * const running = startNative(programs.chat.run, io, context);
 */
export function startNative(run: LessonProgram, io: LessonServer, context: ProgramContext): RunningProgram {
  run(io, context);
  return nativeRunning;
}

/** What a running built-in program answers: nothing to stop or ask, so one object serves every run. */
const nativeRunning: RunningProgram = {
  settingsChanged() {},
  stop() {},
  async memory() {
    return undefined;
  },
  async settled() {},
};
