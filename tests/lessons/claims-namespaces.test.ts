/** Every claim of lessons/04-namespaces.md, shown on a real server running the namespaces program, with real clients. */
import { afterEach, describe, expect, it } from "vitest";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { gotEvents, next, settle, startProgram, until, type ProgramServer } from "./program-server.ts";

let server: ProgramServer;
const extra: ClientSocket[] = [];
afterEach(async () => {
  for (const client of extra.splice(0)) client.disconnect();
  await server?.close();
});

const admin = { auth: { token: "let-me-in" } };

describe("lesson 4: namespaces", () => {
  it("io stands for the main namespace: io.sockets is io.of('/'), and io.on('connection') registers there", async () => {
    server = await startProgram();
    expect(server.io.sockets).toBe(server.io.of("/"));
    const handler = () => undefined;
    server.io.on("connection", handler);
    expect(server.io.of("/").listeners("connection")).toEqual([handler]);
  });

  it("same event name, a different handler per namespace; neither hears the other", async () => {
    server = await startProgram("namespaces");
    const [a, b, c] = [await server.client(), await server.client(), await server.client("/admin", admin)];
    a.emit("chat message", "hi");
    await Promise.all([next(a, "chat message"), next(b, "chat message")]);
    c.emit("chat message", "hi");
    expect(await next(c, "chat message")).toEqual(["[admin] hi"]);
    await settle();
    expect(gotEvents(a, "chat message")).toEqual([["hi"]]);
    expect(gotEvents(b, "chat message")).toEqual([["hi"]]);
    expect(gotEvents(c, "chat message")).toEqual([["[admin] hi"]]);
  });

  it("a room called lobby in / and in /admin is two rooms", async () => {
    server = await startProgram("namespaces");
    const [a, b] = [await server.client(), await server.client("/admin", admin)];
    await a.emitWithAck("join", "lobby");
    await b.emitWithAck("join", "lobby");
    expect(server.io.of("/").adapter.rooms.get("lobby")).toEqual(new Set([a.id]));
    expect(server.io.of("/admin").adapter.rooms.get("lobby")).toEqual(new Set([b.id]));
    server.io.to("lobby").emit("news", 1);
    server.io.of("/admin").to("lobby").emit("news", 2);
    await Promise.all([next(a, "news"), next(b, "news")]);
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[2]]);
  });

  it("the /admin middleware refuses a client without the token with a connect_error, and lets it in with the token", async () => {
    server = await startProgram("namespaces");
    const refused = server.open("/admin");
    const [error] = (await next(refused, "connect_error")) as [Error];
    expect(error.message).toBe("Not authorized: wrong or missing auth token");
    expect(refused.connected).toBe(false);
    const wrong = server.open("/admin", { auth: { token: "guess" } });
    expect(((await next(wrong, "connect_error")) as [Error])[0].message).toMatch(/^Not authorized/);
    const allowed = await server.client("/admin", admin);
    expect(allowed.connected).toBe(true);
    expect(server.logs).toContain("an admin connected");
    expect(server.logs.filter((line) => line === "an admin connected")).toHaveLength(1);
  });

  it("a client refused by the middleware does not retry by itself, even with reconnection on", async () => {
    server = await startProgram("namespaces");
    const refused = server.open("/admin", { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 50 });
    let refusals = 0;
    refused.on("connect_error", () => refusals++);
    await until(() => refusals === 1, "the refusal");
    expect(refused.active).toBe(false);
    await settle(400);
    expect(refusals).toBe(1);
    refused.auth = admin.auth;
    refused.connect();
    await next(refused, "connect");
  });

  it("the middleware belongs to /admin alone: / needs no token", async () => {
    server = await startProgram("namespaces");
    const a = await server.client("/");
    expect(a.connected).toBe(true);
  });

  it("connecting to /admin does not also connect to /", async () => {
    server = await startProgram("namespaces");
    await server.client("/admin", admin);
    expect(server.io.of("/").sockets.size).toBe(0);
    expect(server.io.of("/admin").sockets.size).toBe(1);
  });

  it("tenant namespaces are created on demand by the regex, share the parent's handlers, and are isolated", async () => {
    server = await startProgram("namespaces");
    expect(server.io._nsps.has("/tenant-acme")).toBe(false);
    const [a, b, c] = [await server.client("/tenant-acme"), await server.client("/tenant-acme"), await server.client("/tenant-globex")];
    expect(server.io._nsps.has("/tenant-acme")).toBe(true);
    expect(server.logs).toContain("a user connected to /tenant-acme");
    expect(server.logs).toContain("a user connected to /tenant-globex");
    expect(server.io.of("/tenant-acme").sockets.get(a.id!)!.nsp.name).toBe("/tenant-acme");
    a.emit("chat message", "acme only");
    await Promise.all([next(a, "chat message"), next(b, "chat message")]);
    c.emit("chat message", "globex only");
    await next(c, "chat message");
    server.io.of("/tenant-acme").emit("news", 1);
    await Promise.all([next(a, "news"), next(b, "news")]);
    await settle();
    expect(gotEvents(c, "chat message")).toEqual([["globex only"]]);
    expect(gotEvents(a, "chat message")).toEqual([["acme only"]]);
    expect(gotEvents(c, "news")).toEqual([]);
  });

  it("a regex's parent namespace emits to every child namespace at once, and to nobody outside them", async () => {
    // A plain server with the program's pattern: the program keeps its parent namespace in `tenants`.
    server = await startProgram();
    const tenants = server.io.of(/^\/tenant-[a-z]+$/);
    server.io.of("/admin");
    const [a, b, c, d] = [await server.client("/tenant-acme"), await server.client("/tenant-globex"), await server.client("/"), await server.client("/admin")];
    tenants.emit("news", 1);
    await Promise.all([next(a, "news"), next(b, "news")]);
    await settle();
    expect(gotEvents(c, "news")).toEqual([]);
    expect(gotEvents(d, "news")).toEqual([]);
  });

  it("a name that does not match the regex is refused with `Invalid namespace`", async () => {
    server = await startProgram("namespaces");
    const refused = server.open("/tenant-42");
    const [error] = (await next(refused, "connect_error")) as [Error];
    expect(error.message).toBe("Invalid namespace");
  });

  it("io.emit reaches / only; io.of('/admin').emit reaches /admin only", async () => {
    server = await startProgram("namespaces");
    const [a, b, c] = [await server.client(), await server.client("/admin", admin), await server.client("/tenant-acme")];
    server.io.emit("news", 1);
    server.io.of("/admin").emit("news", 2);
    await Promise.all([next(a, "news"), next(b, "news")]);
    await settle();
    expect(gotEvents(a, "news")).toEqual([[1]]);
    expect(gotEvents(b, "news")).toEqual([[2]]);
    expect(gotEvents(c, "news")).toEqual([]);
  });

  it("a client's namespaces share one connection, unless forceNew; packets of /admin carry the namespace name", async () => {
    server = await startProgram("namespaces");
    const engines = new Set<string>();
    server.io.engine.on("connection", (conn: { id: string }) => engines.add(conn.id));
    const options = { transports: ["websocket"], reconnection: false };
    const main = connect(server.url, options);
    const frames: string[] = [];
    const sideBySide = connect(`${server.url}/admin`, { ...options, ...admin });
    extra.push(main, sideBySide);
    expect(sideBySide.io).toBe(main.io);
    main.io.engine.on("packetCreate", (packet: { type: string; data?: unknown }) => frames.push(`4${String(packet.data)}`));
    await Promise.all([next(main, "connect"), next(sideBySide, "connect")]);
    expect(engines.size).toBe(1);
    const adminSocket = server.io.of("/admin").sockets.get(sideBySide.id!)!;
    const mainSocket = server.io.of("/").sockets.get(main.id!)!;
    expect(adminSocket.conn).toBe(mainSocket.conn);

    sideBySide.emit("chat message", "hi");
    main.emit("chat message", "hi");
    await Promise.all([next(sideBySide, "chat message"), next(main, "chat message")]);
    expect(frames).toContain('42/admin,["chat message","hi"]');
    expect(frames).toContain('42["chat message","hi"]');

    const separate = connect(`${server.url}/admin`, { ...options, ...admin, forceNew: true });
    extra.push(separate);
    await next(separate, "connect");
    expect(separate.io).not.toBe(main.io);
    expect(engines.size).toBe(2);
  });

  it("the admin's connect packet names its namespace and carries the auth: 40/admin,{…}", async () => {
    server = await startProgram("namespaces");
    const frames: string[] = [];
    server.io.engine.on("connection", (conn: { on(event: "packet", fn: (packet: { type: string; data?: unknown }) => void): void }) => {
      conn.on("packet", (packet) => {
        if (packet.type === "message") frames.push(`4${String(packet.data)}`);
      });
    });
    const client = connect(`${server.url}/admin`, { transports: ["websocket"], reconnection: false, forceNew: true, ...admin });
    extra.push(client);
    await next(client, "connect");
    client.emit("chat message", "hi");
    await next(client, "chat message");
    expect(frames).toEqual(['40/admin,{"token":"let-me-in"}', '42/admin,["chat message","hi"]']);
  });
});
