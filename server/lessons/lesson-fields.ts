/** Validators for the fields of a lesson's frontmatter; each failure names the field. */
import { maxClients } from "../../contract/client-names.ts";
import type { ClientSetup, LessonNamespace } from "../../contract/lesson-types.ts";
import { editRegion, type RegionEdit } from "../../contract/editable-region.ts";

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

const taskFields = ["id", "title", "hint", "start", "solution"];

/** A step's `task` as the file declares it, its code worked out from the program's region. */
export interface LoadedTask {
  id: string;
  title: string;
  hint: string;
  /** The editable region the step starts with, when it is not the program's own. */
  start?: string;
  /** The model answer: the region that passes the check. */
  solution: string;
}

/** A list of `{ replace, with }` edits. */
function editsOf(value: unknown, field: string, fail: Fail): RegionEdit[] {
  if (!Array.isArray(value) || value.length === 0) return fail(field, value === undefined ? "missing" : "must be a non-empty list of { replace, with }");
  return value.map((raw, index): RegionEdit => {
    const at = `${field}[${index}]`;
    if (!isRecord(raw)) return fail(at, "must be a mapping { replace: <code>, with: <code> }");
    unknownFields(raw, ["replace", "with"], `${at}.`, fail);
    if (typeof raw.replace !== "string" || raw.replace === "") fail(`${at}.replace`, "must be the code to replace, as text");
    if (typeof raw.with !== "string") fail(`${at}.with`, "must be the new code, as text (may be empty)");
    return { replace: raw.replace as string, with: raw.with as string };
  });
}

/** Applies edits, failing with the edit that does not fit. */
function edited(region: string, edits: RegionEdit[], field: string, fail: Fail): string {
  const result = editRegion(region, edits);
  return "region" in result ? result.region : fail(`${field}[${result.failed}].replace`, result.problem);
}

/**
 * A step's `task`: `{ id, title, hint, start?, solution }`. `start` (optional) and `solution` are lists of
 * `{ replace, with }` edits: `start` to the program's editable region, `solution` to the step's start.
 *
 * @example
 * taskOf({ id: "broadcast-but-sender", title: "…", hint: "…", solution: [{ replace: "io.emit(", with: "socket.broadcast.emit(" }] },
 *   "steps[0].task", fail, { taskIds: ["broadcast-but-sender"], region });
 */
export function taskOf(value: unknown, field: string, fail: Fail, context: { taskIds: readonly string[]; region: string }): LoadedTask {
  if (!isRecord(value)) return fail(field, "must be a mapping such as { id, title, hint, solution: [{ replace, with }] }");
  unknownFields(value, taskFields, `${field}.`, fail);
  const text = (key: string): string => {
    const raw = value[key];
    return typeof raw === "string" && raw.trim() !== "" ? raw : fail(`${field}.${key}`, raw === undefined ? "missing" : "must be non-empty text");
  };
  const id = text("id");
  if (!context.taskIds.includes(id)) fail(`${field}.id`, `unknown code task "${id}" (no such check in contract/code-tasks.ts)`);
  const [title, hint] = [text("title"), text("hint")];
  const start = value.start === undefined ? undefined : edited(context.region, editsOf(value.start, `${field}.start`, fail), `${field}.start`, fail);
  const solution = edited(start ?? context.region, editsOf(value.solution, `${field}.solution`, fail), `${field}.solution`, fail);
  if (solution === (start ?? context.region)) fail(`${field}.solution`, "leaves the code as it starts");
  return { id, title, hint, ...(start === undefined ? {} : { start }), solution };
}

/**
 * A lesson's `namespaces`: names, or `{ name, token }` for a namespace whose middleware wants an auth token.
 * Missing means the main namespace only; `/` always comes first.
 *
 * @example
 * namespacesOf(["/", { name: "/admin", token: "let-me-in" }], "namespaces", fail);
 * // [{ name: "/" }, { name: "/admin", token: "let-me-in" }]
 */
export function namespacesOf(value: unknown, field: string, fail: Fail): LessonNamespace[] {
  const list = listOf(value, field, fail).map((raw, index): LessonNamespace => {
    const at = `${field}[${index}]`;
    if (typeof raw === "string") return raw.startsWith("/") ? { name: raw } : fail(at, 'must start with "/"');
    if (!isRecord(raw)) return fail(at, "must be a namespace such as /admin, or { name: /admin, token: let-me-in }");
    unknownFields(raw, ["name", "token"], `${at}.`, fail);
    const name = typeof raw.name === "string" && raw.name.startsWith("/") ? raw.name : fail(`${at}.name`, 'must start with "/"');
    if (raw.token === undefined) return { name };
    return { name, token: typeof raw.token === "string" && raw.token !== "" ? raw.token : fail(`${at}.token`, "must be non-empty text") };
  });
  const names = list.map((namespace) => namespace.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice) fail(field, `${twice} appears twice`);
  return [{ name: "/" }, ...list].filter((namespace, index, all) => all.findIndex((other) => other.name === namespace.name) === index);
}
