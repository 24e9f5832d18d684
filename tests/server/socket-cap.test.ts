/** The socket cap holds on every transport: checked at the Engine.IO handshake and at each CONNECT, before a socket exists. */
import { afterEach, describe, expect, it } from "vitest";
import { connection, connectOwner, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live } from "../support/live.ts";
import { joinRaw, openRaw, type RawConnection } from "../support/raw-engine.ts";
import type { SandboxTicket } from "../../contract/protocol.ts";

let live: Live;
afterEach(() => live.close());

const sandbox = (ticket: SandboxTicket) => live.playground.registry.get(ticket.id)!;
const refusalOf = (message: string) => JSON.parse(message.slice(message.indexOf("{"))).message as string;

const joined = (ticket: SandboxTicket, transport: "websocket" | "polling") => joinRaw(live.url, ticket.path, transport);

describe.each(["websocket", "polling"] as const)("the socket cap over %s", (transport) => {
  it("a handshake over the cap is refused: the first few hear why in a connect_error, the rest get a 403 with the reason", async () => {
    live = await startLive({ maxSocketsPerSandbox: 2 });
    const ticket = await createSandbox(live.url);
    const first = await joined(ticket, transport);
    // A connection that has joined no namespace yet holds a place too.
    const idle = await openRaw(live.url, ticket.path, transport);
    const attempts = await Promise.all(Array.from({ length: 12 }, () => openRaw(live.url, ticket.path, transport).catch((error: Error) => error)));
    const refusedAtOnce = attempts.filter((attempt) => attempt instanceof Error);
    const letIn = attempts.filter((attempt): attempt is RawConnection => !(attempt instanceof Error));
    expect(letIn.length).toBeLessThanOrEqual(4);
    expect(refusedAtOnce.length).toBeGreaterThanOrEqual(8);
    // A refused handshake is a 403 with the reason as JSON, on either transport (server/http/engine-answers.ts).
    for (const error of refusedAtOnce) expect(error.message).toMatch(/refused: 403 \{"error":"This sandbox is full \(2 sockets\)/);
    for (const raw of letIn) {
      await raw.send("0");
      expect(refusalOf(await raw.next((message) => message.startsWith("4"), "the connect_error"))).toMatch(/this sandbox is full \(2 sockets\)/);
      await raw.ended();
    }
    expect(sandbox(ticket).socketCount).toBe(1);
    idle.close();
    first.close();
  });

  it("one payload of 20,000 CONNECT packets opens one socket, then the connection closes with the reason", async () => {
    live = await startLive({ maxSocketsPerSandbox: 64 });
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const raw = await openRaw(live.url, ticket.path, transport);
    if (transport === "polling") await raw.send(...Array.from({ length: 20_000 }, () => "0"));
    else for (let i = 0; i < 200; i++) await raw.send("0"); // one frame each over WebSocket
    const refusal = await raw.next((message) => message.startsWith("4"), "the connect_error");
    expect(refusalOf(refusal)).toMatch(/External \d+ sent a second CONNECT for \/, which this connection is already (connecting|connected) to; Socket.IO closed the connection\./);
    await raw.ended();
    await settle();
    expect(sandbox(ticket).socketCount).toBe(0);
    expect(owner.feed.filter((entry) => entry.kind === "connection").length).toBeLessThanOrEqual(1);
  });

  it("CONNECTs for many namespaces in one connection stop at 10 namespaces, and at the cap", async () => {
    live = await startLive({ maxSocketsPerSandbox: 12 });
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.timeout(5000).emitWithAck("settings", { program: "namespaces" });
    const raw = await openRaw(live.url, ticket.path, transport);
    const tenants = Array.from({ length: 200 }, (_, i) => `/tenant-${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
    await raw.send(...tenants.map((nsp) => `0${nsp},`));
    await raw.next((message) => message.startsWith(`4${tenants[199]},`), "the last refusal");
    const answers = () => raw.messages.filter((message): message is string => typeof message === "string");
    await waitFor(() => answers().filter((message) => message.startsWith("0/")).length === 10, "ten namespaces joined");
    await settle();
    expect(answers().filter((message) => message.startsWith("0/")).length).toBe(10);
    expect(refusalOf(answers().find((message) => message.startsWith("4/"))!)).toMatch(/one connection may join at most 10 namespaces at once/);
    expect(sandbox(ticket).socketCount).toBe(10);
    // A second connection fills the last places; a namespace past the cap is refused, its first one was not.
    const other = await openRaw(live.url, ticket.path, transport);
    await other.send("0/tenant-zz,", "0/tenant-zy,", "0/tenant-zx,");
    await other.next((message) => message.startsWith("4/tenant-zx,"), "the refusal at the cap");
    expect(refusalOf(other.messages.find((message): message is string => typeof message === "string" && message.startsWith("4/"))!)).toMatch(
      /could not connect to \/tenant-zx: this sandbox is full \(12 sockets\)/,
    );
    expect(sandbox(ticket).socketCount).toBe(12);
    raw.close();
    other.close();
  });
});

describe("a full sandbox whose clients reconnect at once", () => {
  it("gives their places back as soon as they leave, so a page resetting its clients is never refused", async () => {
    live = await startLive({ maxSocketsPerSandbox: 3 });
    const ticket = await createSandbox(live.url);
    for (let round = 0; round < 5; round++) {
      const clients = ["A", "B", "C"].map((as) => joinSandbox(live.url, ticket, { as }));
      expect(await Promise.all(clients.map((client) => connection(client))), `round ${round}`).toEqual([undefined, undefined, undefined]);
      for (const client of clients) client.disconnect();
    }
  });
});

describe("dynamic namespaces", () => {
  it("are capped per sandbox, and an empty one is removed and forgotten, so a new one can open", async () => {
    live = await startLive({ maxNamespaces: 4 });
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.timeout(5000).emitWithAck("settings", { program: "namespaces" });
    // "/" and "/admin" are the program's own: two tenants fit.
    const one = joinSandbox(live.url, ticket, { namespace: "/tenant-one" });
    const two = joinSandbox(live.url, ticket, { namespace: "/tenant-two" });
    expect([await connection(one), await connection(two)]).toEqual([undefined, undefined]);
    const three = joinSandbox(live.url, ticket, { namespace: "/tenant-three" });
    expect((await connection(three))?.message).toMatch(/could not connect to \/tenant-three: this sandbox already has 4 namespaces, the limit/);
    await waitFor(() => owner.feed.find((entry) => entry.text.includes("4 namespaces, the limit")), "the console line");
    one.disconnect();
    await waitFor(() => !sandbox(ticket).io._nsps.has("/tenant-one"), "the empty namespace to go");
    await waitFor(() => owner.sockets.every((socket) => socket.nsp !== "/tenant-one"), "the owner's list to forget it");
    const four = joinSandbox(live.url, ticket, { namespace: "/tenant-four" });
    expect(await connection(four)).toBeUndefined();
    const got = once(four, "chat message");
    four.emit("chat message", "hello tenant four");
    expect(await got).toEqual(["hello tenant four"]);
  });

  it("20,000 tenant namespaces asked for in one polling payload leave at most the cap behind", async () => {
    live = await startLive();
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.timeout(5000).emitWithAck("settings", { program: "namespaces" });
    const raw = await openRaw(live.url, ticket.path, "polling");
    const name = (i: number) => `/tenant-${i.toString(26).replace(/[0-9]/g, (d) => "qrstuvwxyz"[Number(d)])}`;
    await raw.send(...Array.from({ length: 20_000 }, (_, i) => `0${name(i)},`));
    await raw.next((message) => message.startsWith("4/"), "the first refusal");
    expect(sandbox(ticket).io._nsps.size).toBeLessThanOrEqual(live.playground.options.maxNamespaces);
    raw.close();
    await waitFor(() => sandbox(ticket).io._nsps.size === 2, "only the program's own namespaces to remain");
  });
});
