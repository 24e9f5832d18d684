/** The scaling lesson's sandbox on a real server: two nodes behind the balancer, sticky sessions, the cluster adapter. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connection, joinSandbox, settle, startLive, waitFor, type Live } from "../support/live.ts";
import { scalingKit } from "./scaling-kit.ts";

let live: Live;

beforeAll(async () => {
  live = await startLive();
});

afterAll(async () => {
  await live?.close();
});

const { scalingSandbox, command, fourClients, nodeOf } = scalingKit(() => live);

describe("the balancer", () => {
  it("without sticky sessions: a polling client gets Engine.IO's Session ID unknown, a WebSocket-only client works", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: false });
    const polling = joinSandbox(live.url, ticket, { as: "A", transports: ["polling"] });
    const refusal = await connection(polling);
    expect(refusal?.message).toBe("xhr post error");
    const line = await waitFor(() => owner.feed.find((entry) => entry.text.includes("Session ID unknown")), "the console line about the unknown session");
    expect(line.text).toMatch(/^A's polling request reached server 2, which does not know its session \S+ \(it lives on server 1\): Engine\.IO answered 400 "Session ID unknown"/);

    // The request itself, as Engine.IO answers it on the node that does not know the session.
    const handshake = await fetch(`${live.url}${ticket.path}/?EIO=4&transport=polling`);
    const sid = JSON.parse((await handshake.text()).slice(1)).sid as string;
    // Two requests in a row on that session: round-robin sends one of them to the other server.
    const answers: { status: number; body: string }[] = [];
    for (const _ of [1, 2]) {
      const response = await fetch(`${live.url}${ticket.path}/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", headers: { "content-type": "text/plain" }, body: "6" });
      answers.push({ status: response.status, body: await response.text() });
    }
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(JSON.parse(answers.find((answer) => answer.status === 400)!.body).error).toMatch(/^Session ID unknown: /);

    const websocket = joinSandbox(live.url, ticket, { as: "B", transports: ["websocket"] });
    expect(await connection(websocket)).toBeUndefined();
  });

  it("with sticky sessions: polling clients connect and stay, spread over both servers; each socket names its node", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true });
    const clients = await fourClients(ticket, ["polling", "websocket"]);
    await waitFor(() => owner.sockets.length === 4, "four sockets listed");
    // Round-robin follows the order the handshakes reach the balancer, not the order the clients were made,
    // so the test reads each socket's node instead of assuming one.
    const nodes = ["A", "B", "C", "D"].map((name) => nodeOf(owner, name));
    expect(new Set(nodes)).toEqual(new Set([1, 2]));
    await waitFor(() => clients.every((client) => client.io.engine.transport.name === "websocket"), "every client upgraded to WebSocket");
    expect(owner.feed.some((entry) => entry.text.includes("Session ID unknown"))).toBe(false);
    expect(owner.feed.some((entry) => entry.text === `C connected to / on server ${nodes[2]} (id ${clients[2].id})`)).toBe(true);
  });
});

describe("the adapter", () => {
  it("off: io.emit on server 1 reaches server 1's clients only", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: false });
    const [a, b, c, d] = await fourClients(ticket);
    expect(await command(owner, 'server(1).io.emit("news", 1)')).toContain("→ A, C");
    await settle();
    expect([a, b, c, d].map((client) => client.got.some(([event]) => event === "news"))).toEqual([true, false, true, false]);
    const row = await waitFor(() => owner.trace.find((entry) => entry.event === "news"), "the news delivery");
    expect(row.reached.map((recipient) => recipient.client)).toEqual(["A", "C"]);

    b.emit("chat message", "from B");
    await waitFor(() => d.got.some(([event, text]) => event === "chat message" && text === "from B"), "D got B's message");
    await settle();
    expect(a.got.some(([event]) => event === "chat message")).toBe(false);
  });

  it("on: io.emit on either server reaches every client, in one delivery row", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: true });
    const clients = await fourClients(ticket);
    expect(await command(owner, 'server(2).io.emit("news", 2)')).toContain("→ A, B, C, D");
    const row = await waitFor(() => owner.trace.find((entry) => entry.event === "news"), "the news delivery");
    expect(row.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B", "C", "D"]);
    clients[0].emit("chat message", "from A");
    await waitFor(() => clients.every((client) => client.got.some(([event, text]) => event === "chat message" && text === "from A")), "everyone got A's message");
    await waitFor(() => owner.trace.some((entry) => entry.event === "chat message"), "the chat message delivery");
    await settle();
    const rows = owner.trace.filter((entry) => entry.event === "chat message");
    expect(rows).toHaveLength(1);
    expect(rows[0].reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B", "C", "D"]);
  });

  it("on: a room spans servers, fetchSockets() lists every server's sockets, socketsJoin reaches them all", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: true });
    const [a, b, c, d] = await fourClients(ticket);
    await a.timeout(5000).emitWithAck("join", "lobby");
    await b.timeout(5000).emitWithAck("join", "lobby");
    expect(await command(owner, 'server(1).io.to("lobby").emit("news", 3)')).toContain("→ A, B");
    const listed = (await command(owner, "server(2).io.fetchSockets()")).join("\n");
    for (const name of ["A", "B", "C", "D"]) expect(listed).toContain(name);
    await command(owner, 'server(1).io.socketsJoin("everyone")');
    await waitFor(() => owner.sockets.filter((socket) => socket.rooms.includes("everyone")).length === 4, "all four sockets in the room");
    void c;
    void d;
  });

  it("off: fetchSockets() on a server sees its own sockets only", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: false });
    await fourClients(ticket);
    const listed = (await command(owner, "server(2).io.fetchSockets()")).join("\n");
    expect(listed).toContain("B");
    expect(listed).toContain("D");
    expect(listed).not.toMatch(/\bA\b/);
  });

  it("on: serverSideEmit reaches the other server", async () => {
    const { ticket } = await scalingSandbox({ sticky: true, adapter: true });
    const [one, two] = live.playground.registry.get(ticket.id)!.servers;
    const heard = new Promise<unknown[]>((resolve) => two.on("hello" as never, ((...args: unknown[]) => resolve(args)) as never));
    one.serverSideEmit("hello" as never, "from server 1" as never);
    expect(await heard).toEqual(["from server 1"]);
  });

  it("takes server(N). only for nodes that exist, and only in the scaling lesson", async () => {
    const { owner } = await scalingSandbox({});
    const missing = await owner.timeout(5000).emitWithAck("command", 'server(3).io.emit("x")');
    expect(missing).toMatchObject({ ok: false, error: "This sandbox runs servers 1 to 2; there is no server 3." });
    const bad = await owner.timeout(5000).emitWithAck("command", "server(1).io.nope()");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.position).toBeGreaterThanOrEqual("server(1).io.".length);
    await owner.timeout(5000).emitWithAck("settings", { program: "chat" });
    const single = await owner.timeout(5000).emitWithAck("command", 'server(1).io.emit("x")');
    expect(single).toMatchObject({ ok: false });
  });
});


describe("a crash", () => {
  it("server 2 crashes: its clients reconnect to server 1, which stops waiting for server 2 once its heartbeat is missing", { timeout: 30_000 }, async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: true });
    // They reconnect by themselves, as socket.io-client does by default.
    const clients = await fourClients(ticket, ["websocket"], true);
    await waitFor(() => owner.sockets.length === 4, "four sockets listed");
    const onTwo = ["A", "B", "C", "D"].filter((name) => nodeOf(owner, name) === 2);
    expect(onTwo).toHaveLength(2);
    const [one] = live.playground.registry.get(ticket.id)!.servers;
    expect(await one.of("/").adapter.serverCount()).toBe(2);

    const state = await owner.timeout(5000).emitWithAck("settings", { crashed: true });
    expect(state.ok && state.data.crashed).toBe(true);
    // Server 2 said no goodbye: server 1 still counts it until its heartbeat has been missing for 3 s.
    expect(await one.of("/").adapter.serverCount()).toBe(2);
    await waitFor(() => owner.feed.find((entry) => entry.text.startsWith("Server 2 crashed: its 2 clients lost the connection")), "the crash's console line");
    // Asked at once, while server 1 still counts server 2: it waits for the heartbeat timeout instead of timing out.
    const listed = (await command(owner, "server(1).io.fetchSockets()")).join("\n");
    expect(listed).not.toMatch(/timeout/i);
    await waitFor(async () => (await one.of("/").adapter.serverCount()) === 1, "server 1 forgot server 2", 10_000);
    await waitFor(() => owner.sockets.length === 4 && owner.sockets.every((socket) => socket.node === 1), "every client on server 1", 15_000);
    const after = (await command(owner, "server(1).io.fetchSockets()")).join("\n");
    for (const name of ["A", "B", "C", "D"]) expect(after).toMatch(new RegExp(`\\b${name}\\b`));
    expect(await command(owner, 'server(1).io.emit("news", 1)')).toContain("→ A, B, C, D");
    const refused = await owner.timeout(5000).emitWithAck("command", "server(2).io.fetchSockets()");
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^Server 2 is down/) });

    // Back on: a fresh server 2 joins the cluster (its first heartbeat) and takes new connections again.
    await owner.timeout(5000).emitWithAck("settings", { crashed: false });
    await waitFor(async () => (await one.of("/").adapter.serverCount()) === 2, "server 1 sees server 2 again");
    for (const client of clients) client.close();
  });
});
