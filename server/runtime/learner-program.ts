/**
 * Learner code: the editable region of a lesson program, put back into its file, checked, and run in a QuickJS
 * engine of its own, in one of the engine threads (`engine-pool.ts`), whose `io` is bridged to the sandbox's real
 * server. Built-in programs do not come here.
 */
import type { Server as EngineServer } from "engine.io";
import type { PlaygroundOptions } from "../config.ts";
import type { LessonServer, ProgramContext } from "../programs/program.ts";
import { codeLimits } from "./budgets.ts";
import { Bridge } from "./bridge.ts";
import { poolFor } from "./engine-pool.ts";
import { maxCodeLength, withCode, type ProgramSource } from "./program-source.ts";
import type { RemoteEngine } from "./remote-engine.ts";
import type { Checked, EngineMemory } from "./thread-protocol.ts";

/** A program running on one server run: told when the settings change, stopped when the server restarts. */
export interface RunningProgram {
  settingsChanged(settings: { broadcast: boolean }): void;
  stop(): void;
  /** The engine's memory, for learner code (asked of its thread); undefined for built-in programs and stopped code. */
  memory(): Promise<EngineMemory | undefined>;
  /** Resolves once every call into the code asked for so far has run (at once for built-in programs, which run inline). */
  settled(): Promise<void>;
}

/** Learner code that parsed and compiled, with its engine ready; `start` may be called once. */
export interface PreparedCode {
  /** The editable region as the learner wrote it. */
  code: string;
  start(io: LessonServer, context: Required<Omit<ProgramContext, "db">>): RunningProgram;
  /** Frees the engine of code that will not run after all. */
  discard(): void;
}

/** Why code was not run: a sentence, and for a syntax error its whole-file line and column. */
export type CodeRefusal = { ok: false; error: string; line?: number; column?: number };

/**
 * Puts `code` into the program's editable region, parses it, and makes its engine; nothing runs yet. `lost` is
 * called if, once started, the code's engine thread is lost through no fault of this code (another sandbox's call
 * overran there): the caller may prepare and start the same code again.
 *
 * @example
 * const prepared = await prepareCode(programs.chat.source, 'io.on("connection", (socket) => {});', options, restart);
 * if (prepared.ok) running = prepared.program.start(io, context);
 */
export async function prepareCode(
  source: ProgramSource,
  code: unknown,
  options: PlaygroundOptions,
  lost: () => void = () => {},
): Promise<{ ok: true; program: PreparedCode } | CodeRefusal> {
  if (typeof code !== "string") return { ok: false, error: "Code is the text of the editable region, or null to go back to the lesson's program." };
  if (code.length > maxCodeLength) {
    return { ok: false, error: `Your code is ${Math.ceil(code.length / 1024)} KiB long; the playground runs at most ${maxCodeLength / 1024} KiB.` };
  }
  const limits = codeLimits(options);
  let engine: RemoteEngine;
  let numbered: Checked;
  try {
    engine = await poolFor(options).create(limits);
  } catch (error) {
    return { ok: false, error: `The server could not start an engine for your code (${(error as Error).message}); try again in a moment.` };
  }
  try {
    // Parsed, numbered and compiled in the engine's thread: a large program costs the serving thread nothing.
    numbered = await engine.check(withCode(source, code));
  } catch (error) {
    engine.dispose();
    return { ok: false, error: `The server could not compile your code (${(error as Error).message}); try again in a moment.` };
  }
  if (!numbered.ok) {
    engine.dispose();
    const { problem } = numbered;
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
        engine.attach(bridge, lost);
        engine.enter("setting", "broadcast", JSON.stringify(context.settings.broadcast));
        engine.run(numbered.code);
        holdHandshakes(io, engine);
        return {
          settingsChanged: (settings) => engine.enter("setting", "broadcast", JSON.stringify(settings.broadcast)),
          stop() {
            bridge.dispose();
            engine.dispose();
          },
          memory: () => engine.memory(),
          settled: () => new Promise((resolve) => engine.after(resolve)),
        };
      },
      discard() {
        if (!started) engine.dispose();
        started = true;
      },
    },
  };
}

/**
 * New connections wait until the program's top level has run in its engine thread, as `node index.js` serves only
 * once the file has run: its `io.on("connection", …)` and `io.of(…)` exist before the first client arrives. Engine.IO
 * asks `allowRequest` for every new connection; whatever the server had there runs after the wait.
 */
function holdHandshakes(io: LessonServer, engine: RemoteEngine): void {
  const options = (io.engine as EngineServer).opts;
  const allow = options.allowRequest;
  const held: Array<() => void> = [];
  options.allowRequest = (req, callback) => held.push(() => (allow ? allow(req, callback) : callback(null, true)));
  engine.after(() => {
    options.allowRequest = allow;
    for (const pass of held.splice(0)) pass();
  });
}
