/** Caps and timeouts: too many sandboxes, too many sockets, an unknown id, an idle sandbox. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { io as connect } from "socket.io-client";
import { connectOwner, createSandbox, joinSandbox, once, startLive, type Live } from "../support/live.ts";

let live: Live | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

describe("limits", () => {
  it("refuses a sandbox over the cap with 503 and a JSON reason", async () => {
    live = await startLive({ maxSandboxes: 2 });
    await createSandbox(live.url);
    await createSandbox(live.url);
    const response = await fetch(`${live.url}/api/sandboxes`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toMatch(/full/);
    expect(live.playground.registry.size).toBe(2);
  });

  it("refuses a socket over the per-sandbox cap with a connect_error, and the others keep working", async () => {
    live = await startLive({ maxSocketsPerSandbox: 2 });
    const ticket = await createSandbox(live.url);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    const b = joinSandbox(live.url, ticket, { as: "B" });
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    const c = joinSandbox(live.url, ticket, { as: "C" });
    const [error] = await once(c, "connect_error");
    expect(error.message).toMatch(/full \(2 sockets\)/);
    const got = once(b, "chat message");
    a.emit("chat message", "still here");
    expect(await got).toEqual(["still here"]);
  });

  it("refuses an unknown sandbox id clearly over WebSocket, polling and plain HTTP", async () => {
    live = await startLive();
    const unknown = { id: "no-such-sandbox", token: "", clientKey: "", path: "/sandbox/no-such-sandbox/socket.io" };
    for (const transports of [["websocket"], ["polling"]] as const) {
      const client = joinSandbox(live.url, unknown, { transports: [...transports] });
      const [error] = await once(client, "connect_error");
      expect(error.message, transports[0]).toMatch(/No sandbox with this id/);
      client.disconnect();
    }
    const owner = connect(live.url, { path: "/control/socket.io", forceNew: true, reconnection: false, auth: { sandbox: "nope", token: "x" } });
    const [error] = await once(owner, "connect_error");
    expect(error.message).toMatch(/Unknown sandbox/);
    owner.disconnect();
    const response = await fetch(`${live.url}/api/sandboxes`);
    expect(response.status).toBe(405);
    expect(await response.json()).toHaveProperty("error");
  });

  it("closes and forgets a sandbox that has had no sockets and no owner for the idle time", async () => {
    live = await startLive({ idleMs: 60_000 });
    const { registry } = live.playground;
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    // The sweep takes its clock: an hour from now, a sandbox in use is still kept.
    registry.sweep(Date.now() + 3_600_000);
    expect(registry.get(ticket.id), "in use, so kept").toBeDefined();
    a.disconnect();
    owner.disconnect();
    await vi.waitFor(() => {
      registry.sweep(Date.now() + 60_000); // one idle time after the last disconnect the server has seen
      expect(registry.get(ticket.id), "the idle sandbox closes").toBeUndefined();
    }, { timeout: 10_000 });
    const late = joinSandbox(live.url, ticket);
    const [error] = await once(late, "connect_error");
    expect(error.message).toMatch(/No sandbox with this id/);
  });
});
