/** The sandbox's own load balancer in front of its nodes: round-robin, or sticky by Engine.IO session id. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Server as EngineServer } from "engine.io";
import { explainUpgradeErrors } from "../http/engine-answers.ts";

/** Where a request went, told to the sandbox's console when a node did not know its session. */
export interface MissedSession {
  /** 1-based node that got the request, and the node that holds the session. */
  node: number;
  owner: number;
  sid: string;
  transport: "polling" | "websocket";
  /** The request's query (a simulated client's carries its name and the sandbox's client key). */
  query: URLSearchParams;
}

/**
 * Hands each Engine.IO request or upgrade to one node. Round-robin sends every request to the next node, as a
 * balancer without affinity does: a polling client's later requests land on nodes that never saw its handshake
 * and get Engine.IO's real `400 {"code":1,"message":"Session ID unknown"}`; a WebSocket-only client opens
 * and keeps one connection, so it works. Sticky sends a request that carries a session id (`sid`) to the node
 * that holds it, like HAProxy's or nginx's affinity. It stands where the dispatcher expects an engine.
 *
 * @example
 * const balancer = new NodeBalancer(() => [{ node: 1, engine: one }, { node: 2, engine: two }], () => sticky, (miss) => console.log(miss));
 * balancer.handleRequest(req, res); // to the next node, or to the session's own
 */
/** A live node behind the balancer: its 1-based number and its engine. */
export interface BalancedNode {
  node: number;
  engine: EngineServer;
}

export class NodeBalancer {
  #nodes: () => BalancedNode[];
  #sticky: () => boolean;
  #missed: (miss: MissedSession) => void;
  #next = 0;

  constructor(nodes: () => BalancedNode[], sticky: () => boolean, missed: (miss: MissedSession) => void) {
    this.#nodes = nodes;
    this.#sticky = sticky;
    this.#missed = missed;
  }

  /** Every node's sessions (the dispatcher tells a session of no node from a misrouted one with it). */
  get clients(): Record<string, unknown> {
    return Object.assign({}, ...this.#nodes().map(({ engine }) => sessionsOf(engine)));
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#pick(req, "polling").handleRequest(req, res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const engine = this.#pick(req, "websocket");
    explainUpgradeErrors(engine, req);
    engine.handleUpgrade(req, socket, head);
  }

  /** The dispatcher's `explainUpgradeErrors(engine, req)` listens here; each node's engine is explained itself. */
  on(): this {
    return this;
  }

  #pick(req: IncomingMessage, transport: MissedSession["transport"]): EngineServer {
    const nodes = this.#nodes();
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    const sid = query.get("sid");
    const owner = sid ? nodes.findIndex(({ engine }) => Object.hasOwn(sessionsOf(engine), sid)) : -1;
    if (owner >= 0 && this.#sticky()) return nodes[owner].engine;
    // A sticky balancer spreads only new sessions: a late request of a closed session must not shift the order.
    if (sid && this.#sticky()) return nodes[0].engine;
    const index = this.#next++ % nodes.length;
    if (sid && owner >= 0 && owner !== index) {
      this.#missed({ node: nodes[index].node, owner: nodes[owner].node, sid, transport, query });
    }
    return nodes[index].engine;
  }
}

function sessionsOf(engine: EngineServer): Record<string, unknown> {
  // Engine.IO's open sessions by id (`clients`, protected in its types; the dispatcher reads it the same way).
  return (engine as unknown as { clients: Record<string, unknown> }).clients;
}
