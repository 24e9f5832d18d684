/** The console on a real server with real clients: each chain reaches whom the same call made in code reaches. */
import fc from "fast-check";
import type { Server } from "socket.io";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCommand } from "../../server/console/console-executor.ts";
import type { AckResult, ConsoleReply } from "../../contract/protocol.ts";
import { settle, testSeed } from "../support/live.ts";
import { anyLine } from "./console-arbitraries.ts";
import { startConsoleFixture, type ClientName, type ConsoleFixture } from "./console-fixture.ts";

fc.configureGlobal({ seed: testSeed("console executor (fast-check)") });

function texts(result: AckResult<ConsoleReply>): string[] {
  if (!result.ok) throw new Error(`The console refused: ${result.error}`);
  return result.data.lines.map((line) => line.text);
}

describe("emits reach exactly whom the real call reaches", () => {
  let fixture: ConsoleFixture;
  beforeAll(async () => {
    fixture = await startConsoleFixture();
  });
  afterAll(() => fixture.close());

  type Case = [line: string | ((f: ConsoleFixture) => string), direct: (io: Server, f: ConsoleFixture) => unknown, expected: ClientName[]];
  const cases: Case[] = [
    ['io.emit("e", 1, {"a": "b"})', (io) => io.emit("e", 1, { a: "b" }), ["A", "B", "C"]],
    ['io.to("lobby").emit("e", 1, {"a": "b"})', (io) => io.to("lobby").emit("e", 1, { a: "b" }), ["A", "B"]],
    ['io.in("vip").emit("e", 1, {"a": "b"})', (io) => io.in("vip").emit("e", 1, { a: "b" }), ["B"]],
    ['io.except("vip").emit("e", 1, {"a": "b"})', (io) => io.except("vip").emit("e", 1, { a: "b" }), ["A", "C"]],
    ['io.to("lobby").except("vip").emit("e", 1, {"a": "b"})', (io) => io.to("lobby").except("vip").emit("e", 1, { a: "b" }), ["A"]],
    ['io.to("lobby").to("vip").emit("e", 1, {"a": "b"})', (io) => io.to("lobby").to("vip").emit("e", 1, { a: "b" }), ["A", "B"]],
    ['io.to("nowhere").emit("e", 1, {"a": "b"})', (io) => io.to("nowhere").emit("e", 1, { a: "b" }), []],
    ['io.of("/admin").emit("e", 1, {"a": "b"})', (io) => io.of("/admin").emit("e", 1, { a: "b" }), ["D"]],
    ['io.of("admin").emit("e", 1, {"a": "b"})', (io) => io.of("admin").emit("e", 1, { a: "b" }), ["D"]],
    ['io.of("/admin").to("lobby").emit("e", 1, {"a": "b"})', (io) => io.of("/admin").to("lobby").emit("e", 1, { a: "b" }), []],
    ['io.volatile.emit("e", 1, {"a": "b"})', (io) => io.volatile.emit("e", 1, { a: "b" }), ["A", "B", "C"]],
    ['io.local.to("vip").emit("e", 1, {"a": "b"})', (io) => io.local.to("vip").emit("e", 1, { a: "b" }), ["B"]],
    ['io.sockets.emit("e", 1, {"a": "b"})', (io) => io.sockets.emit("e", 1, { a: "b" }), ["A", "B", "C"]],
    ['io.sockets.except("lobby").emit("e", 1, {"a": "b"})', (io) => io.sockets.except("lobby").emit("e", 1, { a: "b" }), ["C"]],
    ['io.compress(false).emit("e", 1, {"a": "b"})', (io) => io.compress(false).emit("e", 1, { a: "b" }), ["A", "B", "C"]],
    ['io.of("/admin").compress(true).emit("e", 1, {"a": "b"})', (io) => io.of("/admin").compress(true).emit("e", 1, { a: "b" }), ["D"]],
    ['socket("A").compress(false).emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").compress(false).emit("e", 1, { a: "b" }), ["A"]],
    ['socket("A").broadcast.compress(false).emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").broadcast.compress(false).emit("e", 1, { a: "b" }), ["B", "C"]],
    ['socket("A").emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").emit("e", 1, { a: "b" }), ["A"]],
    ['socket("A").broadcast.emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").broadcast.emit("e", 1, { a: "b" }), ["B", "C"]],
    ['socket("A").to("lobby").emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").to("lobby").emit("e", 1, { a: "b" }), ["B"]],
    ['socket("C").to("lobby").except("vip").emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("C").to("lobby").except("vip").emit("e", 1, { a: "b" }), ["A"]],
    ['socket("A").except("vip").emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").except("vip").emit("e", 1, { a: "b" }), ["C"]],
    ['socket("A").local.emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").local.emit("e", 1, { a: "b" }), ["B", "C"]],
    ['socket("B").volatile.emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("B").volatile.emit("e", 1, { a: "b" }), ["B"]],
    ['socket("A").volatile.to("vip").emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("A").volatile.to("vip").emit("e", 1, { a: "b" }), ["B"]],
    ['socket("D").broadcast.emit("e", 1, {"a": "b"})', (_io, f) => f.serverSocket("D").broadcast.emit("e", 1, { a: "b" }), []],
    [(f) => `io.to(${JSON.stringify(f.serverSocket("C").id)}).emit("e", 1, {"a": "b"})`, (io, f) => io.to(f.serverSocket("C").id).emit("e", 1, { a: "b" }), ["C"]],
  ];

  it.each(cases.map((entry) => [typeof entry[0] === "string" ? entry[0] : String(entry[0]).replace(/^\(f\) => /, ""), ...entry] as const))(
    "%s",
    async (_title, line, direct, expected) => {
      fixture.forget();
      const typed = typeof line === "string" ? line : line(fixture);
      const reply = texts(await runCommand(typed, fixture.env));
      await settle();
      const viaConsole = fixture.receiversOf("e");
      for (const name of viaConsole) expect(fixture.received[name]).toEqual([{ event: "e", args: [1, { a: "b" }] }]);
      expect(reply).toEqual([`→ ${expected.length ? expected.join(", ") : "nobody"}`]);
      expect(fixture.ledger.traced.map((trace) => trace.reached.toSorted())).toEqual([expected]);

      fixture.forget();
      direct(fixture.io, fixture);
      await settle();
      const viaCode = fixture.receiversOf("e");
      expect(viaConsole).toEqual(viaCode);
      expect(viaConsole).toEqual(expected);
    },
  );

  it("waits for acknowledgements and prints them, or the timeout", async () => {
    const all = texts(await runCommand('io.timeout(1000).emit("ping")', fixture.env));
    expect(all[0]).toBe("→ A, B, C");
    expect(all[1]).toMatch(/^3 of 3 answered: /);
    for (const name of ["A", "B", "C"]) expect(all[1]).toContain(`"${name} ok"`);
    expect(texts(await runCommand('socket("B").timeout(1000).emit("ping", 1)', fixture.env))).toEqual(["→ B", 'B answered: "B ok"']);
    expect(texts(await runCommand('io.of("/admin").timeout(1000).emit("ping")', fixture.env))).toEqual(["→ D", '1 of 1 answered: "D ok"']);
    expect(texts(await runCommand('socket("A").broadcast.timeout(1000).emit("ping")', fixture.env))[1]).toMatch(/^2 of 2 answered/);
    expect(texts(await runCommand('io.to("nowhere").timeout(1000).emit("ping")', fixture.env))).toEqual(["→ nobody"]);

    const started = Date.now();
    const silent = await runCommand('io.timeout(150).emit("silent")', fixture.env);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(silent).toEqual({ ok: true, data: { lines: [{ level: "log", text: "→ A, B, C" }, { level: "warn", text: "Timed out after 150 ms: 0 of 3 answered." }] } });
    expect(texts(await runCommand('socket("C").timeout(100).emit("silent")', fixture.env))).toEqual(["→ C", "C did not answer within 100 ms."]);
  });

  it("shows a socket's rooms, own id named, its id, and what fetchSockets() finds", async () => {
    const b = fixture.serverSocket("B");
    expect(texts(await runCommand('socket("B").rooms', fixture.env))).toEqual([`3 rooms: ${JSON.stringify(b.id)} (its own id), "lobby", "vip"`]);
    expect(texts(await runCommand("socket('C').id", fixture.env))).toEqual([fixture.clients.C.id]);
    expect(texts(await runCommand('socket("D")', fixture.env))[0]).toBe(`D: id ${fixture.serverSocket("D").id}, namespace /admin, rooms ${JSON.stringify(fixture.serverSocket("D").id)} (its own id)`);

    const lobby = texts(await runCommand('io.in("lobby").fetchSockets()', fixture.env));
    const direct = await fixture.io.in("lobby").fetchSockets();
    expect(lobby[0]).toBe("2 sockets:");
    expect(lobby.slice(1).map((line) => line.trim().split(" ")[0]).sort()).toEqual(["A", "B"]);
    for (const remote of direct) expect(lobby.join("\n")).toContain(`id ${remote.id}`);
    expect(texts(await runCommand('io.of("/admin").fetchSockets()', fixture.env))[1]).toMatch(/^ {2}D {2}id /);
    expect(texts(await runCommand('io.in("nowhere").fetchSockets()', fixture.env))).toEqual(["No sockets match."]);
  });

  it("answers help, clients and clear", async () => {
    const help = texts(await runCommand("help", fixture.env)).join("\n");
    for (const example of ['io.to("lobby").emit("news", 1)', 'socket("A").broadcast.emit("hi")', 'io.in("lobby").fetchSockets()']) expect(help).toContain(example);
    const clients = texts(await runCommand("clients", fixture.env));
    expect(clients.map((line) => line.split(" ")[0]).sort()).toEqual(["A", "B", "C", "D"]);
    expect(clients.find((line) => line.startsWith("D"))).toContain("namespace /admin");
    expect(await runCommand("clear", fixture.env)).toEqual({ ok: true, data: { lines: [], clear: true } });
    expect(await runCommand("   ", fixture.env)).toEqual({ ok: true, data: { lines: [] } });
  });

  it("refuses unknown clients and namespaces without creating or sending anything", async () => {
    fixture.forget();
    const unknown = await runCommand('socket("Z").emit("e")', fixture.env);
    expect(unknown).toEqual({ ok: false, error: 'No client named "Z": the clients are A, B, C, D.' });
    const namespace = await runCommand('io.of("/nope").emit("e")', fixture.env);
    expect(namespace.ok).toBe(false);
    expect(!namespace.ok && namespace.error).toContain("use one of /, /admin");
    expect(fixture.io._nsps.has("/nope")).toBe(false);
    await settle();
    expect(fixture.receiversOf("e")).toEqual([]);
    expect(fixture.ledger.traced).toEqual([]);
  });

  it("runs nothing for a line that does not parse, and answers with the position", async () => {
    const before = fixture.ledger.touched;
    expect(await runCommand('io.to("lobby").join("x")', fixture.env)).toMatchObject({ ok: false, position: 15 });
    expect(fixture.ledger.touched).toBe(before);
  });

  it("random and mutated lines: a refusal touches nothing, and every delivery is one the console traced", async () => {
    fixture.forget();
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(anyLine, async (line) => {
        const before = fixture.ledger.touched;
        const result = await runCommand(line, fixture.env);
        if (!result.ok && result.position !== undefined) {
          refusals++;
          expect(fixture.ledger.touched).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
    await settle();
    const delivered = Object.values(fixture.received).reduce((sum, entries) => sum + entries.length, 0);
    const count = (traces: typeof fixture.ledger.traced) => traces.reduce((sum, trace) => sum + trace.reached.length, 0);
    // A volatile packet may be dropped by Socket.IO itself when the transport is busy: that is its meaning.
    const sure = count(fixture.ledger.traced.filter((trace) => !trace.call.includes(".volatile")));
    expect(delivered).toBeGreaterThanOrEqual(sure);
    expect(delivered).toBeLessThanOrEqual(count(fixture.ledger.traced));
    expect(refusals).toBeGreaterThan(100);
  }, 60_000);
});

describe("commands that change rooms and connections act on the real sockets", () => {
  let fixture: ConsoleFixture;
  beforeEach(async () => {
    fixture = await startConsoleFixture();
  });
  afterEach(() => fixture.close());

  it("join and leave one socket", async () => {
    const c = fixture.serverSocket("C");
    expect(texts(await runCommand('socket("C").join("lobby")', fixture.env))).toEqual([`C is now in ${JSON.stringify(c.id)} (its own id), "lobby".`]);
    expect(c.rooms.has("lobby")).toBe(true);
    expect(texts(await runCommand('io.to("lobby").emit("e")', fixture.env))).toEqual(["→ A, B, C"]);
    expect(texts(await runCommand('socket("C").leave("lobby")', fixture.env))).toEqual([`C is now in ${JSON.stringify(c.id)} (its own id).`]);
    expect(c.rooms.has("lobby")).toBe(false);
    expect(texts(await runCommand('socket("C").leave("lobby")', fixture.env))[0]).toContain('(it was not in "lobby")');
  });

  it("socketsJoin and socketsLeave move a room's sockets", async () => {
    expect(texts(await runCommand('io.in("vip").socketsJoin("club")', fixture.env))).toEqual(['B joined "club".']);
    expect(fixture.serverSocket("B").rooms.has("club")).toBe(true);
    expect(fixture.serverSocket("A").rooms.has("club")).toBe(false);
    expect(texts(await runCommand('io.socketsLeave("lobby")', fixture.env))).toEqual(['A, B, C left "lobby".']);
    expect(fixture.serverSocket("A").rooms.has("lobby")).toBe(false);
    expect(texts(await runCommand('io.in("nowhere").socketsJoin("x")', fixture.env))).toEqual(['No sockets match, so nobody joined "x".']);
  });

  it("disconnect() closes one socket, disconnectSockets() a room's", async () => {
    const aGone = new Promise((resolve) => fixture.clients.A.once("disconnect", resolve));
    expect(texts(await runCommand('socket("A").disconnect()', fixture.env))[0]).toMatch(/^Disconnected A from \/;/);
    expect(await aGone).toBe("io server disconnect");
    const bGone = new Promise((resolve) => fixture.clients.B.once("disconnect", resolve));
    expect(texts(await runCommand('io.in("vip").disconnectSockets()', fixture.env))[0]).toMatch(/^Disconnected B;/);
    expect(await bGone).toBe("io server disconnect");
    expect(fixture.clients.C.connected).toBe(true);
    expect(await runCommand('socket("A").id', fixture.env)).toEqual({ ok: false, error: 'No client named "A": the clients are C, D.' });
  });
});
