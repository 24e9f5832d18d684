/** Who is who in one sandbox: "A", "B"… and "External N" per connection, found by name or id, listed for the owner. */
import type { Socket as Connection } from "engine.io";
import type { Namespace, Socket } from "socket.io";
import type { AckResult, SocketInfo } from "../../contract/protocol.ts";
import { isClientName } from "../../contract/client-names.ts";
import { adminNamespace } from "../admin/admin-access.ts";

/**
 * The connected sockets of a sandbox's server over every namespace it tracks, and the name of each.
 * A name belongs to the Engine.IO connection, so one client keeps it in every namespace it joins.
 *
 * @example
 * const directory = new SocketDirectory(clientKey);
 * directory.follow(io); // every namespace of this server, dynamic children included, as long as each exists
 * io.on("connection", (socket) => directory.nameOf(socket)); // "A" for the owner's client A, "External 1" for a stranger
 */
export class SocketDirectory {
  #clientKey: string;
  #names = new WeakMap<object, string>();
  #externals = 0;
  #servers: Array<{ _nsps: Map<string, Namespace> }> = [];
  /** In a multi-node sandbox: the node (1-based) a socket is connected to. */
  nodeOf: ((socket: Socket) => number | undefined) | undefined;

  /** `clientKey` is the sandbox's secret that marks the owner's simulated clients. */
  constructor(clientKey: string) {
    this.#clientKey = clientKey;
  }

  /**
   * Lists the sockets of `server`'s namespaces from now on (a new server replaces the last one; names already
   * given stay with their connections). Its own map of namespaces, so one Socket.IO removes (an empty child,
   * `cleanupEmptyChildNamespaces`) is forgotten here too.
   */
  follow(server: { _nsps: Map<string, Namespace> }): void {
    this.#servers = [server];
  }

  /** Lists `server`'s sockets too, beside the one it follows: another node of a multi-node sandbox. */
  alsoFollow(server: { _nsps: Map<string, Namespace> }): void {
    this.#servers.push(server);
  }

  /** How many sockets are connected now, over all namespaces. */
  get count(): number {
    let count = 0;
    for (const nsp of this.#namespaces()) count += nsp.sockets.size;
    return count;
  }

  /** "A", "B"… for the owner's simulated clients, "External 1"… for anyone else, per connection. */
  nameOf(socket: Socket): string {
    return this.nameOfConnection(socket.conn);
  }

  /** The name of an Engine.IO connection, before or after it joins a namespace. */
  nameOfConnection(conn: Connection): string {
    let name = this.#names.get(conn);
    if (name === undefined) {
      const { client, key } = handshakeQuery(conn);
      name = key === this.#clientKey && isClientName(client) ? client : `External ${++this.#externals}`;
      this.#names.set(conn, name);
    }
    return name;
  }

  /** True when the socket's query carries the sandbox's client key and a client name. */
  isSimulated(socket: Socket): boolean {
    const { client, key } = handshakeQuery(socket.conn);
    return key === this.#clientKey && isClientName(client);
  }

  /** The first connected socket with this name ("A", "External 1"), in any namespace. */
  byName(name: string): Socket | undefined {
    for (const socket of this.#sockets()) if (this.nameOf(socket) === name) return socket;
    return undefined;
  }

  /** The connected socket with this id, in any namespace. */
  byId(socketId: string): Socket | undefined {
    for (const nsp of this.#namespaces()) {
      const socket = nsp.sockets.get(socketId);
      if (socket) return socket;
    }
    return undefined;
  }

  /** Every socket with its name, namespace and rooms, as the server sees them. */
  list(): SocketInfo[] {
    return [...this.#sockets()].map((socket) => {
      const node = this.nodeOf?.(socket);
      return {
        socketId: socket.id,
        client: this.nameOf(socket),
        nsp: socket.nsp.name,
        rooms: [...socket.rooms],
        simulated: this.isSimulated(socket),
        ...(node === undefined ? {} : { node }),
      };
    });
  }

  /** The rooms of one socket, own-id room included. */
  rooms(socketId: string): AckResult<string[]> {
    const socket = this.byId(socketId);
    if (socket) return { ok: true, data: [...socket.rooms] };
    return { ok: false, error: `No socket with id ${socketId} in this sandbox; it may have disconnected.` };
  }

  /** Every namespace of the servers it follows, but the Admin UI's: its sockets are no clients of the lesson. */
  *#namespaces(): Generator<Namespace> {
    for (const server of this.#servers) {
      for (const nsp of server._nsps.values()) if (nsp.name !== adminNamespace) yield nsp;
    }
  }

  *#sockets(): Generator<Socket> {
    for (const nsp of this.#namespaces()) yield* nsp.sockets.values();
  }
}

/** `client` and `key` of the connection's first request (the handshake), as Socket.IO's `handshake.query` has them. */
function handshakeQuery(conn: Connection): { client: string | undefined; key: string | undefined } {
  // Read as Engine.IO reads it (objectFromEntries: the last of repeated names wins).
  const query = Object.fromEntries(new URL(conn.request.url ?? "/", "http://x").searchParams.entries());
  return { client: query.client, key: query.key };
}
