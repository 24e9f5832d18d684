/** How often one sandbox may start learner code: each start costs an engine and up to one time budget of CPU. */

/**
 * A token bucket: `burst` runs at once, then one more every `everyMs`.
 *
 * @example
 * const rate = new RunRate();
 * if (!rate.take()) return refuse("Wait a second before running your code again.");
 */
export class RunRate {
  #burst: number;
  #everyMs: number;
  #tokens: number;
  #at: number;
  #now: () => number;

  constructor(burst = 5, everyMs = 1000, now: () => number = () => performance.now()) {
    this.#burst = burst;
    this.#everyMs = everyMs;
    this.#tokens = burst;
    this.#now = now;
    this.#at = now();
  }

  /** True, using one run, when a run may start now. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) / this.#everyMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }
}
