/** Observes every emit made on a sandbox's server and the sockets the real adapter delivered it to. */
import { Adapter, type BroadcastOptions } from "socket.io-adapter";
import type { Namespace, Socket } from "socket.io";
import type { Delivery, Recipient } from "../../contract/protocol.ts";

/** What the tracer needs from its sandbox. */
export interface TraceContext {
  nameOf(socket: Socket): string;
  /** The incoming event being handled right now, if any. */
  trigger(): Delivery["trigger"];
  /** The line of the running program that made the call, if it is on the stack. */
  programLine(): number | undefined;
  report(delivery: Omit<Delivery, "seq" | "at" | "run">): void;
  /** A namespace whose broadcasts are not traced at all (the Admin UI's). */
  untraced?(nsp: Namespace): boolean;
}

interface Broadcast {
  nsp: Namespace;
  data: unknown[];
  /** How many of `data` the call passed (event name included); the rest is an offset the adapter added. */
  passed: number;
  /** A broadcast to one socket's own room may be that socket's `socket.emit` (connection state recovery on). */
  ownRoomEmits: boolean;
  opts: BroadcastOptions;
  reached: Socket[];
  line: number | undefined;
}

/**
 * Watches the adapter (every `io.emit`, `to()`, `broadcast`…) and each socket's outgoing listener
 * (`socket.emit`): the recipients are the sockets Socket.IO itself handed the packet to.
 *
 * @example
 * const tracer = new DeliveryTracer(context);
 * const io = new Server({ adapter: tracer.adapter });
 * io.on("connection", (socket) => tracer.watch(socket));
 */
export class DeliveryTracer {
  #context: TraceContext;
  #current: Broadcast | undefined;
  #consoleCall: { call: string; reached: string[]; sender: Socket | undefined } | undefined;
  /** Watched sockets by id, kept until their `disconnect` handlers have run (a socket leaves its namespace before them). */
  #sockets = new Map<string, Socket>();
  /** The adapter class to pass to `new Server({ adapter })`. */
  readonly adapter: typeof Adapter;

  constructor(context: TraceContext) {
    this.#context = context;
    this.adapter = this.adapterOn(Adapter);
  }

  /**
   * `Base` with every broadcast observed, for a cluster adapter whose broadcast reaches the other nodes' sockets
   * within the call (no connection state recovery there, so `socket.emit` never goes through it).
   *
   * @example
   * const io = new Server({ adapter: tracer.traced(bus.adapter()) });
   */
  traced(Base: typeof Adapter): typeof Adapter {
    return this.adapterOn(Base, false);
  }

  /**
   * A tracing subclass of `Base` (Socket.IO's in-memory `Adapter`, or its `SessionAwareAdapter` when the server
   * has connection state recovery on). The Admin UI's traffic is not traced (`untraced`).
   *
   * @example
   * new Server({ adapter: tracer.adapterOn(SessionAwareAdapter), connectionStateRecovery: {} });
   */
  adapterOn<Base extends typeof Adapter>(Base: Base, ownRoomEmits = Base !== Adapter): Base {
    const tracer = this;
    const context = this.#context;
    // Only with connection state recovery does Socket.IO send `socket.emit` (to the socket's own room) through the adapter.
    return class TracingAdapter extends (Base as typeof Adapter) {
      override broadcast(packet: any, opts: BroadcastOptions): void {
        if (context.untraced?.(this.nsp)) return super.broadcast(packet, opts);
        // A session-aware adapter appends the packet's offset to its arguments: the call did not pass it.
        tracer.#begin(this.nsp, packet.data, opts, packet.data.length, ownRoomEmits);
        try {
          super.broadcast(packet, opts);
        } finally {
          tracer.#end();
        }
      }
      override broadcastWithAck(packet: any, opts: BroadcastOptions, count: (n: number) => void, ack: any): void {
        if (context.untraced?.(this.nsp)) return super.broadcastWithAck(packet, opts, count, ack);
        tracer.#begin(this.nsp, packet.data, opts, packet.data.length, false);
        try {
          super.broadcastWithAck(packet, opts, count, ack);
        } finally {
          tracer.#end();
        }
      }
    } as Base;
  }

  /** Starts observing a socket's outgoing packets. */
  watch(socket: Socket): void {
    this.#sockets.set(socket.id, socket);
    socket.once("disconnect", () => setImmediate(() => this.#sockets.delete(socket.id)));
    socket.onAnyOutgoing((event: string, ...args: unknown[]) => {
      if (this.#current) this.#current.reached.push(socket);
      else this.#direct(socket, event, args);
    });
  }

  /**
   * Runs a console command's emit, naming the trace entries after the command, and returns who got it.
   * `sender` is the socket a `socket("A")…` command starts from (none for `io…`).
   *
   * @example
   * tracer.consoleCall('io.emit("x", 1)', () => io.emit("x", 1)); // ["A", "B"]
   */
  consoleCall(call: string, emit: () => void, sender?: Socket): string[] {
    const previous = this.#consoleCall;
    this.#consoleCall = { call, reached: [], sender };
    try {
      emit();
      return this.#consoleCall.reached;
    } finally {
      this.#consoleCall = previous;
    }
  }

  #begin(nsp: Namespace, data: unknown[], opts: BroadcastOptions, passed: number, ownRoomEmits: boolean): void {
    this.#current = { nsp, data, opts, passed, ownRoomEmits, reached: [], line: this.#consoleCall ? undefined : this.#context.programLine() };
  }

  #end(): void {
    const current = this.#current;
    this.#current = undefined;
    if (!current) return;
    const [event, ...args] = current.data as [string, ...unknown[]];
    const passed = args.slice(0, current.passed - 1);
    const own = current.ownRoomEmits ? this.#ownRoomOf(current.opts) : undefined;
    if (own) {
      // With connection state recovery on, Socket.IO sends `socket.emit` through the adapter, to the socket's own room.
      this.#publish(own.nsp.name, `socket.emit(${formatArgs(event, passed)})`, event, args, current.reached, own, current.line, undefined);
      return;
    }
    const sender = this.#consoleCall ? this.#consoleCall.sender : this.#senderOf(current.opts);
    const call = describeBroadcast(current.nsp.name, current.opts, sender?.id, event, passed);
    const broadcast = {
      rooms: [...current.opts.rooms],
      except: [...(current.opts.except ?? [])].filter((room) => room !== sender?.id),
      ...(current.opts.flags?.timeout === undefined ? {} : { timeout: current.opts.flags.timeout }),
    };
    this.#publish(current.nsp.name, call, event, args, current.reached, sender, current.line, broadcast);
  }

  #direct(socket: Socket, event: string, args: unknown[]): void {
    const call = `socket.emit(${formatArgs(event, args)})`;
    this.#publish(socket.nsp.name, call, event, args, [socket], socket, this.#consoleCall ? undefined : this.#context.programLine(), undefined);
  }

  /** The socket whose own-id room is the only target of a broadcast with no exceptions, if any. */
  #ownRoomOf(opts: BroadcastOptions): Socket | undefined {
    if (opts.rooms.size !== 1 || (opts.except?.size ?? 0) > 0) return undefined;
    const [room] = opts.rooms;
    return this.#sockets.get(room);
  }

  /** The socket whose `socket.broadcast` / `socket.to()` made this broadcast: its own-id room is excluded. */
  #senderOf(opts: BroadcastOptions): Socket | undefined {
    for (const room of opts.except ?? []) {
      const socket = this.#sockets.get(room);
      if (socket) return socket;
    }
    return undefined;
  }

  #publish(
    nsp: string,
    call: string,
    event: string,
    args: unknown[],
    sockets: Socket[],
    sender: Socket | undefined,
    line: number | undefined,
    broadcast: Delivery["broadcast"],
  ): void {
    const reached: Recipient[] = sockets.map((socket) => ({ socketId: socket.id, client: this.#context.nameOf(socket) }));
    const fromConsole = this.#consoleCall;
    if (fromConsole) fromConsole.reached.push(...reached.map((recipient) => recipient.client));
    this.#context.report({
      nsp,
      call: fromConsole?.call ?? call,
      event,
      args,
      from: sender ? this.#context.nameOf(sender) : undefined,
      trigger: fromConsole ? undefined : this.#context.trigger(),
      source: fromConsole ? "console" : "program",
      ...(broadcast ? { broadcast } : {}),
      reached,
      line,
    });
  }
}

/**
 * Writes a broadcast back as the call that makes it, e.g. `socket.broadcast.emit("chat message", "hi")`.
 *
 * @example
 * describeBroadcast("/", { rooms: new Set(["lobby"]) }, undefined, "news", [1]); // io.to("lobby").emit("news", 1)
 */
export function describeBroadcast(nsp: string, opts: BroadcastOptions, senderId: string | undefined, event: string, args: unknown[]): string {
  const rooms = [...opts.rooms].map((room) => `.to(${quote(room)})`).join("");
  const except = [...(opts.except ?? [])].filter((room) => room !== senderId).map((room) => `.except(${quote(room)})`).join("");
  const flags = opts.flags ?? {};
  const modifiers = `${flags.volatile ? ".volatile" : ""}${flags.local ? ".local" : ""}${flags.timeout !== undefined ? `.timeout(${flags.timeout})` : ""}`;
  const target = senderId !== undefined ? `socket${rooms || ".broadcast"}` : `${nsp === "/" ? "io" : `io.of(${quote(nsp)})`}${rooms}`;
  return `${target}${except}${modifiers}.emit(${formatArgs(event, args)})`;
}

function formatArgs(event: string, args: unknown[]): string {
  return [quote(event), ...args.filter((arg) => typeof arg !== "function").map(formatValue)].join(", ");
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function formatValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
