/** The wire between a sandbox's nodes: socket.io-adapter's cluster protocol, carried in-process instead of over Redis. */
import type { Namespace } from "socket.io";
import { Adapter, ClusterAdapterWithHeartbeat, MessageType, type BroadcastOptions, type ClusterMessage, type ClusterResponse } from "socket.io-adapter";

type Member = { uid: string; node: number; deliver(message: ClusterMessage): void; respond(response: ClusterResponse): void };

/**
 * How often each node says it is alive, and how long the others wait before they forget a silent one: shorter
 * than socket.io-adapter's defaults (5 s, 10 s), so the crash demo shows the heartbeat within the step.
 */
export const heartbeat = { heartbeatInterval: 1000, heartbeatTimeout: 3000 };

/**
 * Every node's adapter for one sandbox joins its bus; a message one publishes reaches the others, as a Redis or
 * Postgres pub/sub would carry it between processes. Delivery is synchronous: a broadcast reaches the other
 * nodes' sockets within the call that made it, so the trace sees the whole delivery at once.
 *
 * @example
 * const bus = new ClusterBus();
 * const io1 = new Server({ adapter: bus.adapter() }); const io2 = new Server({ adapter: bus.adapter() });
 * io1.emit("news", 1); // reaches the sockets of io1 and io2
 */
export class ClusterBus {
  #members = new Set<Member>();

  /** An adapter class for node `node` (`new Server({ adapter })`): socket.io-adapter's `ClusterAdapterWithHeartbeat`. */
  adapter(node = 0): typeof Adapter {
    const bus = this;
    class BusAdapter extends ClusterAdapterWithHeartbeat {
      #member: Member;

      constructor(nsp: Namespace) {
        super(nsp, heartbeat);
        this.#member = { uid: this.uid, node, deliver: (message) => this.onMessage(message), respond: (response) => this.onResponse(response) };
        bus.#members.add(this.#member);
      }

      /**
       * As `ClusterAdapter.broadcast` (publish, then deliver locally), without waiting for the publish's offset,
       * which only connection state recovery uses: the local delivery happens within the call, as the trace needs.
       */
      override broadcast(packet: any, opts: BroadcastOptions): Promise<void> {
        if (!opts.flags?.local) {
          this.publish({ type: MessageType.BROADCAST, data: { packet, opts: { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags ?? {} } } });
        }
        Adapter.prototype.broadcast.call(this, packet, opts);
        return Promise.resolve();
      }

      protected override doPublish(message: ClusterMessage): Promise<string> {
        // A node cut off the bus (crashed) reaches nobody.
        if (!bus.#members.has(this.#member)) return Promise.resolve("");
        for (const member of bus.#members) if (member !== this.#member) member.deliver(message);
        return Promise.resolve("");
      }

      protected override doPublishResponse(requesterUid: string, response: ClusterResponse): Promise<void> {
        if (!bus.#members.has(this.#member)) return Promise.resolve();
        for (const member of bus.#members) if (member.uid === requesterUid) member.respond(response);
        return Promise.resolve();
      }

      override close(): void {
        super.close();
        bus.#members.delete(this.#member);
      }
    }
    return BusAdapter as unknown as typeof Adapter;
  }

  /**
   * Cuts node `node` off the bus, as a crashed process drops off Redis: nothing it publishes from now on (its
   * `ADAPTER_CLOSE` either) reaches the others, so they learn it is gone only from its missing heartbeat.
   */
  sever(node: number): void {
    for (const member of this.#members) if (member.node === node) this.#members.delete(member);
  }
}
