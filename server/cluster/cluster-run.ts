/** One run of the scaling lesson's sandbox: two real Socket.IO servers behind the sandbox's own balancer. */
import type { Server as EngineServer } from "engine.io";
import type { Socket } from "socket.io";
import type { ProgramModule, LessonServer } from "../programs/program.ts";
import type { CallSite } from "../runtime/call-sites.ts";
import { ProgramRun, runTracer, type RunHost } from "../sandbox/program-run.ts";
import type { DeliveryTracer } from "../sandbox/delivery-trace.ts";
import { ClusterBus } from "./cluster-bus.ts";
import { NodeBalancer, type MissedSession } from "./node-balancer.ts";
import type { RedisLink } from "./redis-link.ts";
import { RedisRelay } from "./redis-relay.ts";

/** How many nodes a multi-node sandbox runs. */
export const nodeCount = 2;

export interface ClusterOptions {
  /**
   * On: the nodes share an adapter — `@socket.io/redis-adapter` through `redis` when it is given and up, else
   * socket.io-adapter's cluster adapter over an in-process bus; off: each has its own in-memory adapter.
   */
  adapter: boolean;
  /** The process's Redis connections (`REDIS_URL`), if set. */
  redis?: RedisLink;
  /** Read at each request: on, a request with a session id goes to the node that holds it. */
  sticky: () => boolean;
  /** A request reached a node that did not know its session (only without sticky sessions). */
  missed: (miss: MissedSession) => void;
}

/**
 * The same program on each node (as `node index.js` started on two machines), one shared trace, and a balancer
 * that stands where a single server's engine would. `io` is node 1's server; `nodes[n - 1]` is node n's.
 *
 * @example
 * const run = new ClusterRun(programs.scaling, host, { adapter: true, sticky: () => true, missed });
 * run.nodes[1].io.emit("news", 1); // with the adapter on, node 1's clients get it too
 */
type RunAdapter = DeliveryTracer["adapter"];

export class ClusterRun {
  readonly engine: EngineServer;
  readonly tracer: DeliveryTracer;
  readonly nodes: ProgramRun[];
  /** Nodes (1-based) crashed and not started again: the balancer skips them. */
  readonly down = new Set<number>();
  #host: RunHost;
  #start: (number: number) => ProgramRun;
  #sever: (number: number) => void;
  /** What links the nodes: `redis`, the in-process `bus`, or nothing (`none`, the Adapter switch off). */
  readonly link: "redis" | "bus" | "none";

  constructor(program: ProgramModule, host: RunHost, { adapter, sticky, missed, redis }: ClusterOptions) {
    const site: CallSite = { line: undefined };
    const tracer = (this.tracer = runTracer(host, site, (nsp) => this.nodeOfServer(nsp.server)));
    this.link = !adapter ? "none" : redis?.up ? "redis" : "bus";
    if (adapter && redis && !redis.up) {
      host.feed({ level: "warn", kind: "system", text: `Redis (REDIS_URL) is not reachable (${redis.reason}): the servers share the in-process cluster adapter instead.` });
    }
    let reported = false;
    const relay = this.link === "redis" ? new RedisRelay(redis!.clients((error) => {
      // Once per run: Redis went away mid-run; broadcasts stay on their own server until the next run.
      if (reported) return;
      reported = true;
      host.feed({ level: "warn", kind: "system", text: `Redis failed (${error.message}): until it is back, a broadcast reaches its own server's clients only.` });
    })) : undefined;
    const bus = this.link === "bus" ? new ClusterBus() : undefined;
    const adapterOf = (number: number): RunAdapter => (relay ? relay.adapter(tracer) : bus ? tracer.traced(bus.adapter(number)) : tracer.adapter);
    this.#host = host;
    this.#start = (number) => new ProgramRun(program, host, undefined, { number, tracer, site, adapter: adapterOf(number) });
    // A crashed process drops off the bus at once; through Redis its connections would close (its adapter's close does).
    this.#sever = (number) => bus?.sever(number);
    this.nodes = Array.from({ length: nodeCount }, (_, index) => this.#start(index + 1));
    const live = () => this.nodes.flatMap((node, index) => (this.down.has(index + 1) ? [] : [{ node: index + 1, engine: node.engine }]));
    this.engine = new NodeBalancer(live, sticky, missed) as unknown as EngineServer;
  }

  /**
   * Crashes node `number` as a killed process would go: its connections drop (its clients reconnect, through the
   * balancer, to a live node) and it says no goodbye on the bus, so the other nodes keep counting it until its
   * heartbeat is missing for `heartbeatTimeout`. Node 1 never crashes: the console's default server stays up.
   */
  crash(number: number): void {
    if (number < 2 || number > nodeCount || this.down.has(number)) return;
    this.down.add(number);
    const node = this.nodes[number - 1];
    const sockets = node.io.of("/").sockets.size;
    this.#sever(number);
    node.close();
    this.#host.socketsChanged();
    this.#host.feed({
      level: "error",
      kind: "system",
      text: `Server ${number} crashed: its ${sockets} client${sockets === 1 ? "" : "s"} lost the connection and reconnect through the balancer to a live server.`,
    });
  }

  /** Starts a crashed node again, fresh (no sockets, no rooms), as a restarted process; the balancer sends it new connections. */
  revive(number: number): void {
    if (!this.down.delete(number)) return;
    this.nodes[number - 1] = this.#start(number);
    this.#host.feed({ level: "info", kind: "system", text: `Server ${number} started again: new connections reach it; the clients that moved stay where they are.` });
  }

  /** Node 1's server: where a console command without `server(N).` runs. */
  get io(): LessonServer {
    return this.nodes[0].io;
  }

  /** The node (1-based) a socket is connected to, if it is one of this run's. */
  nodeOf(socket: Socket): number | undefined {
    return this.nodeOfServer(socket.nsp.server);
  }

  /** The node (1-based) a server is, if it is one of this run's. */
  nodeOfServer(server: unknown): number | undefined {
    // Read while the nodes are being made too (a node's first namespace is traced before the list exists).
    const index = this.nodes?.findIndex((node) => node.io === server) ?? -1;
    return index >= 0 ? index + 1 : undefined;
  }

  settingsChanged(settings: { broadcast: boolean }): void {
    for (const node of this.nodes) node.settingsChanged(settings);
  }

  /** No learner code runs on a multi-node sandbox (Run code is refused there): nothing to wait for. */
  codeSettled(): Promise<void> {
    return Promise.resolve();
  }

  codeMemory(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  enableAdmin(): void {
    for (const node of this.nodes) node.enableAdmin();
  }

  close(): void {
    for (const [index, node] of this.nodes.entries()) if (!this.down.has(index + 1)) node.close();
  }
}
