/**
 * The budget of all learner code together: how long every engine kept the worker threads busy within the current
 * second, and each engine's part of it. Past the budget, engines that used more than an even share of it get no new
 * work until the second is over (their calls wait, and what starts new work is refused with the reason); the others
 * go on, so many busy sandboxes together cannot take the host's cores, nor starve a quiet sandbox.
 */

/**
 * Time spent per second, counted per engine.
 *
 * @example
 * const share = new CpuShare(1000);
 * share.spend(engine, 12.5); // after each call
 * share.over(engine); // true once the total is past 1000 ms and this engine used more than its share
 */
export class CpuShare {
  #budgetMs: number;
  #now: () => number;
  #start = -Infinity;
  #total = 0;
  #used = new Map<object, number>();

  constructor(budgetMs: number, now: () => number = () => performance.now()) {
    this.#budgetMs = budgetMs;
    this.#now = now;
  }

  /** Counts `ms` of busy time of `owner`'s engine. */
  spend(owner: object, ms: number): void {
    this.#roll();
    this.#total += ms;
    this.#used.set(owner, (this.#used.get(owner) ?? 0) + ms);
  }

  /** True when all code together is past the budget this second and `owner` used more than an even share of it. */
  over(owner: object): boolean {
    this.#roll();
    if (this.#total <= this.#budgetMs) return false;
    return (this.#used.get(owner) ?? 0) > this.#budgetMs / Math.max(1, this.#used.size);
  }

  /** Why `owner` gets no new work now, in a sentence, or undefined when it does. */
  refusal(owner: object): string | undefined {
    if (!this.over(owner)) return undefined;
    const mine = Math.round(this.#used.get(owner) ?? 0);
    return `The server is too busy running learners' code: all of it together may use ${this.#budgetMs} ms of each second, and yours used ${mine} ms of this one, more than its share, so this did not reach your code; it will again within a second.`;
  }

  /** Milliseconds until the current second is over. */
  msLeft(): number {
    return Math.max(0, this.#start + 1000 - this.#now());
  }

  #roll(): void {
    const now = this.#now();
    if (now - this.#start < 1000) return;
    this.#start = now;
    this.#total = 0;
    this.#used.clear();
  }
}
