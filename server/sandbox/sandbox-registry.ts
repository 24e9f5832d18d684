/**
 * Creates, finds and retires sandboxes: ids of 128 random bits (after the process name, when there is one), a cap
 * on how many live, idle ones closed, kept across restarts.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Delivery, FeedEntry, SandboxState, SocketInfo } from "../../contract/protocol.ts";
import type { PlaygroundOptions } from "../config.ts";
import { Sandbox, type SandboxSink } from "./sandbox.ts";
import { SandboxStore, type SavedSandbox } from "./sandbox-store.ts";

const secret = (bytes: number) => randomBytes(bytes).toString("base64url");
/** Changes are written at most this often (a burst of settings changes costs one write). */
const saveDelayMs = 100;

/**
 * All live sandboxes of one playground server. With a `dataDir`, each sandbox's id, secrets and settings are
 * kept in `<dataDir>/sandboxes.json`, so a restart brings every sandbox back under the same id. A process with a
 * `processName` (one of several behind a load balancer) names its ids `<name>.<random>` and keeps them in
 * `<dataDir>/sandboxes-<name>.json`: processes sharing a folder never overwrite each other's sandboxes.
 *
 * @example
 * const registry = new SandboxRegistry(options, (id) => control.sinkFor(id));
 * const sandbox = registry.create(); // undefined when the cap is reached
 */
export class SandboxRegistry {
  #options: PlaygroundOptions;
  #sinkFor: (id: string) => SandboxSink;
  #sandboxes = new Map<string, Sandbox>();
  #sweeper: NodeJS.Timeout;
  #store: SandboxStore | undefined;
  #saveTimer: NodeJS.Timeout | undefined;
  /** `#changed` for the sandboxes' sinks: one function per registry. */
  #changedBound = () => this.#changed();

  constructor(options: PlaygroundOptions, sinkFor: (id: string) => SandboxSink) {
    this.#options = options;
    this.#sinkFor = sinkFor;
    if (options.dataDir) {
      const file = join(options.dataDir, options.processName ? `sandboxes-${options.processName}.json` : "sandboxes.json");
      // About 200 bytes a sandbox; anything far larger was not written by a playground.
      this.#store = new SandboxStore(file, Math.max(1 << 20, options.maxSandboxes * 1024));
      const loaded = this.#store.load(options.maxSandboxes);
      // An id of another process (a copied file) would never be routed here by the balancer: leave it out.
      const mine = loaded.filter((saved) => this.#isMine(saved.id));
      if (mine.length < loaded.length) {
        const ours = options.processName ? `start with "${options.processName}."` : "have no process name";
        console.warn(`Skipped ${loaded.length - mine.length} sandboxes of another process in ${file}: this process's ids ${ours}.`);
      }
      for (const saved of mine) this.#restore(saved);
    }
    this.#sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(options.idleMs / 2, 30_000)));
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sandboxes.size;
  }

  /** A new sandbox, or undefined when `maxSandboxes` are live already. */
  create(): Sandbox | undefined {
    for (const [id, sandbox] of this.#sandboxes) if (sandbox.closed) this.#sandboxes.delete(id);
    if (this.#sandboxes.size >= this.#options.maxSandboxes) return undefined;
    const id = this.#newId();
    const sandbox = new Sandbox({ id, token: secret(32), clientKey: secret(16) }, this.#options, this.#sink(id));
    this.#sandboxes.set(id, sandbox);
    this.#changed();
    return sandbox;
  }

  /** The live sandbox with this id; one that closed itself after a fault is forgotten here. */
  get(id: string): Sandbox | undefined {
    const sandbox = this.#sandboxes.get(id);
    if (!sandbox?.closed) return sandbox;
    this.#sandboxes.delete(id);
    return undefined;
  }

  /** Closes the sandboxes that have had no sockets and no owner for `idleMs`, and forgets those closed after a fault. */
  sweep(now = Date.now()): void {
    for (const [id, sandbox] of this.#sandboxes) {
      if (sandbox.closed || sandbox.isIdle(now)) this.close(id);
    }
  }

  /** Closes one sandbox for good: it is forgotten, also by the data file. */
  close(id: string): void {
    const sandbox = this.#sandboxes.get(id);
    if (!sandbox) return;
    sandbox.close();
    this.#sandboxes.delete(id);
    this.#changed();
  }

  /** Shuts down: saves every sandbox as it is now (so a restart brings them back), then closes them. */
  closeAll(): void {
    clearInterval(this.#sweeper);
    this.save();
    for (const sandbox of this.#sandboxes.values()) sandbox.close();
    this.#sandboxes.clear();
  }

  /** Writes the data file now (no-op without a `dataDir`). */
  save(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    this.#store?.save([...this.#sandboxes.values()].map(saved));
  }

  /** `<processName>.<128 random bits>`, or the random part alone for a process without a name. */
  #newId(): string {
    const name = this.#options.processName;
    return name ? `${name}.${secret(16)}` : secret(16);
  }

  #isMine(id: string): boolean {
    const name = this.#options.processName;
    return name ? id.startsWith(`${name}.`) : !id.includes(".");
  }

  #restore(saved: SavedSandbox): void {
    // In use when the server stopped: its owner and clients get a full idle period to come back. A time in the
    // future (a clock set back, an edited file) counts as now, so no sandbox outlives its idle period.
    const now = Date.now();
    const idleSince = Math.min(saved.idleSince ?? now, now);
    this.#sandboxes.set(saved.id, new Sandbox(saved, this.#options, this.#sink(saved.id), {
      // The restart is a restart of the sandbox's server too: its program run moves on by one.
      restored: { settings: saved.settings, run: saved.run + 1, idleSince },
    }));
  }

  /** The control channel's sink, plus a save whenever the settings (program, broadcast, run) change. */
  #sink(id: string): SandboxSink {
    const sink = this.#sinkFor(id);
    // Without a data file there is nothing to save: the control channel's sink as it is.
    return this.#store ? new SavingSink(sink, this.#changedBound) : sink;
  }

  #changed(): void {
    if (!this.#store) return;
    this.#saveTimer ??= setTimeout(() => this.save(), saveDelayMs);
    this.#saveTimer.unref();
  }
}

/** A sandbox's sink that also schedules a save of the data file when its settings change. */
class SavingSink implements SandboxSink {
  #sink: SandboxSink;
  #changed: () => void;

  constructor(sink: SandboxSink, changed: () => void) {
    this.#sink = sink;
    this.#changed = changed;
  }

  stream(feed: FeedEntry[], trace: Delivery[]): void {
    this.#sink.stream(feed, trace);
  }

  sockets(list: SocketInfo[]): void {
    this.#sink.sockets(list);
  }

  settings(settings: SandboxState): void {
    this.#sink.settings(settings);
    this.#changed();
  }

  closed(): void {
    this.#sink.closed?.();
  }
}

function saved(sandbox: Sandbox): SavedSandbox {
  const { program, broadcast, run } = sandbox.settings;
  return {
    id: sandbox.id,
    token: sandbox.token,
    clientKey: sandbox.clientKey,
    settings: { program, broadcast },
    run,
    idleSince: sandbox.idleSince ?? null,
  };
}
