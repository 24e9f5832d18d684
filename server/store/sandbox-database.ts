/**
 * A sandbox's own SQL database: a real SQLite (sql.js, compiled to WebAssembly), in memory, one per program run,
 * with the promise API of the `sqlite` package the Socket.IO tutorial uses (`db.exec`, `db.run`, `db.get`,
 * `db.all`, `db.each`). Bound in bytes per sandbox (SQLite's own `max_page_count`) and over every sandbox together.
 */
import initSqlJs from "sql.js";
import type { Database, SqlValue } from "sql.js";

const SQL = await initSqlJs();

/** How many bytes the databases of every sandbox hold together, and the most they may. */
export class StoreLedger {
  #bytes = 0;
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes held now, over every open database. */
  get bytes(): number {
    return this.#bytes;
  }

  /** One database grew or shrank by `delta` bytes. */
  change(delta: number): void {
    this.#bytes = Math.max(0, this.#bytes + delta);
  }

  /** True when one more page would pass the global limit. */
  get full(): boolean {
    return this.#bytes + pageBytes > this.maxBytes;
  }
}

const ledgers = new Map<number, StoreLedger>();

/**
 * The one ledger of every sandbox of this process whose limit is `maxBytes` (`SANDBOX_STORE_TOTAL_BYTES`).
 *
 * @example
 * sharedLedger(64 * 2 ** 20).bytes; // 0 before any database holds a page
 */
export function sharedLedger(maxBytes: number): StoreLedger {
  let ledger = ledgers.get(maxBytes);
  if (!ledger) ledgers.set(maxBytes, (ledger = new StoreLedger(maxBytes)));
  return ledger;
}

/** What `db.run` resolves to, as in the `sqlite` package. */
export interface RunResult {
  /** The rowid of the row just inserted. */
  lastID: number;
  /** Rows the statement inserted, changed or deleted. */
  changes: number;
}

/** An error from the database, with the code and errno node's `sqlite3` gives (the tutorial tests `errno === 19`). */
export class DatabaseError extends Error {
  readonly code: "SQLITE_CONSTRAINT" | "SQLITE_FULL" | "SQLITE_MISUSE" | "SQLITE_ERROR";
  readonly errno: number;
  constructor(code: DatabaseError["code"], message: string) {
    super(message);
    this.name = "DatabaseError";
    this.code = code;
    this.errno = errnos[code];
  }
}

const errnos = { SQLITE_ERROR: 1, SQLITE_FULL: 13, SQLITE_CONSTRAINT: 19, SQLITE_MISUSE: 21 } as const;

/** SQLite's page size in sql.js; `max_page_count` counts in these. */
const pageBytes = 4096;

/** Bound parameters a statement may take, the bytes of one text parameter, and the rows one query returns. */
export const parameterLimits = { count: 16, textBytes: 64 * 1024, rows: 1000 } as const;

export interface DatabaseLimits {
  /** Bytes this database may hold (`SANDBOX_STORE_BYTES`); rounded down to whole pages, at least 8 pages. */
  maxBytes: number;
  ledger: StoreLedger;
  /** Told once a second at most when a write is refused for lack of room, or a query stopped at its rows (the sandbox's feed). */
  refused(text: string): void;
}

/**
 * One sandbox's database. Every call runs at once (sql.js is synchronous) and answers with a promise, as the
 * `sqlite` package does; parameters are bound, never spliced into the SQL.
 *
 * @example
 * const db = new SandboxDatabase({ maxBytes: 256 * 1024, ledger, refused: console.warn });
 * await db.exec("CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, content TEXT)");
 * const { lastID } = await db.run("INSERT INTO messages (content) VALUES (?)", "hello"); // 1
 * db.close();
 */
export class SandboxDatabase {
  #db: Database | undefined = new SQL.Database();
  #limits: DatabaseLimits;
  #bytes = 0;
  #lastRefusal = -Infinity;

  constructor(limits: DatabaseLimits) {
    this.#limits = limits;
    const pages = Math.max(8, Math.floor(limits.maxBytes / pageBytes));
    this.#db!.run(`PRAGMA max_page_count = ${pages}`);
  }

  /** Bytes the database holds now (its pages). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Runs one or more statements without parameters (a schema). */
  exec(sql: string): Promise<void> {
    return this.#settle(true, () => {
      this.#open().exec(checkedSql(sql));
    });
  }

  /** Runs one statement with bound parameters; resolves to `{ lastID, changes }`. */
  run(sql: string, ...params: unknown[]): Promise<RunResult> {
    return this.#settle(true, () => {
      const db = this.#open();
      db.run(checkedSql(sql), boundParameters(params));
      const changes = db.getRowsModified();
      const lastID = Number(db.exec("SELECT last_insert_rowid()")[0]?.values[0]?.[0] ?? 0);
      return { lastID, changes };
    });
  }

  /** The first row a query returns, as an object, or undefined. */
  get(sql: string, ...params: unknown[]): Promise<Record<string, SqlValue> | undefined> {
    return this.#settle(false, () => this.#rows(sql, params, 1)[0]);
  }

  /** Every row a query returns, as objects. */
  all(sql: string, ...params: unknown[]): Promise<Array<Record<string, SqlValue>>> {
    return this.#settle(false, () => this.#rows(sql, params, Infinity));
  }

  /**
   * Calls `each(error, row)` for every row, as the `sqlite` package's `db.each(sql, params, callback)`; resolves to
   * the number of rows.
   */
  each(sql: string, params: unknown, each: (error: null, row: Record<string, SqlValue>) => void): Promise<number> {
    return this.#settle(false, () => {
      const rows = this.#rows(sql, Array.isArray(params) ? params : [params], Infinity);
      for (const row of rows) each(null, row);
      return rows.length;
    });
  }

  /** Frees the database and its bytes; later calls are refused. */
  close(): void {
    if (!this.#db) return;
    this.#db.close();
    this.#db = undefined;
    this.#limits.ledger.change(-this.#bytes);
    this.#bytes = 0;
  }

  #open(): Database {
    if (!this.#db) throw new DatabaseError("SQLITE_MISUSE", "This database is closed: the server it belonged to has stopped.");
    return this.#db;
  }

  #rows(sql: string, params: unknown[], most: number): Array<Record<string, SqlValue>> {
    const statement = this.#open().prepare(checkedSql(sql));
    try {
      statement.bind(boundParameters(params));
      const rows: Array<Record<string, SqlValue>> = [];
      const cap = Math.min(most, parameterLimits.rows);
      while (rows.length < cap && statement.step()) rows.push(statement.getAsObject());
      if (rows.length === parameterLimits.rows && statement.step()) {
        this.#limits.refused(`A query returned its first ${parameterLimits.rows} rows only; the program saw no more.`);
      }
      return rows;
    } finally {
      statement.free();
    }
  }

  /** Runs `work` now (a `write` is refused while every sandbox's databases together are full), turning SQLite's errors into `DatabaseError`s, and keeps the byte count true. */
  #settle<T>(write: boolean, work: () => T): Promise<T> {
    try {
      if (write && this.#limits.ledger.full && this.#db) {
        throw this.#refuse("the playground's databases are full right now (every sandbox's together); try again later.");
      }
      const result = work();
      this.#measure();
      return Promise.resolve(result);
    } catch (error) {
      this.#measure();
      return Promise.reject(asDatabaseError(error, this));
    }
  }

  #measure(): void {
    if (!this.#db) return;
    const pages = Number(this.#db.exec("PRAGMA page_count")[0]?.values[0]?.[0] ?? 0);
    const bytes = pages * pageBytes;
    this.#limits.ledger.change(bytes - this.#bytes);
    this.#bytes = bytes;
  }

  /** The error for a write refused for lack of room, told to the owner once a second at most. */
  #refuse(why: string): DatabaseError {
    const now = Date.now();
    const text = `The database refused a write: ${why}`;
    if (now - this.#lastRefusal >= 1000) {
      this.#lastRefusal = now;
      this.#limits.refused(text);
    }
    return new DatabaseError("SQLITE_FULL", text);
  }

  /** Called by `asDatabaseError` for SQLite's own "full". */
  full(): DatabaseError {
    return this.#refuse(`this sandbox's database holds its ${Math.round(this.#limits.maxBytes / 1024)} KiB already; nothing more is stored.`);
  }
}

function asDatabaseError(error: unknown, database: SandboxDatabase): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const message = error instanceof Error && typeof error.message === "string" ? error.message : String(error);
  if (/database or disk is full/.test(message)) return database.full();
  if (/constraint failed/i.test(message)) return new DatabaseError("SQLITE_CONSTRAINT", `SQLITE_CONSTRAINT: ${message}`);
  return new DatabaseError("SQLITE_ERROR", `SQLITE_ERROR: ${message}`);
}

/** SQL text is the program's own, but it is still bounded. */
function checkedSql(sql: unknown): string {
  if (typeof sql !== "string" || sql.length === 0) throw new DatabaseError("SQLITE_MISUSE", "The SQL must be a non-empty string.");
  if (sql.length > 10_000) throw new DatabaseError("SQLITE_MISUSE", "The SQL is longer than 10,000 characters.");
  return sql;
}

/**
 * Parameters as SQLite takes them: strings (bounded in bytes), finite numbers, booleans (as 0 and 1), null and
 * undefined (as NULL). Anything else, from a participant say, is refused with the position and the kind.
 */
function boundParameters(params: unknown[]): SqlValue[] {
  if (params.length > parameterLimits.count) throw new DatabaseError("SQLITE_MISUSE", `A statement takes at most ${parameterLimits.count} parameters.`);
  return params.map((param, index) => {
    if (param === undefined || param === null) return null;
    if (typeof param === "boolean") return param ? 1 : 0;
    if (typeof param === "number") {
      if (Number.isFinite(param)) return param;
      throw new DatabaseError("SQLITE_MISUSE", `Parameter ${index + 1} is ${param}, not a number SQLite can store.`);
    }
    if (typeof param === "string") {
      if (Buffer.byteLength(param) > parameterLimits.textBytes) {
        throw new DatabaseError("SQLITE_MISUSE", `Parameter ${index + 1} is longer than ${parameterLimits.textBytes / 1024} KiB; it was not stored.`);
      }
      return param;
    }
    const kind = Array.isArray(param) ? "an array" : typeof param === "object" ? "an object" : `a ${typeof param}`;
    throw new DatabaseError("SQLITE_MISUSE", `Parameter ${index + 1} is ${kind}; a parameter is a string, a number, a boolean or null.`);
  });
}
