/** What learner code sees of a socket's handshake: the participant's own data, without the playground's secrets. */
import type { Socket } from "socket.io";
import type { ValueBudget } from "./bridge-values.ts";
import { toGuest } from "./bridge-values.ts";

/** Headers that carry credentials of the page's origin, not the participant's data. */
const hiddenHeaders = new Set(["cookie", "authorization", "proxy-authorization"]);

/**
 * `socket.handshake` as plain data for the guest. The owner's client key (`query.key`, also in `url`) stays out; `auth` that is
 * too big or too deep for the bridge arrives as `{}` with a warning.
 *
 * @example
 * handshakeOf(socket, limits).value.auth; // { token: "let-me-in" }
 */
export function handshakeOf(socket: Socket, budget: ValueBudget): { value: unknown; problem?: string } {
  const { headers, time, address, xdomain, secure, issued, url, query, auth } = socket.handshake;
  const { key, ...visibleQuery } = query as Record<string, unknown>;
  const shownUrl = key === undefined ? url : url.replace(new RegExp(`([?&])key=${encodeURIComponent(String(key))}(&|$)`), "$1").replace(/[?&]$/, "");
  const shownHeaders = Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => !hiddenHeaders.has(name))
      .map(([name, value]) => [name, String(value).slice(0, 1024)]),
  );
  const base = { headers: shownHeaders, time, address, xdomain, secure, issued, url: shownUrl.slice(0, 2048), query: visibleQuery };
  const withAuth = toGuest({ ...base, auth }, budget, "The handshake's auth data");
  if ("json" in withAuth) return { value: JSON.parse(withAuth.json) };
  const without = toGuest({ ...base, auth: {}, query: {} }, budget, "The handshake");
  return {
    value: "json" in without ? JSON.parse(without.json) : { auth: {}, query: {}, headers: {} },
    problem: `${withAuth.problem} Your code sees the handshake of ${socket.id} with an empty auth.`,
  };
}
