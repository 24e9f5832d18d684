/**
 * The main thread's side of one engine thread (a worker holding QuickJS engines of several sandboxes). It posts the
 * engines' calls a few at a time, the cheapest-looking first, so that a quiet sandbox is not queued behind a busy
 * one; answers their host operations from the event loop, never waiting itself; and, when a call overruns its
 * deadline or the worker fails, ends the worker and tells every engine that lived there.
 */
import type { AsyncResource } from "node:async_hooks";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { CpuShare } from "./cpu-share.ts";
import { ownWorkMs, taskCpuMs } from "./entry-clock.ts";
import type { RemoteEngine } from "./remote-engine.ts";
import { cell, epochMs, statusCells, type FromThread, type HostOp, type OpAnswer, type ThreadData, type ToThread } from "./thread-protocol.ts";

/** A message of a call, before it is given its call number. */
type CallMessage = Exclude<ToThread, { t: "dispose" }> extends infer M ? (M extends unknown ? Omit<M, "call"> : never) : never;

type Done = Extract<FromThread, { t: "done" }>;

interface Call {
  engine: RemoteEngine | undefined;
  message: CallMessage;
  /** The async context it was asked for in; host operations of the call run in it. */
  context: AsyncResource | undefined;
  deadlineMs: number;
  /** This thread's time on the call's host operations so far. */
  hostMs: number;
  settle?: { resolve(done: Done): void; reject(error: Error): void };
}

/** A call that has kept its thread this many times its deadline on the wall clock ends, whatever its CPU time. */
const backstop = 10;
/** Calls in flight at once when all are cheap (a flood of small events); an expensive call has the thread alone. */
const maxInFlight = 4;
const cheapMs = 1;
/** How much waiting (ms) makes up for one ms of expected cost when picking the next call: nobody waits forever. */
const agePerMs = 10;

/**
 * One worker and the engines placed in it.
 *
 * @example
 * const thread = new EngineThread(share, () => pool.forget(thread), () => pool.idle(thread));
 * const engine = new RemoteEngine(1, thread, limits, 1000);
 * await engine.create();
 */
export class EngineThread {
  readonly share: CpuShare;
  /** The engines placed here (alive or not yet disposed). */
  readonly engines = new Set<RemoteEngine>();
  #worker: Worker;
  #answers: MessagePort;
  #answered: Int32Array;
  #status: Float64Array;
  #calls = new Map<number, Call>();
  #nextCall = 1;
  /** Calls waiting to be posted, per engine, and when the first of each engine's began to wait. */
  #waiting = new Map<RemoteEngine, { calls: Call[]; since: number }>();
  /** Posted learner-code calls (not setup or memory questions): the scheduler keeps these few. */
  #inFlight = new Set<Call>();
  #retry: NodeJS.Timeout | undefined;
  #ended: string | undefined;
  #onEnd: () => void;
  #onEmpty: () => void;

  /** `onEnd`: the worker ended; `onEmpty`: the last engine here was disposed. */
  constructor(share: CpuShare, onEnd: () => void, onEmpty: () => void) {
    this.share = share;
    this.#onEnd = onEnd;
    this.#onEmpty = onEmpty;
    const answered = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const status = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * statusCells);
    this.#answered = new Int32Array(answered);
    this.#status = new Float64Array(status);
    const { port1, port2 } = new MessageChannel();
    this.#answers = port1;
    port1.unref();
    const workerData: ThreadData = { answered, status, answers: port2, entry: new URL("./worker/engine-worker.ts", import.meta.url).href };
    this.#worker = new Worker(new URL("./worker/boot.mjs", import.meta.url), {
      workerData,
      transferList: [port2],
      // Not the parent's flags (a test runner's, the benchmark's --expose-gc): the boot module sets up what it needs.
      execArgv: [],
      name: "learner code",
      // Engines' memory is WebAssembly memory, bounded per engine; this bounds the thread's own JavaScript heap. The
      // native stack is the main thread's size, not a worker's default 4 MiB: QuickJS's C recursion (JSON.stringify of
      // a deeply nested value) runs until the native stack gives out, and takes seconds to fill 4 MiB, ~0.4 s for 1 MiB.
      resourceLimits: { maxOldGenerationSizeMb: 256, stackSizeMb: 1 },
    });
    this.#worker.unref();
    this.#worker.on("message", (message: FromThread) => this.#receive(message));
    this.#worker.on("error", (error) => this.#failed(`the thread running it failed (${error.message})`));
    this.#worker.on("exit", (code) => this.#failed(`the thread running it exited (code ${code})`));
  }

  /** True until the worker ended. */
  get alive(): boolean {
    return this.#ended === undefined;
  }

  /**
   * A call whose answer the caller awaits (making an engine, compiling, asking its memory); `direct` ones skip the
   * queue (they run no learner code). Rejects when the thread ends first.
   */
  call(engine: RemoteEngine, message: CallMessage, deadlineMs: number, { direct = false } = {}): Promise<Done> {
    return new Promise((resolve, reject) => {
      if (this.#ended) return reject(new Error(this.#ended));
      const call: Call = { engine, message, context: undefined, deadlineMs, hostMs: 0, settle: { resolve, reject } };
      if (message.t === "create") this.engines.add(engine);
      if (direct) this.#post(call);
      else this.#queue(call);
    });
  }

  /** A call into learner code, posted when the scheduler picks it. */
  enqueue(engine: RemoteEngine, message: CallMessage, context: AsyncResource, deadlineMs: number): void {
    if (this.#ended) return;
    this.#queue({ engine, message, context, deadlineMs, hostMs: 0 });
  }

  /** Forgets an engine: its waiting calls are dropped and the worker frees it after what it is running. */
  dispose(engine: RemoteEngine): void {
    if (!this.engines.delete(engine)) return;
    this.#waiting.delete(engine);
    if (this.#ended) return;
    this.#worker.postMessage({ t: "dispose", engine: engine.id } satisfies ToThread);
    if (this.engines.size === 0) this.#onEmpty();
  }

  /** What the worker reports about itself. */
  async stats(): Promise<Done["value"]> {
    return new Promise((resolve, reject) => {
      if (this.#ended) return reject(new Error(this.#ended));
      this.#post({ engine: undefined, message: { t: "stats" }, context: undefined, deadlineMs: 5000, hostMs: 0, settle: { resolve: (done) => resolve(done.value), reject } });
    });
  }

  /**
   * The watchdog's look: the call running now if it has kept the thread longer than its deadline, with the line it
   * was last known at. Kept means the worker thread's CPU time where the system says (Linux), so that on a loaded host
   * a call that only waited for a core is not ended for it; a call that has also run `backstop` times its deadline on
   * the wall clock ends regardless. Time spent waiting for the main thread never counts.
   */
  overrun(now = epochMs()): { engine: RemoteEngine | undefined; line: number | undefined; deadlineMs: number; where: string } | undefined {
    const status = this.#status;
    const running = status[cell.call];
    if (!running || status[cell.waiting]) return undefined;
    const since = status[cell.since];
    const cpuAtStart = status[cell.cpu];
    if (status[cell.call] !== running) return undefined; // it changed while read
    const call = this.#calls.get(running);
    if (!call || now - since <= call.deadlineMs) return undefined;
    if (now - since <= backstop * call.deadlineMs) {
      const cpu = taskCpuMs(status[cell.tid]);
      if (status[cell.call] !== running || status[cell.waiting]) return undefined;
      if (cpu !== undefined && cpu - cpuAtStart <= call.deadlineMs) return undefined;
    }
    return { engine: call.engine, line: status[cell.line] || undefined, deadlineMs: call.deadlineMs, where: describeCall(call.message) };
  }

  /**
   * Ends the worker at once (`terminate()`, which stops even a call that cannot be interrupted). The engine whose call
   * overran, if any, has its program stopped with `detail`; every other engine here is told it was lost.
   */
  end(reason: string, overran?: { engine: RemoteEngine | undefined; line: number | undefined; detail: string }): void {
    if (this.#ended) return;
    this.#ended = reason;
    clearTimeout(this.#retry);
    void this.#worker.terminate();
    this.#answers.close();
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    this.#waiting.clear();
    this.#inFlight.clear();
    for (const call of calls) call.settle?.reject(new Error(reason));
    const engines = [...this.engines];
    this.engines.clear();
    for (const engine of engines) {
      if (engine === overran?.engine) engine.threadEnded(true, overran.detail, overran.line);
      else engine.threadEnded(false, reason, undefined);
    }
    this.#onEnd();
  }

  /** The worker failed by itself: the engine whose call was running, if any, is the one stopped; the others are lost. */
  #failed(reason: string): void {
    const running = this.#calls.get(this.#status[cell.call]);
    const detail = `${reason.replace(/^the thread/, "the engine thread")}, so its program was stopped`;
    this.end(`another sandbox's code made ${reason.replace(/^the thread running it/, "the engine thread that also ran this code")}`, {
      engine: running?.engine,
      line: this.#status[cell.line] || undefined,
      detail,
    });
  }

  #queue(call: Call): void {
    const engine = call.engine!;
    const waiting = this.#waiting.get(engine);
    if (waiting) waiting.calls.push(call);
    else this.#waiting.set(engine, { calls: [call], since: performance.now() });
    this.#pump();
  }

  /** Posts waiting calls while the scheduler allows: the lowest `expected cost − waiting time / agePerMs` first. */
  #pump(): void {
    while (!this.#ended && this.#waiting.size > 0) {
      const expensiveInFlight = [...this.#inFlight].some((call) => (call.engine?.expectedMs ?? 0) >= cheapMs);
      if (this.#inFlight.size >= maxInFlight || expensiveInFlight) return;
      const now = performance.now();
      let best: RemoteEngine | undefined;
      let bestScore = Infinity;
      let deferred = false;
      for (const [engine, waiting] of this.#waiting) {
        if (this.share.over(engine)) {
          deferred = true;
          continue;
        }
        const score = engine.expectedMs - (now - waiting.since) / agePerMs;
        if (score < bestScore) [best, bestScore] = [engine, score];
      }
      if (!best) {
        // Everyone waiting used more than their share of this second: try again when it is over.
        if (deferred && !this.#retry) this.#retry = setTimeout(() => ((this.#retry = undefined), this.#pump()), this.share.msLeft() + 1);
        return;
      }
      if (this.#inFlight.size > 0 && best.expectedMs >= cheapMs) return; // an expensive call waits for the thread to be free
      const waiting = this.#waiting.get(best)!;
      const call = waiting.calls.shift()!;
      if (waiting.calls.length === 0) this.#waiting.delete(best);
      else waiting.since = now;
      if (call.message.t === "run" || call.message.t === "enter" || call.message.t === "check" || call.message.t === "create") this.#inFlight.add(call);
      this.#post(call);
    }
  }

  #post(call: Call): void {
    const id = this.#nextCall++;
    this.#calls.set(id, call);
    this.#worker.postMessage({ ...call.message, call: id } as ToThread);
  }

  #receive(message: FromThread): void {
    if (this.#ended) return; // a message the worker sent before it was ended
    const call = this.#calls.get(message.call);
    if (message.t === "ops") return message.wait ? this.#answer(call, message.ops) : void this.#run(call, message.ops);
    this.#calls.delete(message.call);
    if (!call) return;
    this.#inFlight.delete(call);
    const { engine } = call;
    this.#run(call, message.ops);
    // The call's cost: the engine thread's busy time and this thread's time on its host operations.
    const costMs = message.busyMs + call.hostMs;
    // Only the code's own calls count against the shared budget, not making its engine or compiling it.
    if (engine && (call.message.t === "run" || call.message.t === "enter")) this.share.spend(engine, costMs);
    if (engine && call.context) engine.finished(costMs);
    call.settle?.resolve(message);
    this.#pump();
  }

  /** Runs host operations nothing waits for (console lines, the engine's own notes), timed against their call. */
  #run(call: Call | undefined, ops: HostOp[]): void {
    if (!call?.engine || !call.context || ops.length === 0) return;
    const started = ownWorkMs();
    try {
      call.engine.hostOps(ops, call.context, false);
    } catch {
      // Nothing waits for these operations' answers.
    }
    call.hostMs += ownWorkMs() - started;
  }

  /** Runs a call's host operations and posts the answer to the last one, then wakes the worker. */
  #answer(call: Call | undefined, ops: HostOp[]): void {
    let answer: OpAnswer;
    const started = ownWorkMs();
    try {
      if (!call?.engine || !call.context) throw new Error("This call has ended.");
      answer = { value: call.engine.hostOps(ops, call.context, true), hostMs: 0 };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      answer = { error: { name, message: message.slice(0, 4000) }, hostMs: 0 };
    }
    answer.hostMs = ownWorkMs() - started;
    if (call) call.hostMs += answer.hostMs;
    this.#answers.postMessage(answer);
    Atomics.add(this.#answered, 0, 1);
    Atomics.notify(this.#answered, 0);
  }
}

/** Which part of the code a call ran, in words, for the error that ends it. */
function describeCall(message: CallMessage): string {
  if (message.t === "run") return "its top level";
  if (message.t !== "enter") return "compiling it";
  const [target, name] = message.args;
  switch (message.kind) {
    case "connection":
      return "a connection handler";
    case "event":
      return `a handler of ${JSON.stringify(String(name).slice(0, 64))}${String(target).startsWith("s:") ? " from a client" : ""}`;
    case "any":
      return "an onAny handler";
    case "middleware":
    case "packet":
      return "a middleware";
    case "callback":
      return "a timer, acknowledgement or promise callback";
    case "adapter":
      return "an adapter event handler";
    case "match":
      return "a namespace matcher";
    default:
      return "a call into it";
  }
}
