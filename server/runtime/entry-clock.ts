/**
 * How long one run of learner code may take: `ms` of CPU time. On a busy host, code that only waited for a core
 * is not stopped for it. The interrupt handler and the guest's clock checks read the cheap wall clock first and
 * the CPU clock only once `ms` has passed on the wall clock (CPU time never runs ahead of it on one thread).
 *
 * @example
 * clock.start(250);
 * runtime.setInterruptHandler(() => clock.expired);
 * const used = clock.stop(); // CPU ms the run took
 */
export class EntryClock {
  #ms = 0;
  #wallDeadline = 0;
  #cpuStart = 0;

  /** Starts the clock for one run that may take `ms` of CPU time. */
  start(ms: number): void {
    this.#ms = ms;
    this.#wallDeadline = performance.now() + ms;
    this.#cpuStart = cpuNow();
  }

  /** True once the run has used its CPU time. */
  get expired(): boolean {
    return performance.now() > this.#wallDeadline && cpuNow() - this.#cpuStart > this.#ms;
  }

  /** The CPU time the run has used so far, in ms. */
  used(): number {
    return cpuNow() - this.#cpuStart;
  }
}

/** CPU time this process has used, in ms (user and system). */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
