/** The sandbox's SQL database (sql.js): bound parameters only, bounded rows, bytes per database and over all of them. */
import { describe, expect, it } from "vitest";
import { DatabaseError, SandboxDatabase, StoreLedger, parameterLimits } from "../../server/store/sandbox-database.ts";

function database(maxBytes = 64 * 1024, ledger = new StoreLedger(1 << 20)) {
  const told: string[] = [];
  const db = new SandboxDatabase({ maxBytes, ledger, refused: (text) => told.push(text) });
  return { db, ledger, told };
}

const schema = "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, client_offset TEXT UNIQUE, content TEXT)";

describe("SandboxDatabase", () => {
  it("answers like the sqlite package: run gives lastID and changes, get and all give rows as objects, a UNIQUE violation is errno 19", async () => {
    const { db } = database();
    await db.exec(schema);
    expect(await db.run("INSERT INTO messages (content, client_offset) VALUES (?, ?)", "hi", "A-0")).toEqual({ lastID: 1, changes: 1 });
    expect(await db.get("SELECT id, content FROM messages WHERE id > ?", 0)).toEqual({ id: 1, content: "hi" });
    expect(await db.all("SELECT content FROM messages")).toEqual([{ content: "hi" }]);
    const error = await db.run("INSERT INTO messages (content, client_offset) VALUES (?, ?)", "hi", "A-0").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: "SQLITE_CONSTRAINT", errno: 19 });
  });

  it("refuses parameters that are not strings, numbers, booleans or null, and text over its bytes, naming the position", async () => {
    const { db } = database();
    await db.exec(schema);
    for (const [value, message] of [
      [{}, "Parameter 1 is an object; a parameter is a string, a number, a boolean or null."],
      [[1], "Parameter 1 is an array; a parameter is a string, a number, a boolean or null."],
      [() => 1, "Parameter 1 is a function; a parameter is a string, a number, a boolean or null."],
      [Number.NaN, "Parameter 1 is NaN, not a number SQLite can store."],
      ["x".repeat(parameterLimits.textBytes + 1), "Parameter 1 is longer than 64 KiB; it was not stored."],
    ] as const) {
      await expect(db.run("INSERT INTO messages (content) VALUES (?)", value)).rejects.toThrow(message);
    }
    expect(await db.all("SELECT * FROM messages")).toEqual([]);
  });

  it("returns at most 1000 rows a query, and says so once", async () => {
    const { db, told } = database(1 << 20);
    await db.exec("CREATE TABLE n (v INTEGER)");
    await db.exec(`INSERT INTO n WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500) SELECT x FROM c`);
    expect((await db.all("SELECT v FROM n")).length).toBe(parameterLimits.rows);
    expect(told).toEqual([`A query returned its first ${parameterLimits.rows} rows only; the program saw no more.`]);
  });

  it("holds its bytes: past them SQLITE_FULL with a sentence, told once a second; closing gives its bytes back to the ledger", async () => {
    const { db, ledger, told } = database(32 * 1024);
    await db.exec(schema);
    const errors: DatabaseError[] = [];
    for (let index = 0; index < 10; index++) {
      await db.run("INSERT INTO messages (content) VALUES (?)", "x".repeat(8000)).catch((error: DatabaseError) => errors.push(error));
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: "SQLITE_FULL", message: "The database refused a write: this sandbox's database holds its 32 KiB already; nothing more is stored." });
    expect(told).toEqual([errors[0].message]);
    expect(db.bytes).toBeLessThanOrEqual(32 * 1024);
    expect(ledger.bytes).toBe(db.bytes);
    db.close();
    expect(ledger.bytes).toBe(0);
    await expect(db.get("SELECT 1")).rejects.toThrow("This database is closed");
  });

  it("refuses writes while every database together holds the ledger's limit; reads still answer", async () => {
    const ledger = new StoreLedger(64 * 1024);
    const first = database(48 * 1024, ledger);
    const second = database(48 * 1024, ledger);
    await first.db.exec(schema);
    await second.db.exec(schema);
    for (let index = 0; index < 5; index++) await first.db.run("INSERT INTO messages (content) VALUES (?)", "x".repeat(8000)).catch(() => undefined);
    const refused = await (async () => {
      for (let index = 0; index < 10; index++) {
        const error = await second.db.run("INSERT INTO messages (content) VALUES (?)", "y".repeat(8000)).catch((caught: DatabaseError) => caught);
        if (error instanceof DatabaseError) return error;
      }
      return undefined;
    })();
    expect(refused?.message).toMatch(/^The database refused a write: the playground's databases are full right now/);
    expect(ledger.bytes).toBeLessThanOrEqual(64 * 1024 + 8 * 1024);
    expect(await second.db.get("SELECT count(*) AS n FROM messages")).toBeDefined();
    first.db.close();
    second.db.close();
    expect(ledger.bytes).toBe(0);
  });
});
