/** How many sandboxes one client address may create per window, so one visitor cannot fill the playground. */

/** At most this many addresses are tracked; the oldest window is forgotten first (memory stays bounded). */
const maxTracked = 10_000;

/**
 * A fixed-window counter per client address. IPv6 addresses count per /64 (one host usually owns a whole /64),
 * IPv4-mapped IPv6 as the IPv4 address it carries.
 *
 * @example
 * const quota = new CreationQuota(50, 600_000);
 * const verdict = quota.take(req.socket.remoteAddress ?? "");
 * if (!verdict.ok) res.setHeader("retry-after", verdict.retryAfterSeconds);
 */
export class CreationQuota {
  #limit: number;
  #windowMs: number;
  #now: () => number;
  #windows = new Map<string, { count: number; resetAt: number }>();

  /** `limit` 0 lets every creation through. `now` is injectable for tests. */
  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Counts one creation for `address`, or says when the next one will be allowed. */
  take(address: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.#limit === 0) return { ok: true };
    const now = this.#now();
    const key = clientKey(address);
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      this.#windows.delete(key);
      this.#forgetOld(now);
      window = { count: 0, resetAt: now + this.#windowMs };
      this.#windows.set(key, window);
    }
    if (window.count >= this.#limit) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
    window.count++;
    return { ok: true };
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.#windows.size;
  }

  #forgetOld(now: number): void {
    // Windows are inserted in time order, so the expired ones are at the front.
    for (const [key, window] of this.#windows) {
      if (window.resetAt > now && this.#windows.size < maxTracked) break;
      this.#windows.delete(key);
    }
  }
}

/**
 * The quota key of a remote address.
 *
 * @example
 * clientKey("::ffff:10.0.0.7"); // "10.0.0.7"
 * clientKey("2001:db8:1:2:3:4:5:6"); // "2001:db8:1:2::/64"
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(":")) return address;
  return `${expand(address).slice(0, 4).join(":")}::/64`;
}

/** The eight groups of an IPv6 address, `::` filled in, zone id dropped, each without leading zeros. */
function expand(address: string): string[] {
  const [head, tail] = address.split("%", 1)[0].toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups.map((group) => group.replace(/^0+(?=.)/, ""));
}
