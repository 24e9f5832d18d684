/** A scaling sandbox's nodes linked by `@socket.io/redis-adapter` through a real Redis (when `REDIS_URL` is set). */
import { randomBytes } from "node:crypto";
import type { Namespace } from "socket.io";
import type { Adapter } from "socket.io-adapter";
import { RedisAdapter } from "@socket.io/redis-adapter";
import type { DeliveryTracer, RelayingAdapter } from "../sandbox/delivery-trace.ts";
import type { RedisClients } from "./redis-link.ts";

/** The adapter's handlers for what arrives from Redis (private in its types, called through `this`). */
interface Handlers {
  onmessage(pattern: unknown, channel: Buffer | string, message: Buffer): void;
  onrequest(channel: Buffer | string, message: Buffer): Promise<void>;
  parser: { decode(message: Buffer): unknown };
}

/** The adapter's request type for a broadcast with acknowledgements (`RequestType.BROADCAST` in its source). */
const broadcastRequest = 7;

/**
 * One run's Redis adapters: every node of the run gets `RedisAdapter` with the same key prefix, unique to this
 * run (random), so its channels (`<key>#<nsp>#…`, `<key>-request#<nsp>#`) are its own: no other sandbox, and no
 * earlier run of this one, publishes or listens there. All of them use the process's shared pub/sub connections.
 *
 * The adapter counts servers with `PUBSUB NUMSUB`, which counts connections, not adapters: with one shared
 * subscriber it would see one server. The run knows its nodes, so `serverCount()` answers from them (a crashed
 * node's adapter is closed and no longer counted, so `fetchSockets()` does not wait for it).
 *
 * @example
 * const relay = new RedisRelay(link.clients(onError));
 * new Server({ adapter: relay.adapter(tracer) }); // on each node
 */
export class RedisRelay {
  readonly key = `socket-playground:${randomBytes(8).toString("hex")}`;
  #clients: RedisClients;
  #members = new Set<Adapter>();

  constructor(clients: RedisClients) {
    this.#clients = clients;
  }

  /** The adapter class for one more node, traced: a broadcast's row waits for the other nodes' deliveries. */
  adapter(tracer: DeliveryTracer): typeof Adapter {
    const relay = this;
    const { pub, sub } = this.#clients;
    class NodeAdapter extends RedisAdapter implements RelayingAdapter {
      constructor(nsp: Namespace) {
        super(nsp, pub, sub, { key: relay.key, requestsTimeout: 2000 });
        relay.#members.add(this);
        const handlers = this as unknown as Handlers;
        const onmessage = handlers.onmessage.bind(this);
        const onrequest = handlers.onrequest.bind(this);
        // A broadcast published by another node: deliver it here as part of that node's trace row.
        handlers.onmessage = (pattern, channel, message) => {
          let origin: unknown;
          try {
            [origin] = handlers.parser.decode(message) as [unknown];
          } catch {
            return;
          }
          if (typeof origin !== "string" || origin === this.uid) return;
          tracer.relayed(origin, () => onmessage(pattern, channel, message));
        };
        handlers.onrequest = (channel, message) => {
          const origin = broadcastOrigin(message, handlers.parser);
          if (origin === undefined || origin === this.uid) return onrequest(channel, message);
          let done: Promise<void> = Promise.resolve();
          tracer.relayed(origin, () => (done = onrequest(channel, message)));
          return done;
        };
      }

      relayPeers(): number {
        return relay.#peersOf(this);
      }

      override serverCount(): Promise<number> {
        return Promise.resolve(relay.#peersOf(this) + 1);
      }

      override close(): void {
        relay.#members.delete(this);
        void super.close();
      }
    }
    return tracer.traced(NodeAdapter as unknown as typeof Adapter);
  }

  /** The other nodes' adapters of the same namespace: those that receive what this one publishes. */
  #peersOf(adapter: Adapter): number {
    let peers = 0;
    for (const member of this.#members) if (member !== adapter && member.nsp.name === adapter.nsp.name) peers++;
    return peers;
  }
}

/** The publishing adapter's uid of a broadcast-with-acknowledgements request, if the message is one (JSON or msgpack, as the adapter reads it). */
function broadcastOrigin(message: Buffer, parser: Handlers["parser"]): string | undefined {
  try {
    const request = (message[0] === 0x7b ? JSON.parse(message.toString()) : parser.decode(message)) as { type?: unknown; uid?: unknown } | null;
    if (!request || typeof request !== "object") return undefined;
    return request.type === broadcastRequest && typeof request.uid === "string" ? request.uid : undefined;
  } catch {
    return undefined;
  }
}
