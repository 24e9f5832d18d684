/** Several processes behind a balancer: a process name starts every sandbox id, the control channel carries the id where a balancer sees it, each process keeps its own data file. */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { io as connect } from "socket.io-client";
import { controlOptions } from "../../contract/control-connection.ts";
import { resolveOptions } from "../../server/config.ts";
import { connectOwner, connection, createSandbox, joinSandbox, once, startLive, type Live } from "../support/live.ts";

const started: Live[] = [];
const dir = mkdtempSync(join(tmpdir(), "playground-process-"));
const start = async (...args: Parameters<typeof startLive>) => {
  const live = await startLive(...args);
  started.push(live);
  return live;
};
afterEach(async () => {
  for (const live of started.splice(0)) await live.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PLAYGROUND_PROCESS", () => {
  it("is read from the environment, and a name that could not start a URL path segment is an error", () => {
    expect(resolveOptions({}).processName).toBe("");
    expect(resolveOptions({ PLAYGROUND_PROCESS: "p1" }).processName).toBe("p1");
    expect(resolveOptions({ PLAYGROUND_PROCESS: "eu-2_b" }).processName).toBe("eu-2_b");
    for (const bad of ["p.1", "p/1", "p 1", "p%31", "ä", "x".repeat(33)]) {
      expect(() => resolveOptions({ PLAYGROUND_PROCESS: bad }), bad).toThrow(/PLAYGROUND_PROCESS=.* is not a process name/);
    }
  });

  it("starts every sandbox id, before 128 random bits; without it the ids are as they always were", async () => {
    const named = await start({ processName: "p1" });
    const ticket = await createSandbox(named.url);
    expect(ticket.id).toMatch(/^p1\.[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(ticket.id.slice(3), "base64url")).toHaveLength(16);
    expect(ticket.path).toBe(`/sandbox/${ticket.id}/socket.io`);
    expect((await createSandbox(named.url)).id).not.toBe(ticket.id);

    const plain = await start();
    expect((await createSandbox(plain.url)).id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("serves a named process's sandbox on both transports and its control channel with the id in the query", async () => {
    const live = await start({ processName: "p1" });
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket, ticket.token, { transports: ["polling"] });
    const polling = joinSandbox(live.url, ticket, { transports: ["polling"] });
    const websocket = joinSandbox(live.url, ticket, { transports: ["websocket"] });
    expect(await Promise.all([connection(polling), connection(websocket)])).toEqual([undefined, undefined]);
    const news = Promise.all([once(polling, "news"), once(websocket, "news")]);
    const reply = await owner.timeout(5000).emitWithAck("command", 'io.emit("news", 1)');
    expect(reply.ok).toBe(true);
    expect(await news).toEqual([[1], [1]]);
  });

  it("refuses a control channel whose query names another sandbox than its auth, and still takes one without the query", async () => {
    const live = await start({ processName: "p1" });
    const mine = await createSandbox(live.url);
    const other = await createSandbox(live.url);
    const mismatched = connect(live.url, {
      ...controlOptions(mine),
      query: { sandbox: other.id },
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
    });
    const [error] = await once(mismatched, "connect_error");
    expect(error.message).toMatch(/names another sandbox than its auth/);
    mismatched.disconnect();

    // One process needs no balancer: an owner that sends the id in auth only (before this query existed) connects.
    const authOnly = connect(live.url, { path: "/control/socket.io", auth: { sandbox: mine.id, token: mine.token }, forceNew: true, reconnection: false });
    await once(authOnly, "connect");
    authOnly.disconnect();
  });

  it("keeps each process's sandboxes in a file of its own, so processes may share a data folder", async () => {
    const p1 = await start({ processName: "p1", dataDir: dir });
    const p2 = await start({ processName: "p2", dataDir: dir });
    const one = await createSandbox(p1.url);
    const two = await createSandbox(p2.url);
    for (const live of started.splice(0)) await live.close();
    expect(readdirSync(dir).sort()).toEqual(["sandboxes-p1.json", "sandboxes-p2.json"]);

    const again1 = await start({ processName: "p1", dataDir: dir });
    const again2 = await start({ processName: "p2", dataDir: dir });
    expect(again1.playground.registry.get(one.id)).toBeDefined();
    expect(again1.playground.registry.get(two.id)).toBeUndefined();
    expect(again2.playground.registry.get(two.id)).toBeDefined();
    await connectOwner(again2.url, two);
    for (const live of started.splice(0)) await live.close();

    // A file copied to another process's name: the balancer would never route those ids there, so they are left out.
    copyFileSync(join(dir, "sandboxes-p1.json"), join(dir, "sandboxes-p3.json"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const p3 = await start({ processName: "p3", dataDir: dir });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Skipped 1 sandboxes of another process in .*sandboxes-p3\.json: this process's ids start with "p3\."/));
    warn.mockRestore();
    expect(p3.playground.registry.size).toBe(0);
  });
});
