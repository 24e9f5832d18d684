/**
 * The host's side of learner code's timers: real Node timers, bounded in number, that call back into the engine.
 * While the server refuses new work from the code (too busy), an interval skips its turn and a timeout waits a little.
 */
import type { CodeLimits } from "./budgets.ts";

/** A timeout the server refused to run (too busy) tries again this much later. */
const retryMs = 100;

/**
 * Timers the guest asked for, by the guest's id.
 *
 * @example
 * const timers = new GuestTimers(limits, (id) => (engine.enter("callback", id, '{"args":[]}'), true));
 * timers.start(7, 100, false);
 */
export class GuestTimers {
  #limits: CodeLimits;
  #fire: (id: number) => boolean;
  #timers = new Map<number, NodeJS.Timeout>();

  /** `fire` calls into the code and answers true, or false when the call was refused (see `GuestCalls.refusal`). */
  constructor(limits: CodeLimits, fire: (id: number) => boolean) {
    this.#limits = limits;
    this.#fire = fire;
  }

  /** Starts a timeout or an interval (at least `minIntervalMs`); throws when too many are pending. */
  start(id: number, ms: number, repeat: boolean): void {
    if (this.#timers.size >= this.#limits.timers) {
      throw new RangeError(`Your code has ${this.#limits.timers} timers pending already, the limit here; clear some first.`);
    }
    const delay = Math.min(Math.max(Number.isFinite(ms) ? ms : 0, repeat ? this.#limits.minIntervalMs : 0), 2 ** 31 - 1);
    const fire = () => {
      if (repeat) return void this.#fire(id);
      this.#timers.delete(id);
      if (!this.#fire(id)) this.#timers.set(id, setTimeout(fire, retryMs).unref());
    };
    const timer = repeat ? setInterval(fire, delay) : setTimeout(fire, delay);
    timer.unref();
    this.#timers.set(id, timer);
  }

  clear(id: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  /** Stops them all, as a server that stopped would. */
  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
