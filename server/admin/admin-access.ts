/** Who may open the Admin UI on a sandbox: per-sandbox credentials only its owner gets, and the sessions they opened. */
import { randomBytes, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import type { AdminUiAccess } from "../../contract/protocol.ts";

/** The admin namespace: no lesson uses it (the namespaces lesson has its own `/admin`). */
export const adminNamespace = "/playground-admin";
/** Where the playground serves the Admin UI's own files. */
export const adminUiUrl = "/admin-ui/";
const username = "owner";
/** Sessions the Admin UI may hold at once (one per successful login), besides the one handed to the owner. */
const maxSessions = 8;

/**
 * Basic-auth credentials for the admin namespace (`instrument(io, { auth })`), made at random per sandbox and
 * given to its owner over the control channel only; plus a session id the owner's Admin UI connects with, so
 * the password never travels in a URL. The session store outlives each program run: a restarted server
 * takes the same credentials and sessions.
 *
 * @example
 * const access = new AdminAccess();
 * instrument(io, { namespaceName: adminNamespace, auth: access.auth, store: access.store, readonly: true });
 */
export class AdminAccess {
  readonly #password = randomBytes(16).toString("hex");
  readonly #session = randomBytes(16).toString("hex");
  /** A bcrypt hash at the lowest cost: the password is 128 random bits, so the cost factor guards nothing here. */
  readonly auth = { type: "basic" as const, username, password: bcrypt.hashSync(this.#password, 4) };
  readonly store = new SessionStore(this.#session);

  /** What the owner's page needs to open the Admin UI on its sandbox at `path`. */
  accessFor(path: string): AdminUiAccess {
    return { url: adminUiUrl, path, namespace: adminNamespace, username, password: this.#password, sessionId: this.#session };
  }

  /**
   * True when a handshake carries the right password; compared in constant time before `instrument`'s bcrypt
   * check ever runs, so wrong guesses cost the server nothing.
   */
  matches(given: unknown): boolean {
    return sameSecret(given, this.#password);
  }
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The admin UI's sessions: the owner's own, and at most a few from logins with the password (oldest forgotten). */
class SessionStore {
  #owner: string;
  #issued = new Set<string>();

  constructor(owner: string) {
    this.#owner = owner;
  }

  doesSessionExist(sessionId: string): Promise<boolean> {
    return Promise.resolve(sameSecret(sessionId, this.#owner) || this.#issued.has(sessionId));
  }

  saveSession(sessionId: string): void {
    this.#issued.add(sessionId);
    if (this.#issued.size > maxSessions) this.#issued.delete(this.#issued.values().next().value as string);
  }
}
