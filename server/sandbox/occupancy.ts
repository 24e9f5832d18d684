/** Whether anyone uses a sandbox (an owner page, a socket) and since when nobody has: what the idle sweep reads. */

/**
 * Counts owner pages, asks for the socket count, and remembers when both last reached zero.
 *
 * @example
 * const occupancy = new Occupancy(() => directory.count);
 * occupancy.ownerJoined();
 * occupancy.ownerLeft(); // with no sockets either, idle from now on
 * occupancy.idleFor(1000, Date.now() + 1000); // true
 */
export class Occupancy {
  #owners = 0;
  #sockets: () => number;
  #now: () => number;
  #idleSince: number | undefined;

  /**
   * `sockets` counts the sandbox's connected sockets; `now` is the clock (injected in tests). Nobody is there
   * yet: idle since `idleSince`, by default now (a sandbox restored after a restart passes its saved time).
   */
  constructor(sockets: () => number, now: () => number = Date.now, idleSince: number = now()) {
    this.#sockets = sockets;
    this.#now = now;
    this.#idleSince = idleSince;
  }

  /** Owner pages connected now. */
  get owners(): number {
    return this.#owners;
  }

  /** When the last owner page or socket left (ms on the clock), or undefined while in use. */
  get idleSince(): number | undefined {
    return this.#idleSince;
  }

  ownerJoined(): void {
    this.#owners++;
    this.#idleSince = undefined;
  }

  ownerLeft(): void {
    this.#owners = Math.max(0, this.#owners - 1);
    this.#noteIfIdle();
  }

  socketJoined(): void {
    this.#idleSince = undefined;
  }

  socketLeft(): void {
    this.#noteIfIdle();
  }

  /** True when the sandbox has had no owner and no socket for at least `ms` (never while in use). */
  idleFor(ms: number, now = this.#now()): boolean {
    return this.#idleSince !== undefined && now - this.#idleSince >= ms;
  }

  #noteIfIdle(): void {
    if (this.#owners === 0 && this.#sockets() === 0) this.#idleSince ??= this.#now();
  }
}
