/** localStorage that never throws: private modes and full quotas just forget instead of breaking the page. */

/**
 * Reads a JSON value, or `fallback` when missing or unreadable.
 *
 * @example
 * const ratio = readStored("socket-playground:split", 50);
 */
export function readStored<T>(key: string, fallback: T): T {
  try {
    const text = localStorage.getItem(key);
    return text === null ? fallback : (JSON.parse(text) as T);
  } catch {
    return fallback;
  }
}

/** Writes a JSON value; `undefined` removes the key. */
export function writeStored(key: string, value: unknown): void {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
}
