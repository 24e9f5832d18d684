/**
 * An engine thread: a worker that holds the QuickJS engines of some sandboxes and runs their calls one at a time,
 * in the order the main thread posts them. Each host operation of a guest goes to the main thread: one that answers
 * something waits here for its answer (`Atomics.wait` on a shared cell, then the answer port read synchronously), so
 * the guest's `socket.rooms` stays a property; one that answers nothing (`console.log`) goes with the next message.
 * The status cells tell the main thread's watchdog which call runs and since when (see `thread-protocol.ts`).
 */
import { getHeapStatistics } from "node:v8";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { CodeLimits } from "../budgets.ts";
import { numberCallSites } from "../call-sites.ts";
import { threadCpuMs, threadId } from "../entry-clock.ts";
import { QuickJSEngine, type BridgeValue, type EngineHost } from "../quickjs-engine.ts";
import { cell, epochMs, type Checked, type DoneValue, type FromThread, type HostOp, type OpAnswer, type ThreadData, type ToThread } from "../thread-protocol.ts";

const data = workerData as ThreadData;
const answered = new Int32Array(data.answered);
const status = new Float64Array(data.status);
const port = parentPort!;
status[cell.tid] = threadId();

/** Operations that answer nothing: they wait for the next message instead of making the guest wait. */
const unanswered = new Set(["log", "fail"]);
/** Unanswered operations sent on without waiting once this many, or this many characters of them, are kept. */
const maxOutbox = 64;
const maxOutboxBytes = 256 * 1024;
/** Where an operation carries its line among its arguments, for the status cell. */
const lineArgument: Record<string, number> = { log: 2, fail: 2, chain: 4, join: 2, leave: 2, disconnect: 2, reply: 2 };

/** An engine here, with its limits and the console output it printed in the current second (counted here, see `print`). */
interface Held {
  engine: QuickJSEngine;
  limits: CodeLimits;
  console: { start: number; bytes: number; dropped: boolean };
}

const engines = new Map<number, Held>();
/** The call running now (0: none) and its engine, the time it spent waiting for the main thread, and its unanswered operations. */
let running = 0;
let current: Held | undefined;
let waitedMs = 0;
let outbox: HostOp[] = [];
let outboxBytes = 0;

function post(message: FromThread): void {
  port.postMessage(message);
}

/**
 * Keeps an unanswered operation for the next message. A console flood never piles up here: output past the engine's
 * bytes per second is dropped in this thread (the main thread is told once a second, and warns), and a full outbox is
 * sent on without waiting.
 */
function keep(name: string, args: BridgeValue[]): void {
  const held = current;
  if (held) {
    const { limits, console } = held;
    const now = performance.now();
    if (now - console.start >= 1000) Object.assign(console, { start: now, bytes: 0, dropped: false });
    // A line is cut where the main thread cuts it (it then adds its "…"); a stack as the guest already cut it.
    if (name === "log" && typeof args[1] === "string" && args[1].length > limits.consoleLine + 1) args[1] = args[1].slice(0, limits.consoleLine + 1);
    const bytes = args.reduce<number>((sum, arg) => sum + (typeof arg === "string" ? arg.length : 8), 0);
    console.bytes += bytes;
    if (console.bytes > limits.consoleBytes + limits.consoleLine) {
      if (console.dropped) return;
      console.dropped = true;
      name = "#dropped";
      args = [];
    }
  }
  outbox.push([name, args]);
  outboxBytes += args.reduce<number>((sum, arg) => sum + (typeof arg === "string" ? arg.length : 8), 0);
  if (outbox.length >= maxOutbox || outboxBytes >= maxOutboxBytes) {
    post({ t: "ops", call: running, ops: takeOutbox(), wait: false });
  }
}

function takeOutbox(): HostOp[] {
  const ops = outbox;
  outbox = [];
  outboxBytes = 0;
  return ops;
}

/** Sends the operations so far; the last one waits for the main thread's answer, and its error is thrown in the guest. */
function ask(ops: HostOp[]): BridgeValue {
  const seen = Atomics.load(answered, 0);
  post({ t: "ops", call: running, ops, wait: true });
  const from = performance.now();
  status[cell.waiting] = 1;
  // Short waits, so that a terminated worker stops at the next one.
  while (Atomics.load(answered, 0) === seen) Atomics.wait(answered, 0, seen, 50);
  const took = performance.now() - from;
  waitedMs += took;
  status[cell.since] += took; // waiting for the main thread is not the code's time
  status[cell.waiting] = 0;
  const answer = receiveMessageOnPort(data.answers)?.message as OpAnswer | undefined;
  if (!answer) throw new Error("The server did not answer this call.");
  // The main thread's time on the operations is the code's time too: a loop of host calls is stopped like any loop.
  current?.engine.charge(answer.hostMs);
  if ("error" in answer) throw Object.assign(new Error(answer.error.message), { name: answer.error.name });
  return answer.value;
}

/** The one host of every engine here: the running call's operations are that call's engine's. */
const host: EngineHost = {
  op(name, args) {
    // Names starting with "#" are this thread's own messages (`#halted`, `#dropped`), never the guest's.
    if (name.startsWith("#")) throw new TypeError(`The bridge has no ${JSON.stringify(name.slice(0, 64))}.`);
    const at = lineArgument[name];
    if (at !== undefined && typeof args[at] === "number" && args[at] > 0) status[cell.line] = args[at];
    if (unanswered.has(name)) {
      keep(name, args);
      return undefined;
    }
    const ops = takeOutbox();
    ops.push([name, args]);
    return ask(ops);
  },
  halted(reason, detail, line) {
    outbox.push(["#halted", [reason, detail, line]]);
  },
  noteLine(line) {
    status[cell.line] = line;
  },
};

function finish(call: number, busyMs: number, value?: DoneValue, error?: string): void {
  post({ t: "done", call, ops: takeOutbox(), busyMs, value, error });
}

/** Runs one call of learner code (or of its compiler) under the watchdog's eye. */
function watched(call: number, id: number, held: Held, work: () => DoneValue | void): void {
  const { engine } = held;
  running = call;
  current = held;
  waitedMs = 0;
  status[cell.line] = 0;
  status[cell.waiting] = 0;
  status[cell.cpu] = threadCpuMs();
  status[cell.since] = epochMs();
  status[cell.call] = call;
  const started = performance.now();
  let value: DoneValue | void;
  let error: string | undefined;
  try {
    value = work();
  } catch (thrown) {
    error = (thrown as Error).message;
  } finally {
    status[cell.call] = 0;
    running = 0;
    current = undefined;
  }
  if (!engine.alive) engines.delete(id);
  // Busy time: the thread's CPU time (waiting for a core on a loaded host is not the code's), at most the wall time
  // it did not spend waiting for the main thread (where the per-thread clock is the whole process's).
  const busyMs = Math.min(threadCpuMs() - status[cell.cpu], performance.now() - started - waitedMs);
  finish(call, Math.max(0, busyMs), value ?? undefined, error);
}

/**
 * Numbers the program's call sites (parsing untrusted text takes time: here, not on the serving thread), then has
 * QuickJS compile it without running it.
 */
function check(engine: QuickJSEngine, code: string): Checked {
  const numbered = numberCallSites(code, { ticks: true });
  if (!numbered.ok) return numbered;
  const problem = engine.check(numbered.code);
  return problem ? { ok: false, problem } : numbered;
}

/** Makes an engine: the only step that waits (for its WebAssembly instance). */
async function create(message: Extract<ToThread, { t: "create" }>): Promise<void> {
  try {
    const engine = await QuickJSEngine.create(message.limits);
    engine.attach(host);
    engines.set(message.engine, { engine, limits: message.limits, console: { start: -Infinity, bytes: 0, dropped: false } });
    finish(message.call, 0);
  } catch (error) {
    finish(message.call, 0, undefined, (error as Error).message);
  }
}

function handle(message: Exclude<ToThread, { t: "create" }>): void {
  if (message.t === "dispose") {
    engines.get(message.engine)?.engine.dispose();
    engines.delete(message.engine);
    return;
  }
  if (message.t === "stats") {
    const heap = getHeapStatistics();
    let wasmBytes = 0;
    for (const { engine } of engines.values()) if (engine.alive) wasmBytes += engine.memory().wasmBytes;
    return finish(message.call, 0, { engines: engines.size, heapBytes: heap.used_heap_size, externalBytes: heap.external_memory, wasmBytes });
  }
  const held = engines.get(message.engine);
  const engine = held?.engine;
  if (!held || !engine?.alive) {
    engines.delete(message.engine);
    return finish(message.call, 0); // it stopped here already, and the main thread was told
  }
  switch (message.t) {
    case "memory":
      return finish(message.call, 0, engine.memory());
    case "check":
      return watched(message.call, message.engine, held, () => check(engine, message.code));
    case "run":
      return watched(message.call, message.engine, held, () => engine.run(message.code));
    case "enter":
      return watched(message.call, message.engine, held, () => engine.enter(message.kind, ...message.args));
  }
}

/** Messages that came while an engine was being made: they wait for it, in order, so nothing overtakes it. */
let waiting: ToThread[] | undefined;

function receive(message: ToThread): void {
  if (waiting) return void waiting.push(message);
  if (message.t !== "create") return handle(message);
  waiting = [];
  void create(message).then(() => {
    const later = waiting!;
    waiting = undefined;
    for (const next of later) receive(next);
  });
}

port.on("message", receive);
