/** Sandboxes survive a restart: the data file (atomic, bounded, checked on read) and a live server brought back on it. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SandboxStore, type SavedSandbox } from "../../server/sandbox/sandbox-store.ts";
import { connectOwner, createSandbox, gotEvents, joinSandbox, once, settle, startLive, type Live } from "../support/live.ts";

let dir: string;
let live: Live | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "playground-data-"));
});
afterEach(async () => {
  await live?.close();
  live = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const sample = (overrides: Partial<SavedSandbox> = {}): SavedSandbox => ({
  id: "a".repeat(22),
  token: "b".repeat(43),
  clientKey: "c".repeat(22),
  settings: { program: "rooms", broadcast: true },
  run: 3,
  idleSince: null,
  ...overrides,
});

describe("the data file", () => {
  it("reads back what it saved, writes atomically (no temporary file left) and only for this user", () => {
    const file = join(dir, "nested", "sandboxes.json");
    const store = new SandboxStore(file, 1 << 20);
    expect(store.load(10)).toEqual([]);
    store.save([sample(), sample({ id: "d".repeat(22), idleSince: 1234 })]);
    expect(store.load(10)).toEqual([sample(), sample({ id: "d".repeat(22), idleSince: 1234 })]);
    expect(readdirSync(join(dir, "nested"))).toEqual(["sandboxes.json"]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each([
    ["not JSON", "{ nope", /not valid JSON/],
    ["another format", JSON.stringify({ version: 2, sandboxes: [] }), /not a version 1 sandboxes file/],
    ["an array", "[]", /not a version 1 sandboxes file/],
  ])("starts empty with a warning when the file is %s", (_what, text, warning) => {
    const file = join(dir, "sandboxes.json");
    writeFileSync(file, text);
    const warn = vi.fn();
    expect(new SandboxStore(file, 1 << 20, warn).load(10)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(warning));
  });

  it("refuses an oversized file without reading it", () => {
    const file = join(dir, "sandboxes.json");
    writeFileSync(file, JSON.stringify({ version: 1, sandboxes: [sample()], pad: "x".repeat(5000) }));
    const warn = vi.fn();
    expect(new SandboxStore(file, 4096, warn).load(10)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/more than the 4096 bytes/));
  });

  it("skips malformed and repeated entries, keeps the rest, and keeps at most the limit", () => {
    const file = join(dir, "sandboxes.json");
    const bad = [
      null,
      "x",
      sample({ id: "short" }),
      sample({ token: "t" }),
      { ...sample(), settings: { program: "evil", broadcast: false } },
      { ...sample(), settings: { program: "__proto__", broadcast: false } },
      sample({ run: 0 }),
      { ...sample(), idleSince: "yesterday" },
      { ...sample(), run: "1" },
    ];
    const good = ["e", "f", "g"].map((letter) => sample({ id: letter.repeat(22) }));
    writeFileSync(file, JSON.stringify({ version: 1, sandboxes: [...bad, good[0], good[0], good[1], good[2]] }));
    const warn = vi.fn();
    expect(new SandboxStore(file, 1 << 20, warn).load(2)).toEqual(good.slice(0, 2));
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Skipped 10 malformed or repeated entries/));
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Kept 2 of the 3 sandboxes/));
  });

  it("reports a failed save once and keeps going", () => {
    const warn = vi.fn();
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    const store = new SandboxStore(join(blocker, "sandboxes.json"), 1 << 20, warn);
    store.save([sample()]);
    store.save([sample()]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/will not survive a restart/));
  });
});

describe("a live server restarted on the same data folder", () => {
  it("brings every sandbox back under the same id, owner token and client key, with its program and flag, in the next run", async () => {
    live = await startLive({ dataDir: dir });
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const switched = await owner.emitWithAck("settings", { program: "rooms", broadcast: true });
    expect(switched).toEqual({ ok: true, data: { program: "rooms", broadcast: true, run: 2, edited: false } });
    await live.close();

    live = await startLive({ dataDir: dir });
    const back = await connectOwner(live.url, ticket);
    expect(await back.emitWithAck("settings", {})).toEqual({ ok: true, data: { program: "rooms", broadcast: true, run: 3, edited: false } });
    await vi.waitFor(() => expect(back.feed.map((entry) => entry.text).join("\n")).toMatch(/server restarted: this sandbox kept its id/), { timeout: 10_000 });
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    await vi.waitFor(() => expect(back.sockets.map((socket) => socket.client)).toEqual(["A"]), { timeout: 10_000 });
    const joined = await a.emitWithAck("join", "lobby");
    expect(joined.ok).toBe(true);
  });

  it("does not keep learner code: the sandbox comes back on the lesson's own program", async () => {
    live = await startLive({ dataDir: dir });
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const ran = await owner.timeout(10_000).emitWithAck("code", { code: 'io.on("connection", (socket) => socket.emit("edited"));' });
    expect(ran).toMatchObject({ ok: true, data: { program: "chat", edited: true, run: 2 } });
    await live.close();

    live = await startLive({ dataDir: dir });
    const back = await connectOwner(live.url, ticket);
    expect(await back.emitWithAck("settings", {})).toEqual({ ok: true, data: { program: "chat", broadcast: false, run: 3, edited: false } });
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    await settle();
    expect(gotEvents(a, "edited")).toEqual([]);
  });

  it("forgets a sandbox closed for being idle, and one idle longer than the idle time while the server was down", async () => {
    live = await startLive({ dataDir: dir, idleMs: 60_000 });
    const kept = await createSandbox(live.url);
    const closed = await createSandbox(live.url);
    const stale = await createSandbox(live.url);
    const future = await createSandbox(live.url);
    live.playground.registry.close(closed.id);
    await live.close();

    // Each saved its idle time; as if the server had been down for two minutes after `stale` was last used:
    const file = join(dir, "sandboxes.json");
    const saved = JSON.parse(readFileSync(file, "utf8")) as { version: 1; sandboxes: SavedSandbox[] };
    const keptSince = saved.sandboxes.find((sandbox) => sandbox.id === kept.id)?.idleSince;
    expect(keptSince).toEqual(expect.any(Number));
    for (const sandbox of saved.sandboxes) if (sandbox.id === stale.id) sandbox.idleSince = sandbox.idleSince! - 120_000;
    // …and `future` was saved by a clock that ran a year ahead: it may not outlive its idle time for it.
    for (const sandbox of saved.sandboxes) if (sandbox.id === future.id) sandbox.idleSince = sandbox.idleSince! + 365 * 86_400_000;
    writeFileSync(file, JSON.stringify(saved));

    live = await startLive({ dataDir: dir, idleMs: 60_000 });
    const registry = live.playground.registry;
    expect(registry.get(kept.id)?.idleSince, "its idle time goes on from the saved one").toBe(keptSince);
    expect(registry.get(closed.id)).toBeUndefined();
    registry.sweep();
    expect(registry.get(stale.id)).toBeUndefined();
    expect(registry.get(kept.id)).toBeDefined();
    expect(registry.get(future.id)!.idleSince).toBeLessThanOrEqual(Date.now());
    registry.sweep(Date.now() + 60_000);
    expect(registry.get(future.id)).toBeUndefined();
  });

  it("starts empty, with a warning, on a corrupt file, and replaces it at the next save", async () => {
    writeFileSync(join(dir, "sandboxes.json"), "\u0000garbage");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    live = await startLive({ dataDir: dir });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Ignoring .*sandboxes\.json: it is not valid JSON/));
    warn.mockRestore();
    expect(live.playground.registry.size).toBe(0);
    const ticket = await createSandbox(live.url);
    await vi.waitFor(() => expect(readFileSync(join(dir, "sandboxes.json"), "utf8")).toContain(ticket.id), { timeout: 10_000 });
  });

  it("keeps nothing without a data folder", async () => {
    live = await startLive();
    const ticket = await createSandbox(live.url);
    await live.close();
    live = await startLive();
    expect(live.playground.registry.get(ticket.id)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});
