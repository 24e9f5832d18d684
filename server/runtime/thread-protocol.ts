/**
 * What the main thread and an engine thread (a worker running QuickJS engines) say to each other, and the shared
 * cells through which the worker waits for answers and the main thread's watchdog sees what the worker is doing.
 * The main thread never waits on a worker: it posts calls and answers host operations from its event loop.
 */
import type { MessagePort } from "node:worker_threads";
import type { CodeLimits } from "./budgets.ts";
import type { SyntaxProblem } from "./call-sites.ts";
import type { BridgeValue } from "./quickjs-engine.ts";

/** Main → worker. Each message but `dispose` is answered by exactly one `done` with the same `call`. */
export type ToThread =
  | { t: "create"; call: number; engine: number; limits: CodeLimits }
  /** The whole program as the learner's region made it: numbered (`call-sites.ts`) and compiled there, not here. */
  | { t: "check"; call: number; engine: number; code: string }
  | { t: "run"; call: number; engine: number; code: string }
  | { t: "enter"; call: number; engine: number; kind: string; args: BridgeValue[] }
  | { t: "memory"; call: number; engine: number }
  | { t: "stats"; call: number }
  | { t: "dispose"; engine: number };

/**
 * One `host(name, …args)` of a guest; `#halted` (args: reason, detail, line) says the engine stopped its program,
 * `#dropped` that the engine thread dropped console output past the budget of the second.
 */
export type HostOp = [name: string, args: BridgeValue[]];

/** Worker → main. */
export type FromThread =
  /**
   * Host operations of the call running now; with `wait`, the last one waits for its answer (`OpAnswer`, on the answer
   * port), else none does (a full outbox of console lines, sent on).
   */
  | { t: "ops"; call: number; ops: HostOp[]; wait: boolean }
  /** A call finished: the operations that did not need an answer, how long it kept the thread, and its result. */
  | { t: "done"; call: number; ops: HostOp[]; busyMs: number; value?: DoneValue; error?: string };

export type DoneValue = Checked | EngineMemory | ThreadStats | undefined;

/** A program checked in its engine thread: its numbered text, ready to run, or why it cannot run. */
export type Checked = { ok: true; code: string } | { ok: false; problem: SyntaxProblem };

/** The answer to the last operation of an `ops` message, and the main thread's time on the message's operations. */
export type OpAnswer = ({ value: BridgeValue } | { error: { name: string; message: string } }) & { hostMs: number };

/** One engine's memory: QuickJS's heap in use, and the WebAssembly memory reserved for it. */
export interface EngineMemory {
  heapBytes: number;
  wasmBytes: number;
}

/** What a worker holds: its engines, its own V8 heap, and their WebAssembly memories. */
export interface ThreadStats {
  engines: number;
  heapBytes: number;
  externalBytes: number;
  wasmBytes: number;
}

/** The worker's status cells (a Float64Array on a SharedArrayBuffer), written by the worker, read by the watchdog. */
export const cell = {
  /** The call running now, 0 when none. */
  call: 0,
  /** When it started (ms since the epoch), moved on by the time it spent waiting for the main thread. */
  since: 1,
  /** 1 while the worker waits for the main thread to answer a host operation. */
  waiting: 2,
  /** The last line of learner code the call is known to have been at, 0 when none. */
  line: 3,
  /** The worker's thread id in the operating system (0 where unknown), so that the watchdog can read its CPU time. */
  tid: 4,
  /** The worker thread's CPU time (ms) when the call started. */
  cpu: 5,
} as const;

export const statusCells = 6;

/** Milliseconds since the epoch with sub-ms precision, the same clock in every thread. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** What the worker thread starts with. */
export interface ThreadData {
  /** An Int32Array cell the main thread bumps (and notifies) after each answer it posts. */
  answered: SharedArrayBuffer;
  status: SharedArrayBuffer;
  /** The port the answers come on; the worker reads it synchronously (`receiveMessageOnPort`). */
  answers: MessagePort;
  /** The module to run (`engine-worker.ts`), loaded by `worker/boot.mjs`. */
  entry: string;
}
