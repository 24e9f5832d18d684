/** Sandboxes kept across restarts: a small JSON file, written atomically, read back with every field checked. */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { SandboxSettings } from "../../contract/protocol.ts";
import { isProgramName } from "../programs/index.ts";

/** What survives a restart of one sandbox: who may use it, what it runs, and since when nobody did. */
export interface SavedSandbox {
  id: string;
  token: string;
  clientKey: string;
  settings: SandboxSettings;
  /** The program run it was on (the restored sandbox starts the next one). */
  run: number;
  /** When it last had no sockets and no owner (ms since the epoch), or null while it was in use. */
  idleSince: number | null;
}

interface StoreFile {
  version: 1;
  sandboxes: SavedSandbox[];
}

/** An id is 128 random bits, after a process name and a dot when the process has one (`p1.…`). */
const secretPattern = { id: /^(?:[A-Za-z0-9_-]{1,32}\.)?[A-Za-z0-9_-]{22}$/, token: /^[A-Za-z0-9_-]{43}$/, clientKey: /^[A-Za-z0-9_-]{22}$/ };

/**
 * One file in the data folder (`sandboxes.json`, or `sandboxes-<process>.json` for a named process). A missing
 * file is an empty playground; an unreadable, oversized or unknown one is reported with `warn` and read as empty
 * (the next save replaces it).
 *
 * @example
 * const store = new SandboxStore(".data/sandboxes.json", 1 << 20);
 * const saved = store.load(500);
 * store.save(saved);
 */
export class SandboxStore {
  readonly file: string;
  #maxBytes: number;
  #warn: (message: string) => void;
  #failing = false;

  constructor(file: string, maxBytes: number, warn: (message: string) => void = (message) => console.warn(message)) {
    this.file = file;
    this.#maxBytes = maxBytes;
    this.#warn = warn;
  }

  /** The saved sandboxes, at most `limit` of them; never throws. */
  load(limit: number): SavedSandbox[] {
    let text: string;
    try {
      const { size } = statSync(this.file);
      if (size > this.#maxBytes) return this.#ignore(`it is ${size} bytes, more than the ${this.#maxBytes} bytes a playground would write`);
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      return this.#ignore((error as Error).message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.#ignore("it is not valid JSON");
    }
    const file = parsed as Partial<StoreFile> | null;
    if (typeof file !== "object" || file === null || file.version !== 1 || !Array.isArray(file.sandboxes)) {
      return this.#ignore("it is not a version 1 sandboxes file");
    }
    const valid = file.sandboxes.filter(isSavedSandbox);
    const seen = new Set<string>();
    const unique = valid.filter((saved) => !seen.has(saved.id) && seen.add(saved.id));
    if (unique.length < file.sandboxes.length) {
      this.#warn(`Skipped ${file.sandboxes.length - unique.length} malformed or repeated entries in ${this.file}.`);
    }
    if (unique.length > limit) this.#warn(`Kept ${limit} of the ${unique.length} sandboxes in ${this.file}: the limit is ${limit}.`);
    return unique.slice(0, limit);
  }

  /** Replaces the file atomically (a temporary file, flushed, then renamed over it); a failure is reported once. */
  save(sandboxes: SavedSandbox[]): void {
    const text = JSON.stringify({ version: 1, sandboxes } satisfies StoreFile);
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      // The owner tokens are secrets: only this user may read the file.
      const fd = openSync(temporary, "w", 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.file);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.#warn(`Could not save sandboxes to ${this.file} (${(error as Error).message}); they will not survive a restart.`);
      this.#failing = true;
    }
  }

  #ignore(reason: string): SavedSandbox[] {
    this.#warn(`Ignoring ${this.file}: ${reason}. Starting with no saved sandboxes.`);
    return [];
  }
}

function isSavedSandbox(value: unknown): value is SavedSandbox {
  if (typeof value !== "object" || value === null) return false;
  const saved = value as Record<string, unknown>;
  const settings = saved.settings as Record<string, unknown> | null | undefined;
  return (
    typeof saved.id === "string" && secretPattern.id.test(saved.id) &&
    typeof saved.token === "string" && secretPattern.token.test(saved.token) &&
    typeof saved.clientKey === "string" && secretPattern.clientKey.test(saved.clientKey) &&
    typeof settings === "object" && settings !== null &&
    isProgramName(settings.program) && typeof settings.broadcast === "boolean" &&
    (settings.recovery === undefined || typeof settings.recovery === "boolean") &&
    (settings.unique === undefined || typeof settings.unique === "boolean") &&
    Number.isSafeInteger(saved.run) && (saved.run as number) >= 1 &&
    (saved.idleSince === null || (typeof saved.idleSince === "number" && Number.isFinite(saved.idleSince)))
  );
}
