/**
 * The main thread's handle on one sandbox's QuickJS engine, which lives in an engine thread (a worker). Calls into
 * the code are posted, never made here: each carries the async context it was asked for in (which socket and event
 * the sandbox is handling), and the host operations the code makes during that call run back here in that context,
 * so the console and the delivery trace attribute them as they would a built-in program's.
 */
import { AsyncResource } from "node:async_hooks";
import type { CodeLimits } from "./budgets.ts";
import type { BridgeValue, EngineHost, GuestCalls, StopReason } from "./quickjs-engine.ts";
import type { EngineThread } from "./engine-thread.ts";
import type { Checked, EngineMemory, HostOp } from "./thread-protocol.ts";

/** Creating an engine and compiling a program are the playground's own work: they may take this long on a busy host. */
export const setupMs = 5000;

/** How much a new engine's calls are expected to cost (ms) until some have run: new code is not trusted to be quick. */
const priorMs = 50;

/**
 * One engine in an engine thread.
 *
 * @example
 * const engine = await pool.create(limits);
 * engine.attach(bridge, () => restartMyCode());
 * engine.run(numberedCode);
 * engine.enter("connection", "n:/", snapshot);
 */
export class RemoteEngine implements GuestCalls {
  readonly id: number;
  readonly limits: CodeLimits;
  /** How long one call of this engine is expected to keep its thread busy (ms): a moving average. */
  expectedMs = priorMs;
  #thread: EngineThread;
  #deadlineMs: number;
  #host: EngineHost | undefined;
  #lost: (() => void) | undefined;
  #state: "ready" | "stopped" | "lost" = "ready";
  /** Calls asked for and calls finished, and what waits for a number of them to finish (see `after`). */
  #asked = 0;
  #finished = 0;
  #waiters: Array<{ upTo: number; callback: () => void }> = [];
  #warnedAt = -Infinity;

  constructor(id: number, thread: EngineThread, limits: CodeLimits, deadlineMs: number) {
    this.id = id;
    this.#thread = thread;
    this.limits = limits;
    this.#deadlineMs = deadlineMs;
  }

  /** True until the program is stopped, the engine disposed, or its thread lost. */
  get alive(): boolean {
    return this.#state === "ready";
  }

  /** Makes the engine in its thread; rejects when that fails. */
  async create(): Promise<void> {
    const done = await this.#thread.call(this, { t: "create", engine: this.id, limits: this.limits }, setupMs);
    if (done.error) throw new Error(done.error);
  }

  /**
   * Connects the program's side of the bridge; `lost` is called if the engine's thread is lost through no fault of
   * this code (another sandbox's call overran there), so that the program can be started again.
   */
  attach(host: EngineHost, lost: () => void): void {
    this.#host = host;
    this.#lost = lost;
    if (this.#state === "lost") queueMicrotask(lost);
  }

  /** Checks that QuickJS can compile the program, without running it. */
  async check(code: string): Promise<Checked> {
    const done = await this.#thread.call(this, { t: "check", engine: this.id, code }, setupMs);
    if (done.error) throw new Error(done.error);
    if (!done.value || !("ok" in done.value)) throw new Error(this.alive ? "the engine thread did not say" : "the engine stopped");
    return done.value;
  }

  /** Runs the program's top level, as one call. */
  run(code: string): void {
    this.#post({ t: "run", engine: this.id, code });
  }

  enter(kind: string, ...args: BridgeValue[]): void {
    this.#post({ t: "enter", engine: this.id, kind, args });
  }

  refusal(): string | undefined {
    if (this.#state !== "ready") return undefined;
    const why = this.#thread.share.refusal(this);
    if (why && performance.now() - this.#warnedAt >= 1000) {
      this.#warnedAt = performance.now();
      this.#host?.warn?.(why);
    }
    return why;
  }

  after(callback: () => void): void {
    if (this.#state !== "ready" || this.#finished >= this.#asked) return callback();
    this.#waiters.push({ upTo: this.#asked, callback });
  }

  /** QuickJS's heap in use and the WebAssembly memory reserved for it; undefined once the engine is gone. */
  async memory(): Promise<EngineMemory | undefined> {
    if (this.#state !== "ready") return undefined;
    const done = await this.#thread.call(this, { t: "memory", engine: this.id }, setupMs, { direct: true }).catch(() => undefined);
    return this.#state === "ready" ? (done?.value as EngineMemory | undefined) : undefined;
  }

  /** Frees the engine; calls still waiting are dropped. */
  dispose(): void {
    if (this.#state === "ready") this.#state = "stopped";
    this.#thread.dispose(this);
    this.#release();
  }

  /** The thread runs host operations of this engine's running call here, in the context the call was asked for in. */
  hostOps(ops: HostOp[], context: AsyncResource, answerLast: boolean): BridgeValue {
    return context.runInAsyncScope(() => {
      let result: BridgeValue;
      for (const [index, [name, args]] of ops.entries()) {
        const last = answerLast && index === ops.length - 1;
        if (name === "#halted") {
          const [reason, detail, line] = args;
          this.#halted(reason as StopReason, String(detail), typeof line === "number" ? line : undefined);
          continue;
        }
        if (name === "#dropped") {
          if (this.#state === "ready") this.#host?.consoleDropped?.();
          continue;
        }
        if (this.#state !== "ready") {
          if (last) throw new Error("Your code was stopped; this call did nothing.");
          continue;
        }
        try {
          result = this.#host!.op(name, args);
        } catch (error) {
          if (last) throw error;
          // An operation that answers nothing (a console line) has no caller to throw to.
        }
      }
      return result;
    });
  }

  /** A call of this engine finished, having kept its thread busy for `busyMs`. */
  finished(busyMs: number): void {
    this.#finished++;
    this.expectedMs = 0.8 * this.expectedMs + 0.2 * busyMs;
    while (this.#waiters.length > 0 && this.#waiters[0].upTo <= this.#finished) this.#waiters.shift()!.callback();
  }

  /**
   * The engine's thread ended: `overran` when this engine's call did not come back in time (its program is stopped,
   * naming the line it was last known at), otherwise through no fault of its own (its program may start again).
   */
  threadEnded(overran: boolean, detail: string, line: number | undefined): void {
    if (this.#state !== "ready") return;
    if (overran) return this.#halted("deadline", detail, line);
    this.#state = "lost";
    this.#release();
    this.#lost?.();
  }

  #post(message: { t: "run"; engine: number; code: string } | { t: "enter"; engine: number; kind: string; args: BridgeValue[] }): void {
    if (this.#state !== "ready") return;
    if (this.#asked - this.#finished >= this.limits.queue) {
      this.#halted("engine", `more than ${this.limits.queue} calls into your code were waiting at once (something calls back into it in a loop)`);
      return;
    }
    this.#asked++;
    this.#thread.enqueue(this, message, new AsyncResource("LearnerCodeCall"), this.#deadlineMs);
  }

  #halted(reason: StopReason, detail: string, line?: number): void {
    if (this.#state !== "ready") return;
    this.#state = "stopped";
    this.#host?.halted(reason, detail, line);
    this.#thread.dispose(this);
    this.#release();
  }

  /** Nothing more will run: whatever waits for calls to finish goes on now. */
  #release(): void {
    for (const { callback } of this.#waiters.splice(0)) callback();
  }
}
