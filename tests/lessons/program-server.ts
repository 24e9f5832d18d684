/** A real Socket.IO server on 127.0.0.1, port 0, optionally running one lesson program, with real clients that record what they get. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { format } from "node:util";
import { Server } from "socket.io";
import { io as connect, type Socket as ClientSocket, type ManagerOptions, type SocketOptions } from "socket.io-client";
import { programs } from "../../server/programs/index.ts";
import type { LessonServer, ProgramConsole } from "../../server/programs/program.ts";
import type { ProgramName } from "../../contract/protocol.ts";

/** A client that keeps every event it received, in order, as `[event, ...args]`. */
export type RecordingClient = ClientSocket & { got: unknown[][] };

export interface ProgramServer {
  url: string;
  io: LessonServer;
  /** What the program printed with `console.*`, one formatted line each. */
  logs: string[];
  /** The live settings the program reads. */
  settings: { broadcast: boolean };
  /** Opens a client (forceNew, websocket, no reconnection) that records what it receives; resolves once connected. */
  client(namespace?: string, options?: Partial<ManagerOptions & SocketOptions>): Promise<RecordingClient>;
  /** Like `client`, but does not wait for the connection. */
  open(namespace?: string, options?: Partial<ManagerOptions & SocketOptions>): RecordingClient;
  close(): Promise<void>;
}

/**
 * Starts a real server; with a program name, runs that lesson program on it as the sandbox does.
 *
 * @example
 * const server = await startProgram("chat");
 * const a = await server.client();
 */
export async function startProgram(name?: ProgramName, broadcast = false): Promise<ProgramServer> {
  const httpServer = createServer();
  const io = new Server(httpServer) as LessonServer;
  const logs: string[] = [];
  const print = (...args: unknown[]) => void logs.push(format(...args));
  const console: ProgramConsole = { log: print, info: print, warn: print, error: print };
  const settings = { broadcast };
  if (name) programs[name].run(io, { console, settings });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];

  const open = (namespace = "/", options: Partial<ManagerOptions & SocketOptions> = {}): RecordingClient => {
    const client = connect(url + namespace, { forceNew: true, transports: ["websocket"], reconnection: false, ...options }) as RecordingClient;
    client.got = [];
    client.onAny((event: string, ...args: unknown[]) => client.got.push([event, ...args]));
    clients.push(client);
    return client;
  };

  return {
    url,
    io,
    logs,
    settings,
    open,
    async client(namespace, options) {
      const client = open(namespace, options);
      await new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        client.once("connect_error", (error) => reject(error));
      });
      return client;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.disconnect();
        io.close();
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

/** Resolves with the arguments of the next `event`, or rejects after `timeoutMs`. */
export function next(client: ClientSocket, event: string, timeoutMs = 3000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), timeoutMs);
    client.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Polls until `check` is true. */
export async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets in-flight packets land, before checking that something did NOT arrive. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The events a client received with this name, as argument lists. */
export function gotEvents(client: RecordingClient, event: string): unknown[][] {
  return client.got.filter(([name]) => name === event).map(([, ...args]) => args);
}
