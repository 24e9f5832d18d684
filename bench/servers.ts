/** The two servers the benchmark compares: plain Socket.IO running a lesson program, and the playground. */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server as EngineServer } from "engine.io";
import { Server } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { createPlayground, type Playground, type PlaygroundOptions } from "../server/app.ts";
import { programs } from "../server/programs/index.ts";
import type { LessonServer, ProgramConsole } from "../server/programs/program.ts";
import { clientName } from "../contract/client-names.ts";
import type { ControlClientToServerEvents, ControlServerToClientEvents, SandboxSettings, SandboxTicket } from "../contract/protocol.ts";

/** A console that drops its lines, as `node index.js > /dev/null` would, without even formatting them. */
const silent: ProgramConsole = { log() {}, info() {}, warn() {}, error() {} };

/**
 * Listens on 127.0.0.1, port 0, and gives the origin.
 *
 * @example
 * const url = await listen(createServer()); // "http://127.0.0.1:40123"
 */
export async function listen(server: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeHttp(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Where clients connect: origin, Socket.IO path and the query they carry. */
export interface Target {
  url: string;
  path: string;
  query: (index: number) => Record<string, string>;
}

export interface PlainServers {
  targets: Target[];
  close(): Promise<void>;
}

/**
 * `count` plain Socket.IO servers, each running the chat program with the same settings a sandbox has,
 * behind one HTTP server that routes `/plain/<n>/socket.io` to server n (as the playground routes sandboxes).
 *
 * @example
 * const plain = await startPlainServers(1, { broadcast: true });
 */
export async function startPlainServers(count: number, settings: Pick<SandboxSettings, "broadcast">): Promise<PlainServers> {
  const http = createServer();
  const engines: EngineServer[] = [];
  const servers: Server[] = [];
  for (let index = 0; index < count; index++) {
    const engine = new EngineServer({ maxHttpBufferSize: 1e6 });
    const io = new Server({ serveClient: false });
    io.bind(engine as never);
    programs.chat.run(io as LessonServer, { console: silent, settings });
    engines.push(engine);
    servers.push(io);
  }
  const route = (url = "") => engines[Number(/^\/plain\/(\d+)\/socket\.io\//.exec(url)?.[1] ?? -1)];
  http.on("request", (req, res) => {
    const engine = route(req.url);
    if (engine) engine.handleRequest(req as never, res);
    else res.writeHead(404).end();
  });
  http.on("upgrade", (req, socket, head) => {
    const engine = route(req.url);
    if (engine) engine.handleUpgrade(req as never, socket, head);
    else socket.destroy();
  });
  const url = await listen(http);
  return {
    targets: servers.map((_, index) => ({ url, path: `/plain/${index}/socket.io`, query: () => ({}) })),
    async close() {
      await Promise.all(servers.map((io) => io.close()));
      await closeHttp(http);
    },
  };
}

export type Owner = ClientSocket<ControlServerToClientEvents, ControlClientToServerEvents>;

export interface PlaygroundServer {
  url: string;
  playground: Playground;
  /** Creates a sandbox the way the page does: `POST /api/sandboxes`. */
  sandbox(): Promise<SandboxTicket>;
  /** Where the owner's simulated clients A, B, … connect in a sandbox. */
  target(ticket: SandboxTicket): Target;
  close(): Promise<void>;
}

/** The playground's live server on its own HTTP server. */
export async function startPlaygroundServer(options: Partial<PlaygroundOptions>): Promise<PlaygroundServer> {
  const http = createServer();
  // One address creates every sandbox here: the per-client creation quota would stop it at 50 (also when `options`
  // are a full set resolved from the environment, as the flood part passes).
  const playground = createPlayground(http, { options: { ...options, createQuota: 0 } });
  http.on("request", playground.answer);
  const url = await listen(http);
  return {
    url,
    playground,
    async sandbox() {
      const response = await fetch(`${url}/api/sandboxes`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      if (response.status !== 201) throw new Error(`POST /api/sandboxes answered ${response.status}: ${await response.text()}`);
      const ticket = (await response.json()) as SandboxTicket;
      // Node keeps a timing entry of each fetch (up to 250): the harness's, not the server's memory.
      performance.clearResourceTimings();
      return ticket;
    },
    target(ticket) {
      return {
        url,
        path: ticket.path,
        // A method: under tsx's keepNames an arrow property would hold a 256-byte `name` dictionary per sandbox, counted in the playground's heap.
        query(index) {
          return { client: clientName(index), key: ticket.clientKey };
        },
      };
    },
    async close() {
      playground.close();
      await closeHttp(http);
    },
  };
}

/**
 * The sandbox's owner, as the page's control socket: it listens to the feed and the trace.
 *
 * @example
 * const owner = await connectOwner(url, ticket, counts);
 */
export async function connectOwner(url: string, ticket: SandboxTicket, counts: { feed: number; trace: number }): Promise<Owner> {
  const owner: Owner = connect(url, { path: "/control/socket.io", forceNew: true, transports: ["websocket"], auth: { sandbox: ticket.id, token: ticket.token } });
  owner.on("stream", (entries, deliveries) => {
    counts.feed += entries.length;
    counts.trace += deliveries.length;
  });
  await new Promise<void>((resolve, reject) => {
    owner.once("connect", resolve);
    owner.once("connect_error", reject);
  });
  return owner;
}
