/** A real Socket.IO server with four real clients (A, B in "lobby"/"vip", C, D in /admin) and a console env over it. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import type { ConsoleEnv } from "../../server/console/console-executor.ts";
import { follow } from "../support/live.ts";

export const clientNames = ["A", "B", "C", "D"] as const;
export type ClientName = (typeof clientNames)[number];

const setups: Record<ClientName, { nsp: string; rooms: string }> = {
  A: { nsp: "/", rooms: "lobby" },
  B: { nsp: "/", rooms: "lobby,vip" },
  C: { nsp: "/", rooms: "" },
  D: { nsp: "/admin", rooms: "" },
};

/** Every call the console made into its env, to prove a refused line ran nothing. */
export interface EnvLedger {
  touched: number;
  traced: { call: string; reached: string[] }[];
}

export interface ConsoleFixture {
  io: Server;
  env: ConsoleEnv;
  ledger: EnvLedger;
  clients: Record<ClientName, ClientSocket>;
  /** What each client received (event name and arguments). */
  received: Record<ClientName, { event: string; args: unknown[] }[]>;
  /** Server-side socket of a client. */
  serverSocket(name: ClientName): Socket;
  /** Names of clients that received `event` since the last `forget()`. */
  receiversOf(event: string): ClientName[];
  forget(): void;
  close(): Promise<void>;
}

/**
 * Starts the server on 127.0.0.1 port 0 and connects the four clients. Clients answer acks with `"<name> ok"`,
 * except for events whose name starts with `silent`.
 *
 * @example
 * const fixture = await startConsoleFixture();
 * await runCommand('io.emit("x")', fixture.env);
 */
export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const http = createServer();
  const io = new Server(http);
  const names = new Map<string, string>();
  const ledger: EnvLedger = { touched: 0, traced: [] };
  let recording: string[] | undefined;
  const onConnection = (socket: Socket) => {
    const name = String(socket.handshake.query.client);
    names.set(socket.id, name);
    const rooms = String(socket.handshake.query.rooms ?? "");
    if (rooms) socket.join(rooms.split(","));
    // Real Socket.IO observation: the adapter calls each reached socket's outgoing listeners synchronously.
    socket.onAnyOutgoing(() => {
      if (recording) recording.push(name);
    });
  };
  io.on("connection", onConnection);
  io.of("/admin").on("connection", onConnection);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const allSockets = (): Socket[] => [...io._nsps.values()].flatMap((nsp) => [...nsp.sockets.values()]);
  const env: ConsoleEnv = {
    get io() {
      ledger.touched++;
      return io;
    },
    socket(name) {
      ledger.touched++;
      return allSockets().find((socket) => names.get(socket.id) === name);
    },
    nameOf(socketId) {
      ledger.touched++;
      return names.get(socketId) ?? socketId;
    },
    traceEmit(call, emit) {
      ledger.touched++;
      const reached: string[] = [];
      recording = reached;
      try {
        emit();
      } finally {
        recording = undefined;
      }
      ledger.traced.push({ call, reached });
      return reached;
    },
    clients() {
      ledger.touched++;
      return allSockets().map((socket) => ({ name: names.get(socket.id) ?? socket.id, socketId: socket.id, nsp: socket.nsp.name }));
    },
  };

  const received = { A: [], B: [], C: [], D: [] } as ConsoleFixture["received"];
  const clients = {} as Record<ClientName, ClientSocket>;
  await Promise.all(
    clientNames.map((name) => {
      const { nsp, rooms } = setups[name];
      const client = connect(url + nsp, { forceNew: true, transports: ["websocket"], query: { client: name, rooms } });
      clients[name] = client;
      client.onAny((event: string, ...args: unknown[]) => {
        const ack = args.at(-1);
        if (typeof ack === "function" && !event.startsWith("silent")) ack(`${name} ok`);
        received[name].push({ event, args: args.filter((arg) => typeof arg !== "function") });
      });
      follow(client, nsp, () => allSockets().find((socket) => names.get(socket.id) === name)); // for the kit's settle()
      return new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        client.once("connect_error", reject);
      });
    }),
  );

  return {
    io,
    env,
    ledger,
    clients,
    received,
    serverSocket(name) {
      const socket = allSockets().find((candidate) => names.get(candidate.id) === name);
      if (!socket) throw new Error(`Client ${name} is not connected to the fixture server.`);
      return socket;
    },
    receiversOf(event) {
      return clientNames.filter((name) => received[name].some((entry) => entry.event === event));
    },
    forget() {
      for (const name of clientNames) received[name].length = 0;
      ledger.traced.length = 0;
    },
    async close() {
      for (const name of clientNames) clients[name].disconnect();
      await io.close();
    },
  };
}
