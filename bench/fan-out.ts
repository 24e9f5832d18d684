/** Fan-out overhead: the same clients and messages against plain Socket.IO and against a traced, watched sandbox. */
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { connectOwner, startPlainServers, startPlaygroundServer, type Target } from "./servers.ts";
import { median, round } from "./stats.ts";

export interface FanOutOptions {
  clients: number;
  messages: number;
  /** Measured rounds per server; they alternate (plain, playground, playground, plain, …) after one warm-up each. */
  rounds: number;
}

export interface FanOutResult {
  clients: number;
  messages: number;
  rounds: number;
  /** Deliveries (messages × receivers) per second, median over rounds. */
  plainPerSecond: number;
  playgroundPerSecond: number;
  ratio: number;
  /**
   * The median of each round pair's ratio (a playground round over the plain round run next to it): other people's
   * load drifts over a run, and a pair shares its moment, so this moves less from run to run than `ratio`.
   */
  pairedRatio: number;
  plainRounds: number[];
  playgroundRounds: number[];
  /** What the owner received during the playground rounds: proof the feed and trace were on. */
  ownerFeedLines: number;
  ownerTraceEntries: number;
  /**
   * Deliveries per second of the process's CPU time (user + system, the in-process clients included), median over
   * rounds: on a shared machine other people's load stretches the wall clock far more than it stretches this.
   */
  plainPerCpuSecond: number;
  playgroundPerCpuSecond: number;
  cpuRatio: number;
}

/** One round's deliveries per wall-clock second and per CPU second of this process. */
interface RoundRate {
  perSecond: number;
  perCpuSecond: number;
}

/** Messages each client sends before all wait for the deliveries: keeps buffers bounded, like a chat would. */
const batch = 25;

async function connectAll(target: Target, count: number): Promise<ClientSocket[]> {
  const clients = Array.from({ length: count }, (_, index) =>
    connect(target.url, { path: target.path, forceNew: true, transports: ["websocket"], query: target.query(index) }),
  );
  await Promise.all(clients.map((client) => new Promise((resolve, reject) => {
    client.once("connect", () => resolve(undefined));
    client.once("connect_error", reject);
  })));
  return clients;
}

/** One round: every client sends its share of the messages; each is broadcast to the other clients. Deliveries per second, of wall clock and of CPU. */
export async function round1(target: Target, options: FanOutOptions): Promise<RoundRate> {
  const clients = await connectAll(target, options.clients);
  let delivered = 0;
  let waiting: { until: number; resolve: () => void } | undefined;
  for (const client of clients) {
    client.on("chat message", () => {
      delivered++;
      if (waiting && delivered >= waiting.until) waiting.resolve();
    });
  }
  const perClient = Math.ceil(options.messages / options.clients);
  const receivers = options.clients - 1;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let sent = 0; sent < perClient; sent += batch) {
    const count = Math.min(batch, perClient - sent);
    const until = delivered + count * options.clients * receivers;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Fan-out stalled at ${delivered} of ${until} deliveries.`)), 30_000);
      waiting = { until, resolve: () => (clearTimeout(timer), resolve()) };
    });
    for (const client of clients) for (let n = 0; n < count; n++) client.emit("chat message", `message ${sent + n}`);
    await done;
  }
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  for (const client of clients) client.disconnect();
  return { perSecond: delivered / seconds, perCpuSecond: delivered / ((user + system) / 1e6) };
}

/**
 * Runs the fan-out comparison.
 *
 * @example
 * const result = await fanOut({ clients: 20, messages: 20_000, rounds: 5 });
 */
export async function fanOut(options: FanOutOptions): Promise<FanOutResult> {
  const plain = await startPlainServers(1, { broadcast: true });
  // The rate limit would drop a flood; the guard still checks every event, only its ceiling is raised.
  // Room for a round's clients while the last round's are still leaving (the cap counts connections from the handshake).
  const live = await startPlaygroundServer({ maxEventsPerSecond: 1e9, maxSocketsPerSandbox: 2 * options.clients + 1 });
  const ticket = await live.sandbox();
  const counts = { feed: 0, trace: 0 };
  const owner = await connectOwner(live.url, ticket, counts);
  const settings = await owner.emitWithAck("settings", { broadcast: true });
  if (!settings.ok) throw new Error(settings.error);
  const plainTarget = plain.targets[0];
  const liveTarget = live.target(ticket);
  const plainRounds: RoundRate[] = [];
  const playgroundRounds: RoundRate[] = [];
  try {
    await round1(plainTarget, options); // warm-up: JIT, buffers
    await round1(liveTarget, options);
    counts.feed = counts.trace = 0;
    for (let index = 0; index < options.rounds; index++) {
      const plainFirst = index % 2 === 0;
      for (const which of plainFirst ? ["plain", "playground"] : ["playground", "plain"]) {
        if (which === "plain") plainRounds.push(await round1(plainTarget, options));
        else playgroundRounds.push(await round1(liveTarget, options));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // the last feed batch
  } finally {
    owner.disconnect();
    await live.close();
    await plain.close();
  }
  const plainPerSecond = median(plainRounds.map((round) => round.perSecond));
  const playgroundPerSecond = median(playgroundRounds.map((round) => round.perSecond));
  const plainPerCpuSecond = median(plainRounds.map((round) => round.perCpuSecond));
  const playgroundPerCpuSecond = median(playgroundRounds.map((round) => round.perCpuSecond));
  return {
    ...options,
    plainPerSecond: Math.round(plainPerSecond),
    playgroundPerSecond: Math.round(playgroundPerSecond),
    ratio: round(playgroundPerSecond / plainPerSecond, 3),
    pairedRatio: round(median(playgroundRounds.map((each, index) => each.perSecond / plainRounds[index].perSecond)), 3),
    plainRounds: plainRounds.map((round) => Math.round(round.perSecond)),
    playgroundRounds: playgroundRounds.map((round) => Math.round(round.perSecond)),
    ownerFeedLines: counts.feed,
    ownerTraceEntries: counts.trace,
    plainPerCpuSecond: Math.round(plainPerCpuSecond),
    playgroundPerCpuSecond: Math.round(playgroundPerCpuSecond),
    cpuRatio: round(playgroundPerCpuSecond / plainPerCpuSecond, 3),
  };
}
