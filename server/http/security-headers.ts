/** The headers every response of the production server carries: a strict CSP, no sniffing, no framing, no referrer. */
import type { ServerResponse } from "node:http";

/**
 * Only the page's own scripts run (no inline script, no eval); styles may be inline (Svelte's `style:` and the
 * highlighted code use style attributes; xterm.js measures with them); sockets and fetches go to this origin only.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const securityHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/**
 * Sets the security headers on `res` before anything else writes it.
 *
 * @example
 * server.on("request", (req, res) => { setSecurityHeaders(res); serve(req, res); });
 */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
}
