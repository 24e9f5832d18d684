/**
 * Learner code: the editable region of a lesson program, put back into its file, checked, and run in a QuickJS
 * engine of its own whose `io` is bridged to the sandbox's real server. Built-in programs do not come here.
 */
import type { LessonServer, ProgramContext } from "../programs/program.ts";
import type { CodeLimits } from "./budgets.ts";
import { Bridge } from "./bridge.ts";
import { numberCallSites } from "./call-sites.ts";
import { maxCodeLength, withCode, type ProgramSource } from "./program-source.ts";
import { QuickJSEngine } from "./quickjs-engine.ts";

/** A program running on one server run: told when the settings change, stopped when the server restarts. */
export interface RunningProgram {
  settingsChanged(settings: { broadcast: boolean }): void;
  stop(): void;
  /** The engine's memory, for learner code; undefined for built-in programs. */
  memory(): { heapBytes: number; wasmBytes: number } | undefined;
}

/** Learner code that parsed and compiled, with its engine ready; `start` may be called once. */
export interface PreparedCode {
  /** The editable region as the learner wrote it. */
  code: string;
  start(io: LessonServer, context: Required<ProgramContext>): RunningProgram;
  /** Frees the engine of code that will not run after all. */
  discard(): void;
}

/** Why code was not run: a sentence, and for a syntax error its whole-file line and column. */
export type CodeRefusal = { ok: false; error: string; line?: number; column?: number };

/**
 * Puts `code` into the program's editable region, parses it, and makes its engine; nothing runs yet.
 *
 * @example
 * const prepared = await prepareCode(programs.chat.source, 'io.on("connection", (socket) => {});', limits);
 * if (prepared.ok) running = prepared.program.start(io, context);
 */
export async function prepareCode(source: ProgramSource, code: unknown, limits: CodeLimits): Promise<{ ok: true; program: PreparedCode } | CodeRefusal> {
  if (typeof code !== "string") return { ok: false, error: "Code is the text of the editable region, or null to go back to the lesson's program." };
  if (code.length > maxCodeLength) {
    return { ok: false, error: `Your code is ${Math.ceil(code.length / 1024)} KiB long; the playground runs at most ${maxCodeLength / 1024} KiB.` };
  }
  const numbered = numberCallSites(withCode(source, code), { ticks: true });
  if (!numbered.ok) return { ok: false, error: numbered.problem.message, line: numbered.problem.line, column: numbered.problem.column };
  let engine: QuickJSEngine;
  try {
    engine = await QuickJSEngine.create(limits);
  } catch (error) {
    return { ok: false, error: `The server could not start an engine for your code (${(error as Error).message}); try again in a moment.` };
  }
  const problem = engine.check(numbered.code);
  if (problem) {
    engine.dispose();
    return { ok: false, error: problem.message, line: problem.line, column: problem.column };
  }
  let started = false;
  return {
    ok: true,
    program: {
      code,
      start(io, context) {
        if (started) throw new Error("This code already ran; prepare it again to run it on a new server.");
        started = true;
        const bridge = new Bridge(engine, io, context, limits);
        engine.attach(bridge);
        engine.enter("setting", "broadcast", JSON.stringify(context.settings.broadcast));
        engine.run(numbered.code);
        return {
          settingsChanged: (settings) => engine.enter("setting", "broadcast", JSON.stringify(settings.broadcast)),
          stop() {
            bridge.dispose();
            engine.dispose();
          },
          memory: () => (engine.alive ? engine.memory() : undefined),
        };
      },
      discard() {
        if (!started) engine.dispose();
        started = true;
      },
    },
  };
}
