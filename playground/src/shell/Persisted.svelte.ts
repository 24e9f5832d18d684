/** A value kept in localStorage as JSON, read as reactive state: svelte.dev's `Persisted` pattern, for any JSON value. */
import { on } from "svelte/events";
import { createSubscriber } from "svelte/reactivity";

/**
 * `current` reads and writes the stored value. Storage that throws (private modes, a full quota) is treated as
 * empty: the value then lasts for this page only. A change made in another tab shows here too.
 *
 * @example
 * const share = new Persisted("socket-playground:split", 40, (stored) => (typeof stored === "number" ? stored : undefined));
 * share.current = 55; // saved at once
 */
export class Persisted<T> {
  #key: string;
  #fallback: T;
  #parse: (stored: unknown) => T | undefined;
  #value = $state.raw<T>() as T;
  #subscribe = createSubscriber((update) =>
    on(window, "storage", (event) => {
      if (event.key !== this.#key) return;
      this.#value = this.#read();
      update();
    }),
  );

  /** `parse` turns what was stored into a value, or undefined when it is not one (then `fallback` is used). */
  constructor(key: string, fallback: T, parse: (stored: unknown) => T | undefined) {
    this.#key = key;
    this.#fallback = fallback;
    this.#parse = parse;
    this.#value = this.#read();
  }

  get current(): T {
    this.#subscribe();
    return this.#value;
  }

  /** Saves at once; `undefined` removes the key. */
  set current(value: T) {
    this.#value = value;
    try {
      if (value === undefined) localStorage.removeItem(this.#key);
      else localStorage.setItem(this.#key, JSON.stringify(value));
    } catch {
      // storage unavailable: the value lasts for this page only
    }
  }

  #read(): T {
    try {
      const text = localStorage.getItem(this.#key);
      return (text === null ? undefined : this.#parse(JSON.parse(text))) ?? this.#fallback;
    } catch {
      return this.#fallback;
    }
  }
}
