/**
 * One QuickJS engine per sandbox that runs learner code: its own WebAssembly instance (own linear memory), one
 * runtime with a memory and a stack limit, one context. Every entry from the host runs under a time budget
 * (the interrupt handler), pending promise jobs are drained under the same budget, and the CPU the code takes
 * is counted per second. An entry asked for while the engine is already running is queued, never nested.
 * Engines live in worker threads (`engine-worker.ts`), never on the thread that serves the sandboxes.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from "quickjs-emscripten";
import type { CodeLimits } from "./budgets.ts";
import type { SyntaxProblem } from "./call-sites.ts";
import { EntryClock } from "./entry-clock.ts";

/** A value that crosses the bridge: never an object, only text and numbers. */
export type BridgeValue = string | number | undefined;

/** Why an engine stopped running the program for good ("deadline": its worker thread did not come back in time). */
export type StopReason = "time" | "memory" | "cpu" | "engine" | "deadline";

/** What the engine needs from the program it runs. */
export interface EngineHost {
  /** One call of the guest's `host(op, …)`; throw an Error to throw it in the guest at the calling line. */
  op(name: string, args: BridgeValue[]): BridgeValue;
  /** The program was stopped; `line` is where it was when that happened, if known. */
  halted(reason: StopReason, detail: string, line: number | undefined): void;
  /** The line a long run is at, noted every 10 ms or so once it has run for a while (for a thread that never comes back). */
  noteLine?(line: number): void;
  /** Something the program's owner should read in its console (calls refused while the server is too busy). */
  warn?(text: string): void;
  /** Console output past the budget of the second was dropped before it reached the host (in the engine thread). */
  consoleDropped?(): void;
}

/** How the host calls into a program's engine, wherever that engine runs (this thread, or a worker: `RemoteEngine`). */
export interface GuestCalls {
  /** Calls into the guest (`connection`, `event`, `callback`…), after whatever calls are already waiting. */
  enter(kind: string, ...args: BridgeValue[]): void;
  /** Why calls that start new work (a client's event, a connection, a timer) are refused right now, if they are. */
  refusal?(): string | undefined;
  /** Calls `callback` once every call asked for so far has run, or can no longer run (at once here, where calls are synchronous). */
  after(callback: () => void): void;
}

/** A long run reports its line from this point on (see `note`), and the guest checks the clock from here. */
const reportAfterMs = 20;

let compiled: Promise<WebAssembly.Module> | undefined;

/** QuickJS's WebAssembly, compiled once per process; every engine instantiates it with a memory of its own. */
function quickjsWasm(): Promise<WebAssembly.Module> {
  const require = createRequire(createRequire(import.meta.url).resolve("quickjs-emscripten"));
  const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } };
  compiled ??= readFile(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm")).then((bytes) => wasm.compile(bytes));
  return compiled;
}

let guestSource: Promise<string> | undefined;

/** The guest half of the bridge, read once. */
function guest(): Promise<string> {
  guestSource ??= readFile(new URL("./guest/playground.js", import.meta.url), "utf8");
  return guestSource;
}

/** Our own set-up (the guest half of the bridge, the compile check) may take this long even on a busy host. */
const setupMs = 5000;

/** The longest text the guest may hand the host in one argument. */
const maxBridgeString = 1024 * 1024;

/**
 * A sandbox's QuickJS engine.
 *
 * @example
 * const engine = await QuickJSEngine.create(limits);
 * engine.attach(host);
 * engine.run(numberedCode);
 * engine.enter("connection", "n:/", snapshot);
 */
export class QuickJSEngine implements GuestCalls {
  #module: QuickJSWASMModule | undefined;
  #runtime: QuickJSRuntime | undefined;
  #context: QuickJSContext | undefined;
  #enter: QuickJSHandle | undefined;
  #limits: CodeLimits;
  #host: EngineHost | undefined;
  #clock = new EntryClock();
  #interrupted = false;
  #running = false;
  #queue: Array<{ kind: string; args: BridgeValue[] }> = [];
  #window = { start: 0, used: 0 };
  #halting: { reason: StopReason; detail: string; line?: number } | undefined;
  #state: "ready" | "stopped" = "ready";

  private constructor(limits: CodeLimits) {
    this.#limits = limits;
  }

  /** Instantiates QuickJS for one sandbox and loads the guest half of the bridge. */
  static async create(limits: CodeLimits): Promise<QuickJSEngine> {
    const engine = new QuickJSEngine(limits);
    const [wasmModule, guestCode] = await Promise.all([quickjsWasm(), guest()]);
    const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule }));
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    runtime.setInterruptHandler(() => {
      if (!engine.#clock.expired) return false;
      engine.#interrupted = true;
      return true;
    });
    const context = runtime.newContext();
    engine.#module = module;
    engine.#runtime = runtime;
    engine.#context = context;
    engine.#clock.start(setupMs);
    const host = context.newFunction("host", (...handles) => engine.#op(handles));
    const guestLimits = context.unwrapResult(context.evalCode(`({ consoleLine: ${limits.consoleLine}, pending: ${limits.pending} })`));
    const factory = context.unwrapResult(context.evalCode(guestCode, "playground.js"));
    engine.#enter = context.unwrapResult(context.callFunction(factory, context.undefined, host, guestLimits));
    for (const handle of [host, guestLimits, factory]) handle.dispose();
    return engine;
  }

  /** True once the current run has used up its time (see `EntryClock`). */
  get expired(): boolean {
    return this.#clock.expired;
  }

  /** True until the program is stopped (time, memory, CPU, engine failure) or the engine disposed. */
  get alive(): boolean {
    return this.#state === "ready";
  }

  /** Connects the program's side of the bridge. */
  attach(host: EngineHost): void {
    this.#host = host;
  }

  /**
   * Checks that QuickJS itself can compile the program, without running it.
   *
   * @example
   * engine.check(code); // undefined, or { message: "Syntax error on line 3, …", line: 3, column: 1 }
   */
  check(code: string): SyntaxProblem | undefined {
    const context = this.#context!;
    this.#clock.start(setupMs);
    try {
      const result = context.evalCode(code, "index.js", { compileOnly: true });
      if (!result.error) {
        result.value.dispose();
        return undefined;
      }
      const error = context.dump(result.error) as { message?: string; lineNumber?: number; stack?: string };
      result.error.dispose();
      const line = error.lineNumber ?? Number(/index\.js:(\d+)/.exec(error.stack ?? "")?.[1] ?? 1);
      const column = Number(/index\.js:\d+:(\d+)/.exec(error.stack ?? "")?.[1] ?? 1);
      return { message: `Syntax error on line ${line}, column ${column}: ${error.message ?? "the engine cannot read it"}.`, line, column };
    } catch {
      return { message: "Your code is nested too deeply for the engine to read; flatten it a little.", line: 1, column: 1 };
    }
  }

  /** Runs the program's top level (its `require`s, `io.on(…)` calls…) as one entry. */
  run(code: string): void {
    this.#call("start", []);
    this.#entry(() => this.#context!.evalCode(code, "index.js"));
    this.#drain();
  }

  /**
   * Calls into the guest (`connection`, `event`, `callback`…). While the guest is already running, the call is
   * queued and made right after, so the engine never nests and each call gets the whole time budget.
   */
  enter(kind: string, ...args: BridgeValue[]): void {
    if (this.#state !== "ready") return;
    if (this.#running) {
      if (this.#queue.length < this.#limits.queue) this.#queue.push({ kind, args });
      else this.halt("engine", `more than ${this.#limits.queue} calls into your code were waiting at once (something calls back into it in a loop)`);
      return;
    }
    this.#call(kind, args);
    this.#drain();
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#state === "ready") {
      const next = this.#queue.shift()!;
      this.#call(next.kind, next.args);
    }
  }

  after(callback: () => void): void {
    callback();
  }

  /** Counts `ms` the host spent on the running call's operations (in another thread) as the call's own time. */
  charge(ms: number): void {
    if (this.#running && ms > 0) this.#clock.charge(ms);
  }

  /** Stops the program for good once the current call into it returns (at once when none runs). */
  halt(reason: StopReason, detail: string, line?: number): void {
    if (this.#running) this.#halting ??= { reason, detail, line };
    else this.#stop(reason, detail, line);
  }

  /** QuickJS's own heap use, and the WebAssembly memory reserved for it, in bytes. */
  memory(): { heapBytes: number; wasmBytes: number } {
    if (!this.#runtime || !this.#context) return { heapBytes: 0, wasmBytes: 0 };
    const usage = this.#runtime.computeMemoryUsage();
    const { memory_used_size: heapBytes } = this.#context.dump(usage) as { memory_used_size: number };
    usage.dispose();
    return { heapBytes, wasmBytes: this.#module!.getWasmMemory().buffer.byteLength };
  }

  /** Frees the engine; its WebAssembly memory goes with its last reference. */
  dispose(): void {
    this.#state = "stopped";
    this.#queue = [];
    try {
      this.#enter?.dispose();
      this.#context?.dispose();
      this.#runtime?.dispose();
    } catch {
      // An engine that failed mid-call may refuse a clean shutdown; dropping it is enough.
    }
    this.#enter = this.#context = this.#runtime = undefined;
    this.#module = undefined;
  }

  #call(kind: string, args: BridgeValue[]): void {
    const context = this.#context!;
    this.#entry(() => {
      const handles = [kind, Date.now() + Math.min(this.#limits.timeMs, reportAfterMs), ...args].map((value) =>
        typeof value === "string" ? context.newString(value) : typeof value === "number" ? context.newNumber(value) : context.undefined,
      );
      try {
        return context.callFunction(this.#enter!, context.undefined, handles);
      } finally {
        for (const handle of handles) handle.dispose();
      }
    });
  }

  /**
   * One entry: the call, then the promise jobs it queued, all under one clock (see `EntryClock`); its time
   * counts against the budget of each second.
   */
  #entry(invoke: () => ReturnType<QuickJSContext["evalCode"]>): void {
    if (this.#state !== "ready") return;
    this.#running = true;
    this.#interrupted = false;
    this.#clock.start(this.#limits.timeMs);
    try {
      this.#settle(invoke());
      if (this.#state === "ready" && this.#runtime!.hasPendingJob()) {
        const jobs = this.#runtime!.executePendingJobs(this.#limits.jobs);
        if (jobs.error) this.#settle({ error: jobs.error });
        else if (this.#runtime!.hasPendingJob()) this.#stop("time", `more than ${this.#limits.jobs} promise jobs ran in one go (an endless async loop?)`);
      }
      if (this.#interrupted && this.#state === "ready") this.#stop("time", `it ran for more than ${this.#limits.timeMs} ms without stopping`);
      if (this.#halting) this.#stop(this.#halting.reason, this.#halting.detail, this.#halting.line);
    } catch (error) {
      // The WebAssembly itself failed (its native stack ran out, for one): this engine cannot be trusted any more.
      this.#stop("engine", `the engine failed (${error instanceof RangeError ? "it ran out of stack: a very deep recursion or nesting" : (error as Error).message})`);
    } finally {
      this.#running = false;
      this.#halting = undefined;
      const ended = performance.now();
      if (ended - this.#window.start >= 1000) this.#window = { start: ended, used: 0 };
      this.#window.used += this.#clock.used();
      if (this.#window.used > this.#limits.cpuMs && this.#state === "ready") {
        this.#stop("cpu", `it kept the server busy for more than ${this.#limits.cpuMs} ms within one second`);
      }
    }
  }

  /** Reads the result of an entry; an error that escaped the guest's own handling stops the program. */
  #settle(result: { value?: QuickJSHandle; error?: QuickJSHandle }): void {
    if (!result.error) {
      result.value?.dispose();
      return;
    }
    const context = this.#context!;
    const error = context.dump(result.error) as { name?: string; message?: string; stack?: string } | string;
    result.error.dispose();
    const message = typeof error === "object" && error ? `${error.name ?? "Error"}: ${error.message ?? ""}` : String(error);
    const line = typeof error === "object" && error ? lineOf(error.stack) : undefined;
    if (/interrupted/.test(message) || this.#interrupted) this.#stop("time", `it ran for more than ${this.#limits.timeMs} ms without stopping`);
    else if (/out of memory/.test(message)) this.#stop("memory", `it needed more than ${Math.round(this.#limits.memoryBytes / 2 ** 20)} MiB of memory`, line);
    else if (/stack overflow/.test(message)) this.#host?.op("fail", ["InternalError: stack overflow (a recursion that never ends?)", error && typeof error === "object" ? String(error.stack ?? "").slice(0, 4000) : "", line ?? 0]);
    else this.#host?.op("fail", [message.slice(0, this.#limits.consoleLine), typeof error === "object" && error ? String(error.stack ?? "").slice(0, 4000) : "", line ?? 0]);
  }

  #stop(reason: StopReason, detail: string, line = this.#guestLine()): void {
    if (this.#state !== "ready") return;
    this.#state = "stopped";
    this.#queue = [];
    this.#host?.halted(reason, detail, line);
    if (reason === "engine") {
      // Never call into a failed WebAssembly instance again: drop it.
      this.#enter = this.#context = this.#runtime = undefined;
      this.#module = undefined;
    } else {
      this.dispose();
    }
  }

  /** The line the program noted last: the loop or call it was in when it was stopped. */
  #guestLine(): number | undefined {
    const context = this.#context;
    if (!context || !this.#runtime) return undefined;
    try {
      const site = context.getProp(context.global, "__pg$site");
      const line = context.getProp(site, "line");
      const value = context.typeof(line) === "number" ? context.getNumber(line) : 0;
      line.dispose();
      site.dispose();
      return value > 0 ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** The guest's `host(op, …)`: only strings and numbers come in, measured before they are copied. */
  #op(handles: QuickJSHandle[]): QuickJSHandle | undefined {
    const context = this.#context!;
    const values = handles.map((handle): BridgeValue => {
      const type = context.typeof(handle);
      if (type === "number") return context.getNumber(handle);
      if (type === "undefined" || type === "null") return undefined;
      if (type === "boolean") return context.dump(handle) ? 1 : 0;
      if (type !== "string") throw new TypeError("The bridge takes text and numbers only.");
      // The copy is bounded by the engine's memory limit; what it may carry is checked per operation by the bridge.
      const text = context.getString(handle);
      if (text.length > maxBridgeString) throw new RangeError(`That is ${Math.ceil(text.length / 1024)} KiB of text, too much to hand to the server at once.`);
      return text;
    });
    const [name, ...args] = values;
    if (name === "expired") {
      // The guest's clock check (see guest/playground.js): answered here, in the engine's own thread.
      if (typeof args[0] === "number" && args[0] > 0) this.#host?.noteLine?.(args[0]);
      return context.newNumber(this.#clock.expired ? 1 : 0);
    }
    if (name === "fail" && /^InternalError: out of memory/.test(String(args[0])) && this.memory().heapBytes > 0.75 * this.#limits.memoryBytes) {
      // Its heap is full: whatever it tries next fails too. Stop it rather than let it limp on.
      this.halt("memory", `it needed more than ${Math.round(this.#limits.memoryBytes / 2 ** 20)} MiB of memory`, lineOf(String(args[1])) ?? (Number(args[2]) || undefined));
      return undefined;
    }
    const result = this.#host!.op(String(name), args);
    if (typeof result === "string") return context.newString(result);
    if (typeof result === "number") return context.newNumber(result);
    return undefined;
  }
}

/** The first line of `index.js` in a QuickJS stack trace. */
export function lineOf(stack: string | undefined): number | undefined {
  const match = /\(?index\.js:(\d+)/.exec(stack ?? "");
  return match ? Number(match[1]) : undefined;
}
