/** How an owner page opens its sandbox's control channel: the id where a load balancer can route on it, the token only in the handshake. */
import type { ControlAuth, SandboxTicket } from "./protocol.ts";

/**
 * The `socket.io-client` options that open a sandbox's control channel. The id also rides in the query of every
 * request and upgrade, where a load balancer in front of several processes can route on it (docs/deploy.md); the
 * token travels only in the handshake's `auth`, never in a URL. The server refuses a query that names another
 * sandbox than `auth`; one without the query (a single process) still works.
 *
 * @example
 * const control = io(location.origin, { ...controlOptions(ticket), forceNew: true });
 */
export function controlOptions(ticket: Pick<SandboxTicket, "id" | "token">, token = ticket.token): { path: string; query: { sandbox: string }; auth: ControlAuth } {
  return { path: "/control/socket.io", query: { sandbox: ticket.id }, auth: { sandbox: ticket.id, token } };
}
