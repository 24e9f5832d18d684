/** A client's event log: capped, counted, and re-rendered at most once per animation frame. */
import { deliveryKey, rawFrame, type LogEntry, type LogKind } from "./log-entry.ts";
import { nextFrame } from "./frame-batch.ts";

/** How many entries a log keeps; older ones are dropped (the view says how many are hidden). */
export const logCapacity = 10_000;
/** About as many rows as a log shows at once: a commit never replaces more than these. */
const screenRows = 24;

/**
 * The entries one simulated client sent and received, plus its raw frames.
 *
 * @example
 * const log = new ClientLog();
 * log.add("received", "chat message", ["hi"], "/");
 * log.receivedCount(deliveryKey("/", "chat message", ["hi"])); // 1
 */
export class ClientLog {
  #version = $state(0);
  #entries: LogEntry[] = [];
  #dropped = 0;
  #frames = 0;
  #received = new Map<string, number>();
  #nextId = 1;
  #lastEventId = 0;
  #withdraw: (() => void) | undefined;
  /** Entries added since the last commit: what the next frame's render of this log would replace. */
  #added = 0;
  readonly #weight = () => Math.min(this.#added, screenRows);
  readonly #commit = () => {
    this.#withdraw = undefined;
    this.#added = 0;
    this.#entries = this.#entries.slice();
    this.#version++;
  };

  /** The log, oldest first (at most `logCapacity`). Reading it subscribes to changes. */
  get entries(): readonly LogEntry[] {
    void this.#version;
    return this.#entries;
  }

  /** The id of the newest event entry, frames left out (0 before the first). */
  get lastEventId(): number {
    return this.#lastEventId;
  }

  /** How many events (not frames) were dropped from the front since the last clear. */
  get dropped(): number {
    void this.#version;
    return this.#dropped;
  }

  /** How many of `entries` are raw frames. */
  get frameCount(): number {
    void this.#version;
    return this.#frames;
  }

  /** How often `event` with these args arrived on this namespace (kept across `clear`). */
  receivedCount(key: string): number {
    void this.#version;
    return this.#received.get(key) ?? 0;
  }

  /** Adds an entry; `call` is the client call that caused it, when a card action did. */
  add(kind: LogKind, event: string, args: unknown[], nsp: string, call?: string): void {
    if (kind === "received") {
      // An acknowledgement callback is not data: the server's trace records the event without it.
      const key = deliveryKey(nsp, event, typeof args.at(-1) === "function" ? args.slice(0, -1) : args);
      this.#received.set(key, (this.#received.get(key) ?? 0) + 1);
    }
    this.#lastEventId = this.#nextId;
    this.#push({ id: this.#nextId++, time: Date.now(), kind, event, args, nsp, ...(call ? { call } : {}) });
  }

  /** Records an Engine.IO packet from the engine's `packet` / `packetCreate` events. */
  addFrame(direction: "in" | "out", packet: { type: string; data?: unknown }, nsp: string): void {
    this.#push({ id: this.#nextId++, time: Date.now(), kind: "frame", event: "", args: [], nsp, direction, frame: rawFrame(packet) });
  }

  clear(): void {
    this.#entries = [];
    this.#dropped = 0;
    this.#frames = 0;
    this.#bump();
  }

  dispose(): void {
    this.#withdraw?.();
    this.#withdraw = undefined;
  }

  #push(entry: LogEntry): void {
    this.#entries.push(entry);
    if (entry.kind === "frame") this.#frames++;
    if (this.#entries.length > logCapacity) {
      const removed = this.#entries.splice(0, this.#entries.length - logCapacity);
      const frames = removed.filter((old) => old.kind === "frame").length;
      this.#frames -= frames;
      this.#dropped += removed.length - frames;
    }
    this.#bump();
  }

  // A burst of events re-renders once per animation frame (with the rest of the panel), not once per event; under a
  // flood the logs take turns, a few a frame.
  #bump(): void {
    this.#added++;
    this.#withdraw ??= nextFrame(this.#commit, this.#weight);
  }
}
