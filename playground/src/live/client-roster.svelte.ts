/** The page's simulated clients A, B, C…: created from a step's setup, added and removed by the learner. */
import type { SandboxTicket } from "../../../contract/protocol.ts";
import type { ClientSetup } from "../../../contract/lesson-types.ts";
import { clientName, maxClients } from "../../../contract/client-names.ts";
import { SimulatedClient } from "./simulated-client.svelte.ts";

export { clientName, maxClients };

/**
 * The list of client cards, in order of creation.
 *
 * @example
 * const roster = new ClientRoster();
 * roster.apply(ticket, [{}, {}, { namespace: "/admin", auth: "let-me-in" }], roomsOf);
 * roster.add(ticket);
 */
export class ClientRoster {
  clients = $state.raw<SimulatedClient[]>([]);
  #created = 0;
  /** The sandbox the cards are connected to; a new one (the old one was lost) means new connections. */
  #sandboxId: string | undefined;

  get canAdd(): boolean {
    return this.clients.length < maxClients;
  }

  /**
   * Makes the cards match a step: client i is named by letter i. A card already on the right namespace with
   * the right token is kept, and its rooms are set to the step's (`roomsOf` tells what the server has);
   * `fresh` replaces every card, as after a program switch, which restarts the server, and so does a ticket for
   * another sandbox than the cards', as after the server lost the old one.
   */
  apply(ticket: SandboxTicket, setups: ClientSetup[], roomsOf: (socketId: string) => string[], fresh = false): void {
    if (ticket.id !== this.#sandboxId) fresh = true;
    this.#sandboxId = ticket.id;
    const next = setups.map((setup, index) => {
      const name = clientName(index);
      const namespace = setup.namespace ?? "/";
      const auth = setup.auth ?? "";
      const existing = fresh ? undefined : this.clients.find((client) => client.name === name);
      if (existing && existing.namespace === namespace && existing.auth === auth) {
        if (existing.status === "disconnected") existing.connect();
        return existing;
      }
      return new SimulatedClient({ name, origin: location.origin, ticket, namespace, auth });
    });
    for (const client of this.clients) if (!next.includes(client)) client.dispose();
    this.clients = next;
    this.#created = next.length;
    setups.forEach((setup, index) => void settleRooms(next[index], setup.rooms ?? [], roomsOf));
  }

  /** Adds one client named after the last one created; returns it, or undefined at the cap. */
  add(ticket: SandboxTicket, namespace = "/"): SimulatedClient | undefined {
    if (!this.canAdd) return undefined;
    this.#sandboxId ??= ticket.id;
    const client = new SimulatedClient({ name: clientName(this.#created++), origin: location.origin, ticket, namespace });
    this.clients = [...this.clients, client];
    return client;
  }

  remove(client: SimulatedClient): void {
    client.dispose();
    this.clients = this.clients.filter((other) => other !== client);
  }

  dispose(): void {
    for (const client of this.clients) client.dispose();
    this.clients = [];
  }
}

/**
 * Once connected, joins the step's rooms and leaves the others (the own-id room stays). After a server restart a
 * client may take a few seconds of socket.io-client's reconnection back-off to return, hence the long wait.
 */
async function settleRooms(client: SimulatedClient, wanted: string[], roomsOf: (socketId: string) => string[]): Promise<void> {
  for (let tries = 0; tries < 150 && client.status !== "connected"; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const socketId = client.socketId;
  if (!socketId) return;
  for (const room of roomsOf(socketId)) {
    if (room !== socketId && !wanted.includes(room)) await client.requestRoom("leave", room);
  }
  for (const room of wanted) await client.requestRoom("join", room);
}
