/** Creates, finds and retires sandboxes: ids of 128 random bits, a cap on how many live, idle ones closed. */
import { randomBytes } from "node:crypto";
import type { PlaygroundOptions } from "../config.ts";
import { Sandbox, type SandboxSink } from "./sandbox.ts";

const secret = (bytes: number) => randomBytes(bytes).toString("base64url");

/**
 * All live sandboxes of one playground server.
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

  constructor(options: PlaygroundOptions, sinkFor: (id: string) => SandboxSink) {
    this.#options = options;
    this.#sinkFor = sinkFor;
    this.#sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(options.idleMs / 2, 30_000)));
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sandboxes.size;
  }

  /** A new sandbox, or undefined when `maxSandboxes` are live already. */
  create(): Sandbox | undefined {
    if (this.#sandboxes.size >= this.#options.maxSandboxes) return undefined;
    const id = secret(16);
    const sandbox = new Sandbox({ id, token: secret(32), clientKey: secret(16) }, this.#options, this.#sinkFor(id));
    this.#sandboxes.set(id, sandbox);
    return sandbox;
  }

  get(id: string): Sandbox | undefined {
    return this.#sandboxes.get(id);
  }

  /** Closes the sandboxes that have had no sockets and no owner for `idleMs`. */
  sweep(now = Date.now()): void {
    for (const [id, sandbox] of this.#sandboxes) {
      if (sandbox.isIdle(now)) this.close(id);
    }
  }

  close(id: string): void {
    this.#sandboxes.get(id)?.close();
    this.#sandboxes.delete(id);
  }

  closeAll(): void {
    clearInterval(this.#sweeper);
    for (const id of [...this.#sandboxes.keys()]) this.close(id);
  }
}
