/**
 * How long one run of learner code may take: `ms` of CPU time of the thread that runs it. On a busy host, code that
 * only waited for a core is not stopped for it, and neither is it charged for what other threads of the process did.
 * The interrupt handler and the guest's clock checks read the cheap wall clock first and the CPU clock only once
 * `ms` has passed on the wall clock (a thread's CPU time never runs ahead of the wall clock).
 *
 * @example
 * clock.start(250);
 * runtime.setInterruptHandler(() => clock.expired);
 * const used = clock.used(); // CPU ms the run took
 */
import { closeSync, openSync, readSync } from "node:fs";

export class EntryClock {
  #ms = 0;
  #wallDeadline = 0;
  #cpuStart = 0;
  #charged = 0;

  /** Starts the clock for one run that may take `ms` of CPU time. */
  start(ms: number): void {
    this.#ms = ms;
    this.#wallDeadline = performance.now() + ms;
    this.#cpuStart = threadCpuMs();
    this.#charged = 0;
  }

  /** Adds time another thread spent on the run's behalf (the main thread's host operations). */
  charge(ms: number): void {
    this.#charged += ms;
  }

  /** True once the run has used its CPU time. */
  get expired(): boolean {
    return performance.now() > this.#wallDeadline && this.used() > this.#ms;
  }

  /** The CPU time the run has used so far, in ms (with what was charged to it). */
  used(): number {
    return threadCpuMs() - this.#cpuStart + this.#charged;
  }
}

/** Linux's per-thread counters: user and system time of the calling thread, in clock ticks (USER_HZ, 100 a second). */
const statFile = "/proc/thread-self/stat";
const msPerTick = 10;
let statFd: number | null | undefined;
const statBuffer = Buffer.alloc(1024);

/**
 * CPU time the calling thread has used, in ms: from `/proc/thread-self/stat` where there is one (Linux; opened by the
 * thread that asks, so each worker thread reads its own), else the whole process's (`process.cpuUsage()`), which
 * counts other threads too and so can only stop code early, never late. Node 20 has no per-thread CPU clock.
 *
 * @example
 * const before = threadCpuMs(); work(); const took = threadCpuMs() - before;
 */
export function threadCpuMs(): number {
  return ownThreadCpuMs() ?? processCpuMs();
}

/**
 * A clock of the calling thread's own work, in ms: its CPU time where the system says (Linux), else the wall clock.
 * The main thread times learner code's host operations with it: on a loaded host, waiting for a core is not charged
 * to the code, and other threads' work never is.
 *
 * @example
 * const before = ownWorkMs(); runHostOps(); const charge = ownWorkMs() - before;
 */
export function ownWorkMs(): number {
  return ownThreadCpuMs() ?? performance.now();
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The calling thread's CPU time from `/proc/thread-self/stat`, or undefined where there is none. */
function ownThreadCpuMs(): number | undefined {
  if (statFd !== null) {
    try {
      statFd ??= openSync(statFile, "r");
      const ms = cpuOfStat(statFd);
      if (ms !== undefined) return ms;
    } catch {
      // No such file here: fall back below, for good.
    }
    if (statFd !== undefined && statFd !== null) closeSync(statFd);
    statFd = null;
  }
  return undefined;
}

/**
 * The calling thread's id in the operating system (Linux: the first field of `/proc/thread-self/stat`), so that
 * another thread of the process can read its CPU time (`taskCpuMs`); 0 where there is no such file.
 */
export function threadId(): number {
  try {
    const fd = openSync(statFile, "r");
    try {
      const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
      const tid = Number.parseInt(statBuffer.toString("latin1", 0, length), 10);
      return Number.isInteger(tid) && tid > 0 ? tid : 0;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

/**
 * CPU time, in ms, another thread of this process has used (`tid` from `threadId` in that thread), or undefined
 * when the system does not say.
 *
 * @example
 * taskCpuMs(workerTid); // 1234
 */
export function taskCpuMs(tid: number): number | undefined {
  if (!(tid > 0)) return undefined;
  try {
    const fd = openSync(`/proc/self/task/${tid}/stat`, "r");
    try {
      return cpuOfStat(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** User plus system time from a `/proc/…/stat` file, in ms. */
function cpuOfStat(fd: number): number | undefined {
  const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
  const text = statBuffer.toString("latin1", 0, length);
  // Fields after the command name in parentheses (which may itself hold spaces): state is 3rd, utime 14th, stime 15th.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * msPerTick : undefined;
}
