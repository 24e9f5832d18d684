/** Validators for the fields of a lesson's frontmatter; each failure names the field. */
import { maxClients } from "../../contract/client-names.ts";
import type { ClientSetup } from "../../contract/lesson-types.ts";

const clientFields = ["namespace", "auth", "rooms"];

/** Throws a LessonError for `field` of the file being loaded. */
export type Fail = (field: string, problem: string) => never;

/** True for a YAML mapping. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Fails on the first key that is not in `known` (a typo would otherwise be silently ignored). */
export function unknownFields(record: Record<string, unknown>, known: string[], prefix: string, fail: Fail): void {
  const extra = Object.keys(record).find((key) => !known.includes(key));
  if (extra) fail(`${prefix}${extra}`, `unknown field (expected ${known.join(", ")})`);
}

/** An optional list field: missing is empty. */
export function listOf(value: unknown, field: string, fail: Fail): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : fail(field, "must be a list");
}

/**
 * A step's `clients`: a count, or a list of { namespace, auth, rooms }.
 *
 * @example
 * clientsOf(2, "steps[0].clients", fail); // [{}, {}]
 */
export function clientsOf(value: unknown, field: string, fail: Fail): ClientSetup[] {
  if (value === undefined) return fail(field, "missing (a number of clients, or a list of { namespace, auth, rooms })");
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > maxClients) fail(field, `must be a whole number from 0 to ${maxClients}`);
    return Array.from({ length: value }, () => ({}));
  }
  if (!Array.isArray(value)) return fail(field, "must be a number or a list");
  return value.map((raw, index): ClientSetup => {
    const at = `${field}[${index}]`;
    if (!isRecord(raw)) return fail(at, "must be a mapping such as { namespace: /admin }");
    unknownFields(raw, clientFields, `${at}.`, fail);
    const client: ClientSetup = {};
    if (raw.namespace !== undefined) {
      client.namespace = typeof raw.namespace === "string" && raw.namespace.startsWith("/") ? raw.namespace : fail(`${at}.namespace`, 'must start with "/"');
    }
    if (raw.auth !== undefined) client.auth = typeof raw.auth === "string" ? raw.auth : fail(`${at}.auth`, "must be text");
    if (raw.rooms !== undefined) {
      const rooms = raw.rooms;
      client.rooms = Array.isArray(rooms) && rooms.every((room) => typeof room === "string" && room !== "") ? (rooms as string[]) : fail(`${at}.rooms`, "must be a list of room names");
    }
    return client;
  });
}
