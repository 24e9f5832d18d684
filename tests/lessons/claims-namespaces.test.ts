/** Every claim of lessons/04-namespaces.md, shown on a real sandbox running the namespaces program, with real clients. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gotEvents, once, sandboxWith, settle, startLive, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

const admin = { namespace: "/admin", auth: { token: "let-me-in" } };

describe("lesson 4: namespaces", () => {
  it("io stands for the main namespace: io.sockets is io.of('/'), and io.on('connection') registers there", async () => {
    const { io } = await sandboxWith("chat");
    expect(io.sockets).toBe(io.of("/"));
    const handler = () => undefined;
    io.on("connection", handler);
    expect(io.of("/").listeners("connection").at(-1)).toBe(handler);
  });

  it("same event name, a different handler per namespace; neither hears the other", async () => {
    const box = await sandboxWith("namespaces", { clients: [{}, {}, { namespace: "/admin", auth: "let-me-in" }] });
    const { A: a, B: b, C: c } = box.clients;
    a.emit("chat message", "hi");
    await Promise.all([once(a, "chat message"), once(b, "chat message")]);
    c.emit("chat message", "hi");
    expect(await once(c, "chat message")).toEqual(["[admin] hi"]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["hi"]]);
    expect(gotEvents(b, "chat message")).toEqual([["hi"]]);
    expect(gotEvents(c, "chat message")).toEqual([["[admin] hi"]]);
  });

  it("a room called lobby in / and in /admin is two rooms", async () => {
    const box = await sandboxWith("namespaces", { clients: [{ rooms: ["lobby"] }, { namespace: "/admin", auth: "let-me-in", rooms: ["lobby"] }] });
    const { A: a, B: b } = box.clients;
    expect(box.io.of("/").adapter.rooms.get("lobby")).toEqual(new Set([a.id]));
    expect(box.io.of("/admin").adapter.rooms.get("lobby")).toEqual(new Set([b.id]));
    box.io.to("lobby").emit("news", 1);
    box.io.of("/admin").to("lobby").emit("news", 2);
    await Promise.all([once(a, "news"), once(b, "news")]);
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[2]]);
  });

  it("the /admin middleware refuses a client without the token with a connect_error, and lets it in with the token", async () => {
    const box = await sandboxWith("namespaces");
    const refused = box.open({ namespace: "/admin" });
    const [error] = await once(refused, "connect_error");
    expect(error.message).toBe("Not authorized: wrong or missing auth token");
    expect(refused.connected).toBe(false);
    const wrong = box.open({ namespace: "/admin", auth: { token: "guess" } });
    expect((await once(wrong, "connect_error"))[0].message).toMatch(/^Not authorized/);
    const allowed = await box.join(admin);
    expect(allowed.connected).toBe(true);
    await settle();
    expect(box.logs).toContain("an admin connected");
    expect(box.logs.filter((line) => line === "an admin connected")).toHaveLength(1);
  });

  it("a client refused by the middleware does not retry by itself, even with reconnection on", async () => {
    const box = await sandboxWith("namespaces");
    const refused = box.open({ namespace: "/admin", reconnection: true, reconnectionDelay: 50 });
    const closed = once(refused.io, "close");
    let refusals = 0;
    refused.on("connect_error", () => refusals++);
    // The refusal makes the socket inactive, and its manager closes the connection on purpose ("forced close"):
    // nothing is left that could retry, whatever the reconnection options say.
    expect(await closed).toEqual(["forced close", undefined]);
    expect(refusals).toBe(1);
    expect(refused.active).toBe(false);
    refused.auth = admin.auth;
    refused.connect();
    await once(refused, "connect");
    expect(refusals).toBe(1);
  });

  it("the middleware belongs to /admin alone: / needs no token", async () => {
    const box = await sandboxWith("namespaces");
    const a = await box.join({ as: "A" });
    expect(a.connected).toBe(true);
  });

  it("connecting to /admin does not also connect to /", async () => {
    const box = await sandboxWith("namespaces");
    await box.join(admin);
    expect(box.io.of("/").sockets.size).toBe(0);
    expect(box.io.of("/admin").sockets.size).toBe(1);
  });

  it("tenant namespaces are created on demand by the regex, share the parent's handlers, and are isolated", async () => {
    const box = await sandboxWith("namespaces");
    expect(box.io._nsps.has("/tenant-acme")).toBe(false);
    const [a, b, c] = [await box.join({ namespace: "/tenant-acme" }), await box.join({ namespace: "/tenant-acme" }), await box.join({ namespace: "/tenant-globex" })];
    expect(box.io._nsps.has("/tenant-acme")).toBe(true);
    expect(box.io.of("/tenant-acme").sockets.get(a.id!)!.nsp.name).toBe("/tenant-acme");
    a.emit("chat message", "acme only");
    await Promise.all([once(a, "chat message"), once(b, "chat message")]);
    c.emit("chat message", "globex only");
    await once(c, "chat message");
    box.io.of("/tenant-acme").emit("news", 1);
    await Promise.all([once(a, "news"), once(b, "news")]);
    await settle();
    expect(box.logs).toContain("a user connected to /tenant-acme");
    expect(box.logs).toContain("a user connected to /tenant-globex");
    expect(gotEvents(c, "chat message")).toEqual([["globex only"]]);
    expect(gotEvents(a, "chat message")).toEqual([["acme only"]]);
    expect(gotEvents(c, "news")).toEqual([]);
  });

  it("a regex's parent namespace emits to every child namespace at once, and to nobody outside them", async () => {
    // The program keeps its parent namespace to itself: the test makes the same pattern on a chat sandbox.
    const box = await sandboxWith("chat");
    const tenants = box.io.of(/^\/tenant-[a-z]+$/);
    box.io.of("/admin");
    const [a, b, c, d] = [
      await box.join({ namespace: "/tenant-acme" }),
      await box.join({ namespace: "/tenant-globex" }),
      await box.join({ as: "C" }),
      await box.join({ namespace: "/admin" }),
    ];
    tenants.emit("news", 1);
    await Promise.all([once(a, "news"), once(b, "news")]);
    await settle();
    expect(gotEvents(c, "news")).toEqual([]);
    expect(gotEvents(d, "news")).toEqual([]);
  });

  it("a name that does not match the regex is refused with `Invalid namespace`", async () => {
    const box = await sandboxWith("namespaces");
    const refused = box.open({ namespace: "/tenant-42" });
    const [error] = await once(refused, "connect_error");
    expect(error.message).toBe("Invalid namespace");
  });

  it("io.emit reaches / only; io.of('/admin').emit reaches /admin only", async () => {
    const box = await sandboxWith("namespaces", { clients: [{}, { namespace: "/admin", auth: "let-me-in" }, { namespace: "/tenant-acme" }] });
    const { A: a, B: b, C: c } = box.clients;
    box.io.emit("news", 1);
    box.io.of("/admin").emit("news", 2);
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[2]]);
    expect(gotEvents(c, "news")).toEqual([]);
  });

  it("a client's namespaces share one connection, unless forceNew; packets of /admin carry the namespace name", async () => {
    const box = await sandboxWith("namespaces");
    const engines = new Set<string>();
    box.io.engine.on("connection", (conn: { id: string }) => engines.add(conn.id));
    const main = box.open({ as: "A", forceNew: false });
    const sideBySide = box.open({ ...admin, forceNew: false });
    expect(sideBySide.io).toBe(main.io);
    const frames: string[] = [];
    main.io.engine.on("packetCreate", (packet: { type: string; data?: unknown }) => frames.push(`4${String(packet.data)}`));
    await Promise.all([once(main, "connect"), once(sideBySide, "connect")]);
    expect(engines.size).toBe(1);
    const adminSocket = box.io.of("/admin").sockets.get(sideBySide.id!)!;
    const mainSocket = box.io.of("/").sockets.get(main.id!)!;
    expect(adminSocket.conn).toBe(mainSocket.conn);

    sideBySide.emit("chat message", "hi");
    main.emit("chat message", "hi");
    await Promise.all([once(sideBySide, "chat message"), once(main, "chat message")]);
    expect(frames).toContain('42/admin,["chat message","hi"]');
    expect(frames).toContain('42["chat message","hi"]');

    const separate = await box.join({ ...admin, forceNew: true });
    expect(separate.io).not.toBe(main.io);
    expect(engines.size).toBe(2);
  });

  it("the admin's connect packet names its namespace and carries the auth: 40/admin,{…}", async () => {
    const box = await sandboxWith("namespaces");
    const frames: string[] = [];
    box.io.engine.on("connection", (conn: { on(event: "packet", fn: (packet: { type: string; data?: unknown }) => void): void }) => {
      conn.on("packet", (packet) => {
        if (packet.type === "message") frames.push(`4${String(packet.data)}`);
      });
    });
    const client = await box.join(admin);
    client.emit("chat message", "hi");
    await once(client, "chat message");
    expect(frames).toEqual(['40/admin,{"token":"let-me-in"}', '42/admin,["chat message","hi"]']);
  });
});
