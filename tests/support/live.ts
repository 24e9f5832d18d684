/** Tiny helpers for server tests: a real live server on port 0, real owners and participants. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { createPlayground, type Playground, type PlaygroundOptions } from "../../server/app.ts";
import type {
  ControlClientToServerEvents,
  ControlServerToClientEvents,
  Delivery,
  FeedEntry,
  SandboxTicket,
  SocketInfo,
} from "../../contract/protocol.ts";

export type Owner = ClientSocket<ControlServerToClientEvents, ControlClientToServerEvents> & {
  feed: FeedEntry[];
  trace: Delivery[];
  sockets: SocketInfo[];
};

export interface Live {
  url: string;
  playground: Playground;
  close(): Promise<void>;
}

const open: ClientSocket[] = [];

/**
 * A real live server (no static page) on 127.0.0.1, port 0.
 *
 * @example
 * const live = await startLive({ maxSandboxes: 2 });
 */
export async function startLive(options: Partial<PlaygroundOptions> = {}): Promise<Live> {
  const httpServer = createServer();
  const playground = createPlayground(httpServer, { options });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    playground,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open.splice(0)) socket.disconnect();
        playground.close();
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

/** `POST /api/sandboxes`, expecting 201. */
export async function createSandbox(url: string): Promise<SandboxTicket> {
  const response = await fetch(`${url}/api/sandboxes`, { method: "POST" });
  if (response.status !== 201) throw new Error(`expected 201, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as SandboxTicket;
}

/** The owner's control connection, recording what it receives; resolves once connected. */
export async function connectOwner(url: string, ticket: SandboxTicket, token = ticket.token): Promise<Owner> {
  const owner = connect(url, { path: "/control/socket.io", forceNew: true, transports: ["websocket"], auth: { sandbox: ticket.id, token } }) as Owner;
  open.push(owner);
  owner.feed = [];
  owner.trace = [];
  owner.sockets = [];
  owner.on("feed", (entries) => owner.feed.push(...entries));
  owner.on("trace", (deliveries) => owner.trace.push(...deliveries));
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
}

/** A participant of the sandbox (not yet awaited: use `once(client, "connect")`). */
export function joinSandbox(url: string, ticket: SandboxTicket, { namespace = "/", as, auth, transports = ["websocket"], forceNew = true }: ClientOptions = {}): ClientSocket {
  const client = connect(`${url}${namespace}`, {
    path: ticket.path,
    forceNew,
    transports,
    auth,
    reconnection: false,
    query: as ? { client: as, key: ticket.clientKey } : {},
  });
  open.push(client);
  return client;
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

/** Polls `check` until it returns a truthy value. */
export async function waitFor<T>(check: () => T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets in-flight packets land, for checks that something did NOT arrive. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
