/** `POST /api/sandboxes`: same-site JSON requests only, a quota per client address, then the live-sandbox cap. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxTicket } from "../../contract/protocol.ts";
import type { SandboxRegistry } from "../sandbox/sandbox-registry.ts";
import type { CreationQuota } from "./creation-quota.ts";
import { sendJson } from "./json-answers.ts";

/** A creation request carries at most this much JSON (the page sends `{}`). */
const maxBodyBytes = 1024;

/**
 * Answers a request to `/api/sandboxes`: 201 with a ticket, or a JSON `{ error }` with 405, 403, 415, 413, 400,
 * 429 (`Retry-After`) or 503.
 *
 * A browser sends `content-type: application/json` across sites only after a CORS preflight, which this server
 * never grants, and stamps `Origin` on the POST: so no other web page can make its visitors create sandboxes.
 *
 * @example
 * if (path === "/api/sandboxes") return createSandbox(req, res, registry, quota);
 */
export function createSandbox(req: IncomingMessage, res: ServerResponse, registry: SandboxRegistry, quota: CreationQuota): void {
  if (req.method === "OPTIONS") {
    return refuse(req, res, 403, "Cross-site requests are refused: create a sandbox from the playground's own page.");
  }
  if (req.method !== "POST") {
    return refuse(req, res, 405, "Create a sandbox with POST /api/sandboxes (content-type: application/json).", { allow: "POST" });
  }
  const crossSite = crossSiteProblem(req);
  if (crossSite) return refuse(req, res, 403, crossSite);
  if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
    return refuse(req, res, 415, "Send the request as JSON: POST /api/sandboxes with content-type: application/json and a body of {}.");
  }
  const verdict = quota.take(req.socket.remoteAddress ?? "");
  if (!verdict.ok) {
    const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
    return refuse(req, res, 429, `Too many sandboxes created from your address; try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or reuse the one you have.`, {
      "retry-after": String(verdict.retryAfterSeconds),
    });
  }
  readBody(req, (body) => {
    if (body === "too large") return refuse(req, res, 413, `The request body is over ${maxBodyBytes} bytes; send {} or nothing.`);
    if (body.trim() && !isJsonObject(body)) return refuse(req, res, 400, "The request body is not a JSON object; send {} or nothing.");
    const sandbox = registry.create();
    if (!sandbox) {
      return sendJson(res, 503, { error: "The playground is full: too many sandboxes are open. Try again in a few minutes." }, { "retry-after": "60" });
    }
    const ticket: SandboxTicket = { id: sandbox.id, token: sandbox.token, clientKey: sandbox.clientKey, path: sandbox.path };
    sendJson(res, 201, ticket);
  });
}

/**
 * Why a request comes from another site, or undefined. No `Origin` is a script or a tool, not a browser page; a
 * browser's `Origin` must name this very host (`Host`), and `Sec-Fetch-Site` must not say `cross-site`.
 */
function crossSiteProblem(req: IncomingMessage): string | undefined {
  const refused = "Cross-site requests are refused: create a sandbox from the playground's own page.";
  if (req.headers["sec-fetch-site"] === "cross-site") return refused;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return refused; // "null" (a sandboxed frame, a file) or garbage
  }
  return host && host === req.headers.host ? undefined : refused;
}

/** Refuses, and closes the connection when a body may still be on its way (so nobody streams into a refusal). */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  const pending = !req.complete && (req.headers["content-length"] !== "0" || req.headers["transfer-encoding"] !== undefined);
  sendJson(res, status, { error }, pending ? { ...headers, connection: "close" } : headers);
  if (pending) req.resume();
}

function readBody(req: IncomingMessage, done: (body: string) => void): void {
  let body = "";
  let over = false;
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => {
    if (over) return;
    body += chunk;
    if (Buffer.byteLength(body) > maxBodyBytes) {
      over = true;
      done("too large");
    }
  });
  req.on("end", () => {
    if (!over) done(body);
  });
  req.on("error", () => {});
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
