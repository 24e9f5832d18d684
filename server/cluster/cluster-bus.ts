/** The wire between a sandbox's nodes: socket.io-adapter's cluster protocol, carried in-process instead of over Redis. */
import type { Namespace } from "socket.io";
import { Adapter, ClusterAdapterWithHeartbeat, MessageType, type BroadcastOptions, type ClusterMessage, type ClusterResponse } from "socket.io-adapter";

type Member = { uid: string; deliver(message: ClusterMessage): void; respond(response: ClusterResponse): void };

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

  /** An adapter class for one more node (`new Server({ adapter })`): socket.io-adapter's `ClusterAdapterWithHeartbeat`. */
  adapter(): typeof Adapter {
    const bus = this;
    class BusAdapter extends ClusterAdapterWithHeartbeat {
      #member: Member;

      constructor(nsp: Namespace) {
        super(nsp, {});
        this.#member = { uid: this.uid, deliver: (message) => this.onMessage(message), respond: (response) => this.onResponse(response) };
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
        for (const member of bus.#members) if (member !== this.#member) member.deliver(message);
        return Promise.resolve("");
      }

      protected override doPublishResponse(requesterUid: string, response: ClusterResponse): Promise<void> {
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
}
