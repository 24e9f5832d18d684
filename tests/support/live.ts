/**
 * The one test kit: a real live server on 127.0.0.1 port 0, real owners and participants, sandboxes set up as a
 * lesson step sets them up, and waiting without sleeping (`settle` is a flush round trip, `waitFor` is vitest's).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket as ServerSocket } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { vi } from "vitest";
import { createPlayground, type Playground, type PlaygroundOptions } from "../../server/app.ts";
import { clientName } from "../../contract/client-names.ts";
import type { ClientSetup } from "../../contract/lesson-types.ts";
import type {
  AckResult,
  ConsoleReply,
  ControlClientToServerEvents,
  ControlServerToClientEvents,
  Delivery,
  FeedEntry,
  ProgramName,
  SandboxSettings,
  SandboxState,
  SandboxTicket,
  SocketInfo,
} from "../../contract/protocol.ts";
import { controlOptions } from "../../contract/control-connection.ts";

export type Owner = ClientSocket<ControlServerToClientEvents, ControlClientToServerEvents> & {
  feed: FeedEntry[];
  trace: Delivery[];
  sockets: SocketInfo[];
};

/** A participant that keeps every event it received, in order, as `[event, ...args]`. */
export type RecordingClient = ClientSocket & { got: unknown[][] };

export interface Live {
  url: string;
  playground: Playground;
  close(): Promise<void>;
}

/** Every connection the kit opened, closed with the server that started it. */
const open: ClientSocket[] = [];
/** Playgrounds by URL, so `settle` can reach the server side of a connection. */
const playgrounds = new Map<string, Playground>();
/** Participants: their namespace and how to find their server-side socket. */
const participants = new Map<ClientSocket, { namespace: string; serverSide: () => ServerSocket | undefined }>();
/** Owners and the sandbox whose stream they receive. */
const owners = new Map<Owner, () => { backlog(): unknown; codeSettled(): Promise<void> } | undefined>();
/** The live server this test file started last: `sandboxWith`'s default. */
let current: Live | undefined;

/**
 * A real live server (no static page) on 127.0.0.1, port 0.
 *
 * @example
 * const live = await startLive({ maxSandboxes: 2 });
 */
export async function startLive(options: Partial<PlaygroundOptions> = {}): Promise<Live> {
  const httpServer = createServer();
  const playground = createPlayground(httpServer, { options });
  httpServer.on("request", playground.answer);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const live: Live = {
    url,
    playground,
    close: () =>
      new Promise<void>((resolve) => {
        unfollowServer(url);
        if (current === live) current = undefined;
        playground.close();
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
  followServer(url, playground);
  current = live;
  return live;
}

/** Lets `settle` reach the sandboxes of a playground the kit did not start (the production server's). */
export function followServer(url: string, playground: Playground): void {
  playgrounds.set(url, playground);
}

/** Before a server closes: disconnects every connection the kit opened and stops following the server. */
export function unfollowServer(url: string): void {
  playgrounds.delete(url);
  for (const socket of open.splice(0)) socket.disconnect();
  participants.clear();
  owners.clear();
}

/** `POST /api/sandboxes` as the page sends it (JSON, so a browser would preflight it), expecting 201. */
export async function createSandbox(url: string): Promise<SandboxTicket> {
  const response = await fetch(`${url}/api/sandboxes`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  if (response.status !== 201) throw new Error(`expected 201, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as SandboxTicket;
}

/**
 * The owner's control connection as the page opens it (`controlOptions`: the id in the query for a load balancer,
 * the token in auth), recording what it receives; resolves once connected. WebSocket only unless `transports` says.
 */
export async function connectOwner(
  url: string,
  ticket: SandboxTicket,
  token = ticket.token,
  { transports = ["websocket"] }: { transports?: ("polling" | "websocket")[] } = {},
): Promise<Owner> {
  const owner = connect(url, { ...controlOptions(ticket, token), forceNew: true, transports }) as Owner;
  open.push(owner);
  owners.set(owner, () => playgrounds.get(url)?.registry.get(ticket.id));
  owner.feed = [];
  owner.trace = [];
  owner.sockets = [];
  owner.on("stream", (entries, deliveries) => {
    owner.feed.push(...entries);
    owner.trace.push(...deliveries);
  });
  owner.on("sockets", (list) => (owner.sockets = list));
  await once(owner, "connect");
  return owner;
}

export interface ClientOptions {
  namespace?: string;
  /** Name as a simulated client ("A"); omit to join as an external participant. */
  as?: string;
  auth?: Record<string, unknown>;
  transports?: ("polling" | "websocket")[];
  forceNew?: boolean;
  /** Socket.IO's own reconnection (off unless asked for). */
  reconnection?: boolean;
  reconnectionDelay?: number;
}

/** A participant of the sandbox that records what it receives (not yet awaited: use `once(client, "connect")`). */
export function joinSandbox(
  url: string,
  ticket: SandboxTicket,
  { namespace = "/", as, auth, transports = ["websocket"], forceNew = true, reconnection = false, reconnectionDelay }: ClientOptions = {},
): RecordingClient {
  const client = connect(`${url}${namespace}`, {
    path: ticket.path,
    forceNew,
    transports,
    auth,
    reconnection,
    reconnectionDelay,
    reconnectionDelayMax: reconnectionDelay,
    query: as ? { client: as, key: ticket.clientKey } : {},
  }) as RecordingClient;
  client.got = [];
  client.onAny((event: string, ...args: unknown[]) => client.got.push([event, ...args]));
  open.push(client);
  follow(client, namespace, () => {
    const sandbox = playgrounds.get(url)?.registry.get(ticket.id);
    // `_nsps`, not `of()`: looking must not create a namespace
    return client.id === undefined ? undefined : sandbox?.io._nsps.get(namespace)?.sockets.get(client.id);
  });
  return client;
}

/** Lets `settle` flush a connection the kit did not open, given its namespace and how to find its server-side socket. */
export function follow(client: ClientSocket, namespace: string, serverSide: () => ServerSocket | undefined): void {
  participants.set(client, { namespace, serverSide });
}

/**
 * Resolves once `client` connects (with undefined) or is refused (with its `connect_error`), whichever comes first.
 *
 * @example
 * const refusal = await connection(joinSandbox(url, ticket, { namespace: "/admin" })); // Error: Not authorized…
 */
export function connection(client: ClientSocket, timeoutMs = 5000): Promise<Error | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for connect or connect_error")), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off("connect", onConnect).off("connect_error", done);
      resolve(error);
    };
    const onConnect = () => done();
    client.once("connect", onConnect).once("connect_error", done);
  });
}

/** Resolves with the arguments of the next `event` on `emitter`. */
export function once(emitter: { once(event: string, listener: (...args: any[]) => void): unknown }, event: string, timeoutMs = 5000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), timeoutMs);
    emitter.once(event, (...args: any[]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/**
 * Waits until `check` returns a truthy value, and returns it (vitest's `vi.waitFor`, with a message saying what for).
 *
 * @example
 * const delivery = await waitFor(() => owner.trace.find((entry) => entry.event === "news"), "the news delivery");
 */
export function waitFor<T>(check: () => T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  return vi.waitFor(
    () => {
      const value = check();
      if (!value) throw new Error(`timed out waiting for ${what}`);
      return value as NonNullable<T>;
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

/** The events `client` received with this name, as argument lists. */
export function gotEvents(client: RecordingClient, event: string): unknown[][] {
  return client.got.filter(([name]) => name === event).map(([, ...args]) => args);
}

/**
 * The seed of a test's randomness: `TEST_SEED` when set, a fresh one otherwise; printed either way, so a failing
 * run can be replayed with `TEST_SEED=<seed> npx vitest run <file>`.
 *
 * @example
 * fc.configureGlobal({ seed: testSeed("console properties") });
 */
export function testSeed(what: string): number {
  const fromEnv = process.env.TEST_SEED;
  const seed = fromEnv === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(fromEnv);
  if (!Number.isInteger(seed)) throw new Error(`TEST_SEED=${fromEnv} is not a whole number.`);
  console.info(`${what}: seed ${seed} (replay with TEST_SEED=${seed})`);
  return seed;
}

/**
 * Numbers in [0, 1) from a seed (mulberry32): the same seed, the same sequence.
 *
 * @example
 * const random = seededRandom(testSeed("rounds"));
 * random(); // 0.6270739405881613 for seed 1
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const probeNamespace = "/__settle__";
type Link = { client: ClientSocket; namespace: string; server: ServerSocket };
let probes = 0;

/**
 * Proves that every packet in flight has landed, for checks that something did NOT arrive. A flush round trip,
 * never a sleep: (1) each participant sends a stray ack packet, which the server reads only after everything the
 * participant sent before it, so every handler those events trigger has run (learner code's, in its engine thread,
 * once the sandbox says its code has settled); (2) the server then writes each
 * participant a packet for a namespace nobody joined, which arrives only after everything sent before it;
 * (3) each sandbox sends its owners the feed and trace it was batching, and an owner round trip proves they
 * arrived. None of it reaches a program, the feed or the trace.
 *
 * @example
 * a.emit("chat message", "hi");
 * await once(b, "chat message");
 * await settle();
 * expect(gotEvents(a, "chat message")).toEqual([]);
 */
export async function settle(): Promise<void> {
  const links = [...participants]
    .filter(([client]) => client.connected)
    .map(([client, { namespace, serverSide }]) => ({ client, namespace, server: serverSide() }))
    .filter((link): link is Link => link.server !== undefined);
  const byConnection = [...new Map(links.map((link) => [link.server.conn, link])).values()];
  await Promise.all(byConnection.map(inbound));
  // Learner code handles what was read in its engine thread, later; twice, for the calls those calls caused.
  for (let round = 0; round < 2; round++) {
    await Promise.all([...owners].map(([, sandbox]) => sandbox()?.codeSettled()));
  }
  await Promise.all(byConnection.map(outbound));
  await new Promise((resolve) => setImmediate(resolve)); // the sandbox's socket list goes out on the next turn
  await Promise.all(
    [...owners]
      .filter(([owner]) => owner.connected)
      .map(async ([owner, sandbox]) => {
        sandbox()?.backlog(); // sends the batch it holds for its 16 ms timer
        await owner.timeout(5000).emitWithAck("rooms", "");
      }),
  );
}

/** Resolves once the server has read a stray ack packet `client` sent after everything before it. */
function inbound({ client, namespace, server }: Link): Promise<void> {
  const id = 2 ** 31 + ++probes; // no ack the server waits for has this id: Socket.IO ignores it
  const packet = `3${namespace === "/" ? "" : `${namespace},`}${id}[]`;
  return probe(client, `the server to read ${packet}`, (done) => {
    const onPacket = ({ type, data }: { type: string; data?: unknown }) => type === "message" && data === packet && done();
    server.conn.on("packet", onPacket);
    client.io.engine.write(packet);
    return () => server.conn.off("packet", onPacket);
  });
}

/** Resolves once `client` got a packet the server wrote after everything it had sent it before. */
function outbound({ client, server }: Link): Promise<void> {
  const marker = `settle-${++probes}`;
  return probe(client, `${marker} to reach ${client.id}`, (done) => {
    const onPacket = ({ nsp, data }: { nsp: string; data?: unknown }) => nsp === probeNamespace && Array.isArray(data) && data[1] === marker && done();
    client.io.on("packet", onPacket);
    server.conn.write(`2${probeNamespace},${JSON.stringify(["settle", marker])}`);
    return () => client.io.off("packet", onPacket);
  });
}

/** Runs `start` until it calls `done`; a client that disconnects meanwhile has nothing left in flight. */
function probe(client: ClientSocket, what: string, start: (done: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`settle: timed out waiting for ${what}`)), 5000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      stop();
      client.off("disconnect", onDisconnect);
      if (error) reject(error);
      else resolve();
    };
    const onDisconnect = () => finish();
    client.on("disconnect", onDisconnect);
    const stop = start(() => finish());
  });
}

export interface SandboxSetup {
  /** Simulated clients A, B, …: a count, or one `{ namespace, auth, rooms }` each, as a lesson step's `clients`. */
  clients?: number | ClientSetup[];
  /** The broadcast flag (default off). */
  broadcast?: boolean;
  /** Other settings set before the clients join (the scaling lesson's `adapter`, `sticky`). */
  settings?: Partial<SandboxSettings>;
  /** The live server to use (default: the one this test file started last). */
  live?: Live;
}

export interface SandboxBox {
  live: Live;
  ticket: SandboxTicket;
  owner: Owner;
  /** The simulated clients by name; a client the program refused (a middleware's `connect_error`) is there, not connected. */
  clients: Record<string, RecordingClient>;
  /** The `connect_error` message of each refused client, by name. */
  refused: Record<string, string>;
  /** The sandbox's real Socket.IO server (a program switch replaces it: read it again after one). */
  readonly io: NonNullable<ReturnType<Playground["registry"]["get"]>>["io"];
  /** What the program printed with `console.*`, one line each, as its owner received them (`settle()` first). */
  readonly logs: string[];
  /** Changes the program or the broadcast flag through the owner's control channel. */
  settings(patch: Partial<SandboxSettings>): Promise<SandboxState>;
  /** Runs a console line through the owner's control channel. */
  command(line: string): Promise<AckResult<ConsoleReply>>;
  /** Another participant: simulated with `as`, external without; resolves once connected. */
  join(options?: ClientOptions): Promise<RecordingClient>;
  /** Like `join`, without waiting for the connection. */
  open(options?: ClientOptions): RecordingClient;
}

/**
 * A fresh sandbox running `program`, with the simulated clients of `setup` connected (or refused, where the
 * program refuses them) and in their rooms, and its owner listening.
 *
 * @example
 * const box = await sandboxWith("rooms", { clients: [{ rooms: ["lobby"] }, {}] });
 * box.clients.A.emit("chat message", "hi", "lobby");
 */
export async function sandboxWith(program: ProgramName, { clients = 0, broadcast = false, settings = {}, live = current }: SandboxSetup = {}): Promise<SandboxBox> {
  if (!live) throw new Error("sandboxWith needs a live server: start one with startLive() in beforeAll.");
  const { url, playground } = live;
  const ticket = await createSandbox(url);
  const owner = await connectOwner(url, ticket);
  const ack = await owner.timeout(5000).emitWithAck("settings", { ...settings, program, broadcast });
  if (!ack.ok) throw new Error(`sandboxWith: ${ack.error}`);
  const setups: ClientSetup[] = typeof clients === "number" ? Array.from({ length: clients }, () => ({})) : clients;
  const open = (options: ClientOptions = {}) => joinSandbox(url, ticket, options);
  const byName: Record<string, RecordingClient> = {};
  const refused: Record<string, string> = {};
  let expectedRooms = 0;
  for (const [index, { namespace, auth, rooms = [] }] of setups.entries()) {
    const name = clientName(index);
    const client = open({ as: name, namespace, auth: auth === undefined ? undefined : { token: auth } });
    byName[name] = client;
    const refusal = await connection(client);
    if (refusal) {
      refused[name] = refusal.message;
      continue;
    }
    for (const room of rooms) {
      const joined = (await client.timeout(5000).emitWithAck("join", room)) as AckResult<string[]>;
      if (!joined.ok) throw new Error(`sandboxWith: ${name} could not join ${room}: ${joined.error}`);
    }
    expectedRooms += 1 + rooms.length;
  }
  const roomCount = () => owner.sockets.reduce((count, socket) => count + socket.rooms.length, 0);
  await waitFor(() => roomCount() === expectedRooms, "every client and its rooms in the owner's socket list");
  const sandbox = () => {
    const found = playground.registry.get(ticket.id);
    if (!found) throw new Error(`Sandbox ${ticket.id} is gone.`);
    return found;
  };
  return {
    live,
    ticket,
    owner,
    clients: byName,
    refused,
    get io() {
      return sandbox().io;
    },
    get logs() {
      return owner.feed.filter((entry) => entry.kind === "program").map((entry) => entry.text);
    },
    async settings(patch) {
      const reply = await owner.timeout(5000).emitWithAck("settings", patch);
      if (!reply.ok) throw new Error(`settings: ${reply.error}`);
      return reply.data;
    },
    command: (line) => owner.timeout(5000).emitWithAck("command", line),
    async join(options) {
      const client = open(options);
      await once(client, "connect");
      return client;
    },
    open,
  };
}
