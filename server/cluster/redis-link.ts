/** The process's two Redis connections (publish, subscribe) that every scaling sandbox's Redis adapter shares. */
import { createClient } from "redis";

type Client = ReturnType<typeof createClient>;
type Listener = (message: Buffer, channel: Buffer) => void;

/**
 * What `@socket.io/redis-adapter`'s `RedisAdapter` calls on its pub and sub clients. Every call that can fail
 * (Redis went away) is caught and told through `failed`: the adapter does not catch its `publish` promises, and an
 * unhandled rejection must never reach the process.
 */
export interface RedisClients {
  pub: object;
  sub: object;
}

/**
 * One pair of connections for the whole process, however many sandboxes and nodes use Redis: each adapter
 * subscribes its own channels (its sandbox's key prefix) on the shared subscriber, as node-redis keeps one
 * listener per channel and adapter. Publishing never queues while Redis is away (`disableOfflineQueue`): a
 * broadcast made then stays on its own server instead of growing memory until Redis is back.
 *
 * @example
 * const link = acquireRedis("redis://127.0.0.1:6379");
 * await link.ready; // true once both connections are up, false if Redis could not be reached in time
 * link.clients((error) => console.warn(error)); // what RedisAdapter takes as pubClient / subClient
 */
export class RedisLink {
  readonly url: string;
  /** Resolves true once both connections are up, false if Redis could not be reached within `connectMs`. */
  readonly ready: Promise<boolean>;
  #pub: Client;
  #sub: Client;
  #users = 0;
  #lastError = "";

  constructor(url: string, connectMs = 3000) {
    this.url = url;
    // Reconnect with a capped back-off; never give up (the playground keeps serving the in-process bus meanwhile).
    const socket = { connectTimeout: connectMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000) };
    this.#pub = createClient({ url, socket, disableOfflineQueue: true });
    this.#sub = createClient({ url, socket });
    for (const client of [this.#pub, this.#sub]) client.on("error", (error: Error) => (this.#lastError = error.message || error.name));
    const connected = Promise.all([this.#pub.connect(), this.#sub.connect()]).then(
      () => true,
      () => false,
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), connectMs)));
    this.ready = Promise.race([connected, late]).finally(() => clearTimeout(timer));
  }

  /** True while both connections are open: a scaling sandbox that starts now can use Redis. */
  get up(): boolean {
    return this.#pub.isReady && this.#sub.isReady;
  }

  /** Why Redis is not up, for the console (the client's last error, or that it is still connecting). */
  get reason(): string {
    return this.#lastError || "still connecting";
  }

  /** The pub and sub clients as the adapter sees them; a failed call is told to `failed` once per failure. */
  clients(failed: (error: Error) => void): RedisClients {
    const pub = this.#pub;
    const sub = this.#sub;
    const caught = <T>(promise: Promise<T> | undefined) => void promise?.catch((error: Error) => failed(error));
    const events = {
      // The adapter adds and removes a warning listener for clients without an error handler; ours have one.
      on: () => undefined,
      off: () => undefined,
    };
    return {
      pub: {
        ...events,
        // Present so the adapter takes the node-redis (v4 and later) code path.
        pSubscribe: () => undefined,
        sSubscribe: () => undefined,
        publish: (channel: string, message: string | Buffer) => caught(pub.isReady ? pub.publish(channel, message) : Promise.reject(new Error("Redis is not connected"))),
        sendCommand: (args: string[]) => pub.sendCommand(args),
      },
      sub: {
        ...events,
        pSubscribe: (pattern: string, listener: Listener, buffers: true) => caught(sub.pSubscribe(pattern, listener, buffers)),
        subscribe: (channels: string | string[], listener: Listener, buffers: true) => caught(sub.subscribe(channels, listener, buffers)),
        pUnsubscribe: (pattern: string, listener: Listener, buffers: true) => caught(sub.pUnsubscribe(pattern, listener, buffers)),
        unsubscribe: (channel: string, listener: Listener, buffers: true) => caught(sub.unsubscribe(channel, listener, buffers)),
      },
    };
  }

  /** How many subscriptions the shared subscriber holds now (tests check that closed sandboxes leave none behind). */
  async subscriptions(): Promise<number> {
    const channels = (await this.#pub.sendCommand(["PUBSUB", "CHANNELS", "*"])) as unknown[];
    const patterns = Number(await this.#pub.sendCommand(["PUBSUB", "NUMPAT"]));
    return channels.length + patterns;
  }

  close(): void {
    for (const client of [this.#pub, this.#sub]) {
      // destroy(): no QUIT round-trip (Redis may be gone); the connection closes at once.
      if (client.isOpen) client.destroy();
    }
  }

  static #links = new Map<string, RedisLink>();

  /**
   * The process's link to `url`, opened on first use; each `acquire` needs one `release` (the playground takes it
   * when it starts and gives it back when it closes).
   */
  static acquire(url: string): RedisLink {
    let link = RedisLink.#links.get(url);
    if (!link) RedisLink.#links.set(url, (link = new RedisLink(url)));
    link.#users++;
    return link;
  }

  /** The open link to `url`, if a playground holds one. */
  static find(url: string | undefined): RedisLink | undefined {
    return url === undefined ? undefined : RedisLink.#links.get(url);
  }

  static release(link: RedisLink): void {
    if (--link.#users > 0) return;
    RedisLink.#links.delete(link.url);
    link.close();
  }
}
