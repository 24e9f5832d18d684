/**
 * Where learner code's engines live: a few worker threads (`SANDBOX_CODE_WORKERS`), started when the first learner
 * code runs and stopped when they have held no engine for a while, never the thread that serves the sandboxes. Each
 * new engine goes to the thread with the fewest. A watchdog ends a thread whose call into learner code overran the
 * deadline (`SANDBOX_CODE_DEADLINE_MS`); all learner code shares one budget of busy time per second
 * (`SANDBOX_CODE_TOTAL_MS`, see `cpu-share.ts`).
 */
import type { PlaygroundOptions } from "../config.ts";
import type { CodeLimits } from "./budgets.ts";
import { CpuShare } from "./cpu-share.ts";
import { EngineThread } from "./engine-thread.ts";
import { RemoteEngine } from "./remote-engine.ts";
import type { ThreadStats } from "./thread-protocol.ts";

/** The pool's settings (from `PlaygroundOptions`). */
export interface PoolOptions {
  workers: number;
  deadlineMs: number;
  totalMs: number;
}

/** A thread that has held no engine for this long is stopped; the next learner code starts one again. */
const idleMs = 30_000;
/** The least deadline and total budget (ms) the pool takes, whatever the environment says: 0 would refuse all code. */
const minMs = 10;
/** How often the watchdog looks at the threads. */
const watchMs = 50;

/**
 * The engine threads of one configuration.
 *
 * @example
 * const engine = await poolFor(options).create(codeLimits(options));
 */
export class EnginePool {
  readonly options: PoolOptions;
  #share: CpuShare;
  #threads: EngineThread[] = [];
  #idle = new Map<EngineThread, NodeJS.Timeout>();
  #watchdog: NodeJS.Timeout | undefined;
  #nextEngine = 1;

  constructor(options: PoolOptions) {
    this.options = { workers: Math.max(1, options.workers), deadlineMs: Math.max(minMs, options.deadlineMs), totalMs: Math.max(minMs, options.totalMs) };
    this.#share = new CpuShare(this.options.totalMs);
  }

  /** Makes an engine in the thread with the fewest (starting one if the pool has room); rejects when that fails. */
  async create(limits: CodeLimits): Promise<RemoteEngine> {
    const thread = this.#place();
    clearTimeout(this.#idle.get(thread));
    this.#idle.delete(thread);
    const engine = new RemoteEngine(this.#nextEngine++, thread, limits, this.options.deadlineMs);
    try {
      await engine.create();
    } catch (error) {
      engine.dispose();
      this.#maybeIdle(thread);
      throw error;
    }
    return engine;
  }

  /** Each thread's engines and memory (the benchmark's figures). */
  async stats(): Promise<ThreadStats[]> {
    const found = await Promise.all(this.#threads.map((thread) => thread.stats().catch(() => undefined)));
    return found.filter((stats): stats is ThreadStats => stats !== undefined);
  }

  /** How many threads run now. */
  get threads(): number {
    return this.#threads.length;
  }

  /** Called by a thread whose engines are all gone or disposed: stop it after a while. */
  #maybeIdle(thread: EngineThread): void {
    if (!thread.alive || thread.engines.size > 0 || this.#idle.has(thread)) return;
    this.#idle.set(
      thread,
      setTimeout(() => {
        this.#idle.delete(thread);
        if (thread.engines.size === 0) thread.end("the thread was idle");
      }, idleMs).unref(),
    );
  }

  #place(): EngineThread {
    const live = this.#threads.filter((thread) => thread.alive);
    const least = live.reduce<EngineThread | undefined>((best, thread) => (!best || thread.engines.size < best.engines.size ? thread : best), undefined);
    if (least && (least.engines.size === 0 || live.length >= this.options.workers)) return least;
    const thread: EngineThread = new EngineThread(this.#share, () => this.#forget(thread), () => this.#maybeIdle(thread));
    this.#threads.push(thread);
    this.#watchdog ??= setInterval(() => this.#watch(), watchMs).unref();
    return thread;
  }

  #forget(thread: EngineThread): void {
    this.#threads = this.#threads.filter((other) => other !== thread);
    clearTimeout(this.#idle.get(thread));
    this.#idle.delete(thread);
    if (this.#threads.length === 0) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  }

  /** Ends every thread whose running call overran its deadline; the engines there are told (see `EngineThread.end`). */
  #watch(): void {
    for (const thread of this.#threads) {
      const overrun = thread.overrun();

      if (!overrun) continue;
      const detail = overrun.engine?.alive
        ? `${overrun.where} did not come back within ${overrun.deadlineMs} ms (one step that cannot be interrupted, such as sorting a very large typed array, took too long), so the thread running it was stopped`
        : "it did not come back in time";
      thread.end(`another sandbox's code did not come back within ${overrun.deadlineMs} ms in the thread that also ran this code`, { ...overrun, detail });
    }
  }
}

const pools = new Map<string, EnginePool>();

/**
 * The pool for a playground's options: one per configuration, shared by every playground in the process that has it.
 *
 * @example
 * poolFor(resolveOptions(process.env)).options.workers; // 2
 */
export function poolFor(options: PlaygroundOptions): EnginePool {
  const settings: PoolOptions = { workers: options.codeWorkers, deadlineMs: options.codeDeadlineMs, totalMs: options.codeTotalMs };
  const key = JSON.stringify(settings);
  let pool = pools.get(key);
  if (!pool) pools.set(key, (pool = new EnginePool(settings)));
  return pool;
}
