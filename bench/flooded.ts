/** Memory of sandboxes flooded inside every limit: what the feed byte budget and the slow-reader bound hold them to. */
import { resolveOptions } from "../server/config.ts";
import type { SandboxTicket } from "../contract/protocol.ts";
import { LoadClient } from "./density.ts";
import { startPlaygroundServer } from "./servers.ts";
import { settledMemory } from "./stats.ts";

export interface FloodOptions {
  sandboxes: number;
  /** Chat messages client A of each sandbox sends (1.5 KiB, every tenth 60 KiB)… */
  messages: number;
  /** …this many a second (inside the rate limit). */
  perSecond: number;
}

export interface FloodResult extends FloodOptions {
  /** The budgets in force: `SANDBOX_FEED_BYTES` and `SANDBOX_MAX_QUEUED` (defaults unless set in the environment). */
  feedBytes: number;
  maxQueuedBytes: number;
  sent: number;
  sentBytes: number;
  floodMs: number;
  /** What the fullest sandbox keeps for its owner at the end, and all of them together. */
  keptBytesMax: number;
  keptBytesTotal: number;
  /** Heap (JS + external) after forced GCs with every socket still connected and every budget full, over the start. */
  heapBytes: number;
  heapPerSandbox: number;
  /** The highest RSS of the server process during the flood, over its RSS at the start. */
  peakRssBytes: number;
  /** `peakRssBytes` scaled to 500 sandboxes (the default cap). */
  peakRssAt500: number;
  /** The paused reader of each sandbox, closed once its queue passed `maxQueuedBytes`. */
  slowReadersClosed: number;
  /** Clients A and B that were closed too: on an overloaded machine, clients that fell behind. */
  keptUpClosed: number;
}

/**
 * `sandboxes` sandboxes with the default settings, each with its owner's control socket, clients A and B, and a
 * client that stops reading; A floods the chat program within the rate and payload limits, so every sandbox's
 * feed, trace and backlog reach their byte budget and every slow reader its bound. Clients live in a child process.
 *
 * @example
 * const result = await flooded({ sandboxes: 500, messages: 80, perSecond: 10 });
 */
export async function flooded({ sandboxes, messages, perSecond }: FloodOptions): Promise<FloodResult> {
  const options = resolveOptions(process.env, { maxSandboxes: sandboxes });
  const load = new LoadClient();
  try {
    const start = await settledMemory();
    const live = await startPlaygroundServer(options);
    const tickets: SandboxTicket[] = [];
    for (let index = 0; index < sandboxes; index++) tickets.push(await live.sandbox());
    const sockets = tickets.flatMap((ticket) => {
      const query = live.target(ticket).query;
      return [
        { path: "/control/socket.io", auth: { sandbox: ticket.id, token: ticket.token } },
        ...[0, 1].map((index) => ({ path: ticket.path, query: query(index) })),
        { path: ticket.path, query: query(2), paused: true },
      ];
    });
    await load.ask({ type: "connect", url: live.url, batch: 50, sockets });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const flood = await load.ask({ type: "flood", messages, bigEvery: 10, perSecond });
    const all = () => tickets.map((ticket) => live.playground.registry.get(ticket.id)!);
    // Until every sandbox has caught up: what they keep stops changing.
    for (let last = -1, now = 0; last !== now; ) {
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 500));
      now = all().reduce((sum, sandbox) => sum + sandbox.keptBytes + sandbox.socketCount, 0);
    }
    clearInterval(sampler);
    const memory = await settledMemory();
    const kept = all().map((sandbox) => sandbox.keptBytes);
    const left = all().flatMap((sandbox) => sandbox.sockets().map((socket) => socket.client));
    const slowReadersClosed = sandboxes - left.filter((name) => name === "C").length;
    const keptUpClosed = sandboxes * 2 - left.filter((name) => name !== "C").length;
    await load.ask({ type: "close" });
    await live.close();
    const peakRssBytes = peakRss - start.rss;
    return {
      sandboxes,
      messages,
      perSecond,
      feedBytes: options.feedBytes,
      maxQueuedBytes: options.maxQueuedBytes,
      sent: flood.sent,
      sentBytes: flood.bytes,
      floodMs: flood.ms,
      keptBytesMax: Math.max(...kept),
      keptBytesTotal: kept.reduce((sum, bytes) => sum + bytes, 0),
      heapBytes: memory.heap - start.heap,
      heapPerSandbox: Math.round((memory.heap - start.heap) / sandboxes),
      peakRssBytes,
      peakRssAt500: Math.round((peakRssBytes / sandboxes) * 500),
      slowReadersClosed,
      keptUpClosed,
    };
  } finally {
    load.stop();
  }
}
