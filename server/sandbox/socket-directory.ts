/** Who is who in one sandbox: "A", "B"… and "External N" per connection, found by name or id, listed for the owner. */
import type { Namespace, Socket } from "socket.io";
import type { AckResult, SocketInfo } from "../../contract/protocol.ts";
import { isClientName } from "../../contract/client-names.ts";

/**
 * The connected sockets of a sandbox's server over every namespace it tracks, and the name of each.
 * A name belongs to the Engine.IO connection, so one client keeps it in every namespace it joins.
 *
 * @example
 * const directory = new SocketDirectory(clientKey);
 * directory.track(io.of("/"));
 * io.on("connection", (socket) => directory.nameOf(socket)); // "A" for the owner's client A, "External 1" for a stranger
 */
export class SocketDirectory {
  #clientKey: string;
  #names = new WeakMap<object, string>();
  #externals = 0;
  #namespaces = new Set<Namespace>();
  /** In a multi-node sandbox: the node (1-based) a socket is connected to. */
  nodeOf: ((socket: Socket) => number | undefined) | undefined;

  /** `clientKey` is the sandbox's secret that marks the owner's simulated clients. */
  constructor(clientKey: string) {
    this.#clientKey = clientKey;
  }

  /** Lists the sockets of `nsp` from now on; call it for every namespace, dynamic children included. */
  track(nsp: Namespace): void {
    this.#namespaces.add(nsp);
  }

  /** Forgets every namespace (the server was replaced); names already given stay with their connections. */
  forgetNamespaces(): void {
    this.#namespaces = new Set();
  }

  /** How many sockets are connected now, over all tracked namespaces. */
  get count(): number {
    let count = 0;
    for (const nsp of this.#namespaces) count += nsp.sockets.size;
    return count;
  }

  /** "A", "B"… for the owner's simulated clients, "External 1"… for anyone else, per connection. */
  nameOf(socket: Socket): string {
    let name = this.#names.get(socket.conn);
    if (name === undefined) {
      name = this.isSimulated(socket) ? String(socket.handshake.query.client) : `External ${++this.#externals}`;
      this.#names.set(socket.conn, name);
    }
    return name;
  }

  /** True when the socket's query carries the sandbox's client key and a client name. */
  isSimulated(socket: Socket): boolean {
    const { client, key } = socket.handshake.query;
    return key === this.#clientKey && isClientName(client);
  }

  /** The first connected socket with this name ("A", "External 1"), in any namespace. */
  byName(name: string): Socket | undefined {
    for (const socket of this.#sockets()) if (this.nameOf(socket) === name) return socket;
    return undefined;
  }

  /** The connected socket with this id, in any namespace. */
  byId(socketId: string): Socket | undefined {
    for (const nsp of this.#namespaces) {
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

  *#sockets(): Generator<Socket> {
    for (const nsp of this.#namespaces) yield* nsp.sockets.values();
  }
}
