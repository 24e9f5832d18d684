/** Sandbox density: memory per sandbox and per socket, and delivery latency, against plain Socket.IO servers. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import type { LoadReply, LoadRequest } from "./load-client.ts";
import { startPlainServers, startPlaygroundServer } from "./servers.ts";
import { round, settledMemory, type Memory } from "./stats.ts";

export interface DensityOptions {
  sandboxes: number;
  clientsPerSandbox: number;
  /** Messages per second over all sandboxes while latency is measured. */
  rate: number;
  seconds: number;
}

interface Side {
  /** Heap (JS + external) the servers hold with every socket connected, in bytes. */
  heapBytes: number;
  rssBytes: number;
  heapPerSandbox: number;
  heapPerSocket: number;
  p50Ms: number;
  p99Ms: number;
  sent: number;
  received: number;
  connectMs: number;
  /** Server-process CPU (user + system) during the steady load, per message sent. */
  cpuPerMessageUs: number;
}

export interface DensityResult extends DensityOptions {
  sockets: number;
  plain: Side;
  playground: Side & { owners: number };
  memoryRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  /** Heap before anything started, and after everything closed and a forced GC. */
  startHeapBytes: number;
  endHeapBytes: number;
  returnedWithin10Percent: boolean;
}

/** The child process holding the benchmark's clients, asked one request at a time. */
export class LoadClient {
  #child: ChildProcess;
  #pending: { resolve: (reply: LoadReply) => void; reject: (error: Error) => void } | undefined;
  constructor() {
    this.#child = fork(fileURLToPath(new URL("./load-client.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
    this.#child.on("message", (reply) => this.#pending?.resolve(reply as LoadReply));
    this.#child.on("exit", (code) => this.#pending?.reject(new Error(`The load client exited (${code}).`)));
  }
  ask<T extends LoadReply["type"]>(request: LoadRequest & { type: T }): Promise<Extract<LoadReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve: (reply) => resolve(reply as Extract<LoadReply, { type: T }>), reject };
      this.#child.send(request);
    });
  }
  stop(): void {
    this.#child.kill();
  }
}

/** With `BENCH_HEAP_SNAPSHOTS=<dir>`, writes a heap snapshot of each side, for `bench/heap-summary.ts`. */
function snapshot(name: string, options: DensityOptions): void {
  const dir = process.env.BENCH_HEAP_SNAPSHOTS;
  if (dir && options.sandboxes > 5) writeHeapSnapshot(`${dir}/${name}.heapsnapshot`);
}

function side(memory: Memory, base: Memory, options: DensityOptions, drive: Extract<LoadReply, { type: "drive" }>, connectMs: number, cpu: NodeJS.CpuUsage): Side {
  const heapBytes = memory.heap - base.heap;
  return {
    heapBytes,
    rssBytes: memory.rss - base.rss,
    heapPerSandbox: Math.round(heapBytes / options.sandboxes),
    heapPerSocket: Math.round(heapBytes / (options.sandboxes * options.clientsPerSandbox)),
    p50Ms: round(drive.p50),
    p99Ms: round(drive.p99),
    sent: drive.sent,
    received: drive.received,
    connectMs,
    cpuPerMessageUs: Math.round((cpu.user + cpu.system) / drive.sent),
  };
}

/**
 * Plain servers first, then the playground, each with the same sockets and message rate; memory is read
 * after a forced GC with every socket connected (clients live in a child process).
 *
 * @example
 * const result = await density({ sandboxes: 500, clientsPerSandbox: 4, rate: 1000, seconds: 5 });
 */
export async function density(options: DensityOptions): Promise<DensityResult> {
  const load = new LoadClient();
  const { sandboxes } = options;
  const perSandbox = Array.from({ length: options.clientsPerSandbox }, (_, index) => index);
  try {
    // A small warm-up of both sides first, so that code compiled on first use is not counted as held memory.
    if (sandboxes > 5) await measure(load, { ...options, sandboxes: 5, seconds: 1, rate: 50 }, perSandbox);
    return await measure(load, options, perSandbox);
  } finally {
    load.stop();
  }
}

async function measure(load: LoadClient, options: DensityOptions, perSandbox: number[]): Promise<DensityResult> {
  const { sandboxes, clientsPerSandbox } = options;
  {
    const start = await settledMemory();

    const plain = await startPlainServers(sandboxes, { broadcast: false });
    const plainConnect = await load.ask({ type: "connect", url: plain.targets[0].url, batch: 50, sockets: plain.targets.flatMap((target) => perSandbox.map(() => ({ path: target.path, query: {} }))) });
    const plainMemory = await settledMemory();
    snapshot("plain", options);
    let cpu = process.cpuUsage();
    const plainDrive = await load.ask({ type: "drive", rate: options.rate, seconds: options.seconds });
    const plainCpu = process.cpuUsage(cpu);
    await load.ask({ type: "close" });
    await plain.close();
    const between = await settledMemory();

    const live = await startPlaygroundServer({ maxSandboxes: sandboxes, idleMs: 10 * 60_000 });
    const tickets = [];
    for (let index = 0; index < sandboxes; index++) tickets.push(await live.sandbox());
    // The owner's page, listening to feed and trace; `BENCH_NO_OWNERS=1` leaves it out to weigh what it costs.
    const owners = process.env.BENCH_NO_OWNERS === "1" ? 0 : 1;
    const sockets = tickets.flatMap((ticket) => [
      ...(owners ? [{ path: "/control/socket.io", auth: { sandbox: ticket.id, token: ticket.token } }] : []),
      ...perSandbox.map((index) => ({ path: ticket.path, query: live.target(ticket).query(index) })),
    ]);
    const liveConnect = await load.ask({ type: "connect", url: live.url, batch: 50, sockets });
    const liveMemory = await settledMemory();
    snapshot("playground", options);
    cpu = process.cpuUsage();
    const liveDrive = await load.ask({ type: "drive", rate: options.rate, seconds: options.seconds });
    const liveCpu = process.cpuUsage(cpu);
    await load.ask({ type: "close" });
    await live.close();
    const end = await settledMemory();

    const plainSide = side(plainMemory, start, options, plainDrive, plainConnect.ms, plainCpu);
    const liveSide = side(liveMemory, between, options, liveDrive, liveConnect.ms, liveCpu);
    return {
      ...options,
      sockets: sandboxes * clientsPerSandbox,
      plain: plainSide,
      playground: { ...liveSide, owners: owners * sandboxes },
      memoryRatio: round(liveSide.heapBytes / plainSide.heapBytes),
      p50Ratio: round(liveSide.p50Ms / plainSide.p50Ms),
      p99Ratio: round(liveSide.p99Ms / plainSide.p99Ms),
      startHeapBytes: start.heap,
      endHeapBytes: end.heap,
      returnedWithin10Percent: end.heap <= start.heap * 1.1,
    };
  }
}
