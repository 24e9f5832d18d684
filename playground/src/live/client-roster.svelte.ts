/** The page's simulated clients A, B, C…: created from a step's setup, added and removed by the learner. */
import type { SandboxTicket } from "../../../contract/protocol.ts";
import type { ClientSetup } from "../../../contract/lesson-types.ts";
import { clientName, maxClients } from "../../../contract/client-names.ts";
import { SimulatedClient, type SimulatedClientOptions } from "./simulated-client.svelte.ts";

export { clientName, maxClients };

/**
 * The list of client cards, in order of creation.
 *
 * @example
 * const roster = new ClientRoster((client, direction, packet, nsp) => timeline.frame(client.name, direction, packet, nsp));
 * roster.apply(ticket, [{}, {}, { namespace: "/admin", auth: "let-me-in" }]);
 * roster.add(ticket);
 */
export class ClientRoster {
  clients = $state.raw<SimulatedClient[]>([]);
  #created = 0;
  /** The sandbox the cards are connected to; a new one (the old one was lost) means new connections. */
  #sandboxId: string | undefined;
  #onFrame: SimulatedClientOptions["onFrame"];
  #onNote: SimulatedClientOptions["onNote"];
  /** The cards take the delivery lesson's client options. */
  #delivery: boolean;

  constructor(onFrame?: SimulatedClientOptions["onFrame"], onNote?: SimulatedClientOptions["onNote"], { delivery = false }: { delivery?: boolean } = {}) {
    this.#onFrame = onFrame;
    this.#onNote = onNote;
    this.#delivery = delivery;
  }

  get canAdd(): boolean {
    return this.clients.length < maxClients;
  }

  /**
   * Makes the cards match a step: client i is named by letter i. A card already on the right namespace with
   * the right token is kept (reconnected if it was disconnected); `fresh` replaces every card, as after a
   * program switch, which restarts the server, and so does a ticket for another sandbox than the cards', as
   * after the server lost the old one. Returns the cards, in the step's order.
   */
  apply(ticket: SandboxTicket, setups: ClientSetup[], fresh = false): SimulatedClient[] {
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
      return this.#open(ticket, name, namespace, auth);
    });
    for (const client of this.clients) if (!next.includes(client)) client.dispose();
    this.clients = next;
    this.#created = next.length;
    return next;
  }

  /** Closes every card's connection; resolves once their sessions have ended (see `SimulatedClient.close`). */
  async closeAll(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }

  /** Adds one client named after the last one created; returns it, or undefined at the cap. */
  add(ticket: SandboxTicket, namespace = "/"): SimulatedClient | undefined {
    if (!this.canAdd) return undefined;
    this.#sandboxId ??= ticket.id;
    const client = this.#open(ticket, clientName(this.#created++), namespace, "");
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

  #open(ticket: SandboxTicket, name: string, namespace: string, auth: string): SimulatedClient {
    return new SimulatedClient({ name, origin: location.origin, ticket, namespace, auth, onFrame: this.#onFrame, onNote: this.#onNote, delivery: this.#delivery });
  }
}
