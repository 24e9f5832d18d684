/** Which socket, and which of its events, a lesson program is handling right now: kept across `await` by AsyncLocalStorage. */
import { AsyncLocalStorage } from "node:async_hooks";
import { Socket as SocketClass, type Socket } from "socket.io";

/** What the program is handling: a socket's connection or disconnection (no `event`), or one event it sent. */
export interface Handling {
  socket: Socket;
  event?: string;
}

interface Entry extends Handling {
  owner: HandlerContext;
}

// One storage for every sandbox: on Node 20 each AsyncLocalStorage instance adds work to every async resource the
// process creates, so a sandbox tells its entries apart by `owner` instead of having a storage of its own.
const storage = new AsyncLocalStorage<Entry | undefined>();

/**
 * One sandbox's view of the storage. Everything Socket.IO runs after an entry point, and everything that
 * code schedules (an `await`, a timer), sees the same `current()`: connection, event and disconnect
 * listeners alike, even when two clients' handlers interleave.
 *
 * @example
 * const context = new HandlerContext();
 * io.use((socket, next) => context.connecting(socket, next));
 * io.on("connection", (socket) => {
 *   context.cover(socket, context.reservedEmitter());
 *   socket.use(([event], next) => context.handle(socket, String(event), next));
 *   socket.on("chat message", async () => {
 *     await Promise.resolve();
 *     context.current(); // { socket, event: "chat message" }
 *   });
 * });
 */
export class HandlerContext {
  #onFault: (error: unknown, handling: Handling) => void;

  /** `onFault`: what to do when something thrown while handling escapes every handler (see `HandlerContext.blame`). */
  constructor(onFault: (error: unknown, handling: Handling) => void = () => undefined) {
    this.#onFault = onFault;
  }

  /**
   * Hands an error that escaped to the process (`uncaughtException`, `unhandledRejection`) to the sandbox whose
   * handling it was thrown in, when the async context says so; false when it belongs to no sandbox. Node runs
   * those listeners in the context of the callback that threw (a timer, `nextTick`, an immediate, a promise job).
   *
   * @example
   * process.on("uncaughtException", (error) => HandlerContext.blame(error) || console.error(error));
   */
  static blame(error: unknown): boolean {
    const entry = storage.getStore();
    if (!entry) return false;
    entry.owner.#onFault(error, entry);
    return true;
  }

  /**
   * Runs `fn` outside every sandbox's handling: what it schedules (a timer shared by all sandboxes) carries no
   * sandbox's context, so an error in it is blamed on none.
   *
   * @example
   * tick ??= HandlerContext.outside(() => setTimeout(flushEverySandbox, 16));
   */
  static outside<T>(fn: () => T): T {
    // `run` with no entry, not `exit`: on Node 20 `exit` disables the storage for the call (and its async hook
    // with it when it is the only one), which costs every later async resource (fan-out 0.97 -> 0.88).
    return storage.run(undefined, fn);
  }

  /** What this sandbox's program is handling now; undefined at start-up and in console commands. */
  current(): Handling | undefined {
    const entry = storage.getStore();
    return entry?.owner === this ? entry : undefined;
  }

  /**
   * A namespace middleware body: the rest of the handshake (later middlewares, then Socket.IO's `nextTick`
   * into `_doConnect` and the `connect`/`connection` listeners) runs as handling `socket`.
   */
  connecting(socket: Socket, next: () => void): void {
    storage.run({ owner: this, socket }, next);
  }

  /**
   * A socket middleware body: the rest of the middlewares and, after Socket.IO's `nextTick` in `dispatch`,
   * the event's listeners run as handling `event` from `socket`.
   */
  handle(socket: Socket, event: string, next: () => void): void {
    storage.run({ owner: this, socket, event }, next);
  }

  /**
   * What `cover` installs on sockets: Socket.IO's own `emitReserved`, run as handling the socket, `observe` first
   * (the caller's own look at each "disconnecting", "disconnect" and "error", before any listener of the program,
   * instead of listeners of its own on every socket). Make it once (per run), then `cover` each socket with it.
   *
   * @example
   * const reserved = context.reservedEmitter((socket, event) => event === "disconnect" && forget(socket));
   * io.on("connection", (socket) => context.cover(socket, reserved));
   */
  reservedEmitter(observe: (socket: Socket, event: string, args: unknown[]) => void = () => undefined): ReservedEmit {
    const owner = this;
    return function (event, ...args) {
      return storage.run({ owner, socket: this }, observeThenEmit, observe, this, event, args);
    };
  }

  /**
   * Makes `socket`'s `disconnecting`, `disconnect` and `error` listeners run as handling it, whoever caused
   * them (the client leaving, the server closing, another socket's handler calling `disconnect()`), and gives
   * the caller its own context back afterwards. `reserved` comes from `reservedEmitter`.
   */
  cover(socket: Socket, reserved: ReservedEmit): void {
    // Socket.IO emits these from `_onclose` / `_onerror` through the protected `emitReserved`
    // (socket.io/lib/socket.ts); replacing it on this one socket is the only hook around all their listeners. One
    // function for every socket (the socket is `this`), not a closure per socket.
    (socket as unknown as Reserved).emitReserved = reserved;
  }
}

/** A socket's `emitReserved`, as `HandlerContext.reservedEmitter` makes it. */
export type ReservedEmit = (this: Socket, event: string, ...args: unknown[]) => boolean;

interface Reserved {
  emitReserved(event: string, ...args: unknown[]): boolean;
}

/** Socket.IO's own `emitReserved`, which a covered socket's runs inside the handling context. */
const socketEmitReserved = (SocketClass.prototype as unknown as Reserved).emitReserved;

function observeThenEmit(observe: (socket: Socket, event: string, args: unknown[]) => void, socket: Socket, event: string, args: unknown[]): boolean {
  observe(socket, event, args);
  return socketEmitReserved.call(socket, event, ...args);
}
