/** Callbacks the host keeps for the guest under numeric ids (a client's ack, a middleware's `next`…), bounded. */

/**
 * A map of waiting callbacks with ids; past `limit` the oldest is dropped, and `evicted` may answer it.
 *
 * @example
 * const acks = new Waiting<Ack>(1000);
 * const id = acks.put(ack); // the guest answers later: acks.take(id)?.(answer)
 */
export class Waiting<T> {
  static #nextId = 1;
  #limit: number;
  #evicted: ((value: T) => void) | undefined;
  #values = new Map<number, T>();

  constructor(limit: number, evicted?: (value: T) => void) {
    this.#limit = limit;
    this.#evicted = evicted;
  }

  /** Keeps `value` and returns its id (never 0, which means "none" on the bridge). */
  put(value: T): number {
    if (this.#values.size >= this.#limit) {
      const [oldest, waiting] = this.#values.entries().next().value as [number, T];
      this.#values.delete(oldest);
      this.#evicted?.(waiting);
    }
    const id = Waiting.#nextId++;
    this.#values.set(id, value);
    return id;
  }

  /** Removes and returns the value kept under `id`, if any. */
  take(id: number): T | undefined {
    const value = this.#values.get(id);
    this.#values.delete(id);
    return value;
  }

  /** Removes every value, handing each to `each`. */
  clear(each: (value: T) => void = () => {}): void {
    const values = [...this.#values.values()];
    this.#values.clear();
    for (const value of values) each(value);
  }
}
