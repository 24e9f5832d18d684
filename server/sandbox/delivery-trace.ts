/** Observes every emit made on a sandbox's server and the sockets the real adapter delivered it to. */
import { Adapter, type BroadcastOptions, type Room, type SocketId } from "socket.io-adapter";
import { Socket, type Namespace } from "socket.io";
import { boundConstructor } from "../bound-constructor.ts";
import type { Delivery, Recipient } from "../../contract/protocol.ts";

/** What the tracer needs from its sandbox. */
export interface TraceContext {
  nameOf(socket: Socket): string;
  /** The server (1-based) a namespace belongs to, in a multi-node sandbox. */
  nodeOf?(nsp: Namespace): number | undefined;
  /** The incoming event being handled right now, if any. */
  trigger(): Delivery["trigger"];
  /** The line of the running program that made the call, if it is on the stack. */
  programLine(): number | undefined;
  report(delivery: Omit<Delivery, "seq" | "at" | "run">): void;
  /** False while a flood's deliveries are only counted: the call is not noted at all (by default every one is). */
  wanted?(): boolean;
  /** A namespace whose broadcasts are not traced at all (the Admin UI's). */
  untraced?(nsp: Namespace): boolean;
  /** A socket of `nsp` joined or left rooms (the adapter's `addAll`, `del`, `delAll` ran). */
  roomsChanged?(nsp: Namespace): void;
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
  /** Set when the other nodes deliver it later (through Redis): its row waits for them. */
  relay: { origin: string; peers: number } | undefined;
}

/** A broadcast whose other nodes have not delivered it yet (Redis carries it to them after the call returned). */
interface HeldRow {
  sockets: Socket[];
  /** Nodes still to deliver it. */
  waiting: number;
  timer: NodeJS.Timeout;
  release(): void;
}

/**
 * An adapter whose broadcasts reach the other nodes later (through Redis): the tracer holds each row until every
 * other node has delivered it (`DeliveryTracer.relayed`), or `relayWaitMs` passed.
 */
export interface RelayingAdapter {
  readonly uid: string;
  /** How many other nodes will deliver a broadcast of this adapter now. */
  relayPeers(): number;
}

/** How long a held row waits for the other nodes before it is shown with the recipients it has. */
export const relayWaitMs = 1000;
/** Rows held at once per tracer; beyond it a broadcast's row shows its own node's recipients at once. */
const maxHeldRows = 256;

type TracingClass = new (tracer: DeliveryTracer, nsp: Namespace) => Adapter;
/** The tracing subclass of each adapter class (`DeliveryTracer.adapterOn`), without and with own-room emits. */
const tracing = new WeakMap<typeof Adapter, TracingClass>();
const tracingWithOwnRoom = new WeakMap<typeof Adapter, TracingClass>();

/**
 * Watches the adapter (every `io.emit`, `to()`, `broadcast`…) and each socket's outgoing listener
 * (`socket.emit`): the recipients are the sockets Socket.IO itself handed the packet to.
 *
 * @example
 * const tracer = new DeliveryTracer(context);
 * const io = new Server({ adapter: tracer.adapter });
 * io.on("connection", (socket) => {
 *   tracer.watch(socket);
 *   socket.on("disconnect", () => tracer.unwatch(socket));
 * });
 */
export class DeliveryTracer {
  #context: TraceContext;
  /** The broadcast under way: noted, or `null` when a flood's broadcast is only counted. */
  #current: Broadcast | null | undefined;
  #consoleCall: ConsoleCall | undefined;
  /** Held rows by the uid of the adapter that published them, oldest first (Redis keeps one publisher's order); made on first use. */
  #held: Map<string, HeldRow[]> | undefined;
  #heldCount = 0;
  /** The held row a remote node is delivering right now. */
  #relaying: HeldRow | undefined;
  /** Watched sockets by id, kept until their `disconnect` handlers have run (a socket leaves its namespace before them). */
  #sockets = new Map<string, Socket>();
  /** The adapter class to pass to `new Server({ adapter })`. */
  readonly adapter: typeof Adapter;
  /** Each watched socket's `notifyOutgoingListeners`: notes the packet, then runs the socket's own listeners. */
  readonly #notify: NotifyOutgoing;

  constructor(context: TraceContext) {
    this.#context = context;
    this.adapter = this.adapterOn(Adapter);
    const tracer = this;
    this.#notify = function (packet) {
      tracer.#outgoing(this, packet);
      notifyListeners.call(this, packet);
    };
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
   * has connection state recovery on), bound to this tracer. The Admin UI's traffic is not traced (`untraced`).
   *
   * @example
   * new Server({ adapter: tracer.adapterOn(SessionAwareAdapter), connectionStateRecovery: {} });
   */
  adapterOn<Base extends typeof Adapter>(Base: Base, ownRoomEmits = Base !== Adapter): Base {
    // One class per adapter class for every tracer, this tracer bound in as its first argument: a class made per
    // sandbox costs its own shapes, prototype and (under tsx's keepNames) a `name` dictionary.
    return boundConstructor(DeliveryTracer.#tracingClass(Base, ownRoomEmits), this) as unknown as Base;
  }

  /** The tracing subclass of `Base`, made once (and forgotten with `Base`). */
  static #tracingClass(Base: typeof Adapter, ownRoomEmits: boolean): TracingClass {
    const cache = ownRoomEmits ? tracingWithOwnRoom : tracing;
    const made = cache.get(Base);
    if (made) return made;
    // Only with connection state recovery does Socket.IO send `socket.emit` (to the socket's own room) through the adapter.
    class TracingAdapter extends Base {
      readonly #tracer: DeliveryTracer;

      constructor(tracer: DeliveryTracer, nsp: Namespace) {
        super(nsp);
        this.#tracer = tracer;
      }

      override broadcast(packet: any, opts: BroadcastOptions): void {
        const tracer = this.#tracer;
        if (tracer.#context.untraced?.(this.nsp)) return super.broadcast(packet, opts);
        // A session-aware adapter appends the packet's offset to its arguments: the call did not pass it.
        tracer.#begin(this.nsp, packet.data, opts, packet.data.length, ownRoomEmits, relayOf(this, opts));
        try {
          super.broadcast(packet, opts);
        } finally {
          tracer.#end();
        }
      }

      override broadcastWithAck(packet: any, opts: BroadcastOptions, count: (n: number) => void, ack: any): void {
        const tracer = this.#tracer;
        if (tracer.#context.untraced?.(this.nsp)) return super.broadcastWithAck(packet, opts, count, ack);
        tracer.#begin(this.nsp, packet.data, opts, packet.data.length, false, relayOf(this, opts));
        try {
          super.broadcastWithAck(packet, opts, count, ack);
        } finally {
          tracer.#end();
        }
      }

      // Instead of "join-room" / "leave-room" listeners on each adapter (each an events dictionary and two closures).
      override addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void {
        const done = super.addAll(id, rooms);
        this.#tracer.#context.roomsChanged?.(this.nsp);
        return done;
      }

      override del(id: SocketId, room: Room): Promise<void> | void {
        const done = super.del(id, room);
        this.#tracer.#context.roomsChanged?.(this.nsp);
        return done;
      }

      override delAll(id: SocketId): void {
        super.delAll(id);
        this.#tracer.#context.roomsChanged?.(this.nsp);
      }
    }
    cache.set(Base, TracingAdapter);
    return TracingAdapter;
  }

  /** Starts observing a socket's outgoing packets; call `unwatch` when it disconnects. */
  watch(socket: Socket): void {
    this.#sockets.set(socket.id, socket);
    // Socket.IO calls this for every packet it hands the socket (an adapter's broadcast, `socket.emit`). An
    // `onAnyOutgoing` listener would copy the listener array and spread the arguments once per delivery.
    (socket as unknown as { notifyOutgoingListeners: NotifyOutgoing }).notifyOutgoingListeners = this.#notify;
  }

  /** The socket disconnected: it is forgotten once its `disconnect` handlers have run (it left its namespace before them). */
  unwatch(socket: Socket): void {
    setImmediate(forget, this.#sockets, socket);
  }

  #outgoing(socket: Socket, packet: OutgoingPacket): void {
    if (this.#current) this.#current.reached.push(socket);
    else if (this.#relaying) this.#relaying.sockets.push(socket);
    else if (this.#current === undefined) this.#direct(socket, packet.data[0], packet.data.slice(1));
  }

  /**
   * Runs a console command's emit, naming the trace entries after the command, and returns who got it.
   * `sender` is the socket a `socket("A")…` command starts from (none for `io…`).
   *
   * @example
   * tracer.consoleCall('io.emit("x", 1)', () => io.emit("x", 1)); // ["A", "B"]
   */
  consoleCall(call: string, emit: () => void, sender?: Socket): string[] | Promise<string[]> {
    const previous = this.#consoleCall;
    const current: ConsoleCall = (this.#consoleCall = { call, reached: [], sender, held: [] });
    try {
      emit();
    } finally {
      this.#consoleCall = previous;
    }
    // Through Redis the other nodes deliver later: the answer waits for the rows it made.
    if (current.held.length === 0) return current.reached;
    return Promise.all(current.held).then(() => current.reached);
  }

  /**
   * Runs a remote node's delivery of a broadcast that `origin` (an adapter's uid) published: the sockets it reaches
   * join that broadcast's held row, shown once every other node has delivered it.
   *
   * @example
   * tracer.relayed(origin, () => deliverLocally(packet)); // inside the adapter's Redis message handler
   */
  relayed(origin: string, deliver: () => void): void {
    const queue = this.#held?.get(origin);
    const row = queue?.[0];
    const previous = this.#relaying;
    // A late delivery (its row already shown) is not traced again, nor taken for a direct socket.emit.
    this.#relaying = row ?? { sockets: [], waiting: 0, timer: undefined as never, release: () => undefined };
    try {
      deliver();
    } finally {
      this.#relaying = previous;
    }
    if (row && --row.waiting <= 0) row.release();
  }

  /** True while some broadcast of `origin` waits for the other nodes (the adapter then reads whose a request is). */
  holds(origin: string): boolean {
    return this.#held?.has(origin) === true;
  }

  #begin(nsp: Namespace, data: unknown[], opts: BroadcastOptions, passed: number, ownRoomEmits: boolean, relay?: Broadcast["relay"]): void {
    if (!this.#consoleCall && this.#context.wanted && !this.#context.wanted()) {
      this.#current = null;
      return;
    }
    const line = this.#consoleCall ? undefined : this.#context.programLine();
    this.#current = { nsp, data, opts, passed, ownRoomEmits, reached: [], line, relay: relay && relay.peers > 0 && this.#heldCount < maxHeldRows ? relay : undefined };
  }

  /** Keeps a broadcast's row until the other nodes delivered it (`relayed`) or `relayWaitMs` passed. */
  #hold({ origin, peers }: NonNullable<Broadcast["relay"]>, sockets: Socket[], show: (sockets: Socket[]) => void): void {
    const held = (this.#held ??= new Map());
    const queue = held.get(origin) ?? [];
    held.set(origin, queue);
    this.#heldCount++;
    let resolve = () => {};
    this.#consoleCall?.held.push(new Promise<void>((done) => (resolve = done)));
    const row: HeldRow = {
      sockets,
      waiting: peers,
      timer: setTimeout(() => row.release(), relayWaitMs),
      release: () => {
        clearTimeout(row.timer);
        const index = queue.indexOf(row);
        if (index < 0) return;
        queue.splice(index, 1);
        if (queue.length === 0) held.delete(origin);
        this.#heldCount--;
        show(row.sockets);
        resolve();
      },
    };
    queue.push(row);
  }

  #end(): void {
    const current = this.#current;
    this.#current = undefined;
    if (!current) return;
    const data = current.data as [string, ...unknown[]];
    const event = data[0];
    const args = data.slice(1);
    // A session-aware adapter appended the packet's offset: the call passed the rest.
    const passed = current.passed === data.length ? args : data.slice(1, current.passed);
    const own = current.ownRoomEmits ? this.#ownRoomOf(current.opts) : undefined;
    if (own) {
      // With connection state recovery on, Socket.IO sends `socket.emit` through the adapter, to the socket's own room.
      this.#publish(own.nsp, `socket.emit(${formatArgs(event, passed)})`, event, args, current.reached, own, current.line, undefined);
      return;
    }
    const sender = this.#consoleCall ? this.#consoleCall.sender : this.#senderOf(current.opts);
    const call = describeBroadcast(current.nsp.name, current.opts, sender?.id, event, passed);
    const broadcast = {
      rooms: [...current.opts.rooms],
      except: [...(current.opts.except ?? [])].filter((room) => room !== sender?.id),
      ...(current.opts.flags?.timeout === undefined ? {} : { timeout: current.opts.flags.timeout }),
    };
    if (!current.relay) return this.#publish(current.nsp, call, event, args, current.reached, sender, current.line, broadcast);
    const consoleCall = this.#consoleCall;
    const trigger = consoleCall ? undefined : this.#context.trigger();
    this.#hold(current.relay, current.reached, (sockets) => {
      // Shown later, as it was when the call ran: the console call and trigger of that moment.
      const now = this.#consoleCall;
      this.#consoleCall = consoleCall;
      try {
        this.#publish(current.nsp, call, event, args, sockets, sender, current.line, broadcast, trigger);
      } finally {
        this.#consoleCall = now;
      }
    });
  }

  #direct(socket: Socket, event: string, args: unknown[]): void {
    if (!this.#consoleCall && this.#context.wanted && !this.#context.wanted()) return;
    const call = `socket.emit(${formatArgs(event, args)})`;
    this.#publish(socket.nsp, call, event, args, [socket], socket, this.#consoleCall ? undefined : this.#context.programLine(), undefined);
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

  #recipient(socket: Socket): Recipient {
    const node = this.#context.nodeOf?.(socket.nsp);
    return node === undefined ? { socketId: socket.id, client: this.#context.nameOf(socket) } : { socketId: socket.id, client: this.#context.nameOf(socket), node };
  }

  #publish(
    namespace: Namespace,
    call: string,
    event: string,
    args: unknown[],
    sockets: Socket[],
    sender: Socket | undefined,
    line: number | undefined,
    broadcast: Delivery["broadcast"],
    trigger = this.#consoleCall ? undefined : this.#context.trigger(),
  ): void {
    const node = this.#context.nodeOf?.(namespace);
    const reached: Recipient[] = new Array(sockets.length);
    for (let index = 0; index < sockets.length; index++) reached[index] = this.#recipient(sockets[index]);
    const fromConsole = this.#consoleCall;
    if (fromConsole) for (const recipient of reached) fromConsole.reached.push(recipient.client);
    // One object per delivery, handed to the stream as it is (no spreads of optional parts: each made a copy).
    const delivery: Omit<Delivery, "seq" | "at" | "run"> = {
      nsp: namespace.name,
      call: fromConsole?.call ?? call,
      event,
      args,
      from: sender ? this.#context.nameOf(sender) : undefined,
      trigger: fromConsole ? undefined : trigger,
      source: fromConsole ? "console" : "program",
      reached,
      line,
    };
    if (node !== undefined) delivery.node = node;
    if (broadcast) delivery.broadcast = broadcast;
    this.#context.report(delivery);
  }
}

/** A packet Socket.IO sends a socket: the event name first, then its arguments. */
interface OutgoingPacket {
  data: [string, ...unknown[]];
}

type NotifyOutgoing = (this: Socket, packet: OutgoingPacket) => void;

/** Socket.IO's own: runs the socket's `onAnyOutgoing` listeners (a learner's, the Admin UI's). */
const notifyListeners = (Socket.prototype as unknown as { notifyOutgoingListeners: NotifyOutgoing }).notifyOutgoingListeners;

interface ConsoleCall {
  call: string;
  reached: string[];
  sender: Socket | undefined;
  /** Rows of this call still waiting for the other nodes. */
  held: Promise<void>[];
}

/** Drops a disconnected socket from the watched ones, unless a recovered socket took its id since. */
function forget(sockets: Map<string, Socket>, socket: Socket): void {
  if (sockets.get(socket.id) === socket) sockets.delete(socket.id);
}

/** Whose broadcast waits for other nodes: a relaying adapter's, unless it is `.local`. */
function relayOf(adapter: Adapter, opts: BroadcastOptions): Broadcast["relay"] {
  const relaying = adapter as Adapter & Partial<RelayingAdapter>;
  if (typeof relaying.relayPeers !== "function" || opts.flags?.local) return undefined;
  return { origin: relaying.uid!, peers: relaying.relayPeers() };
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
