/** The scaling lesson's Adapter switch through a real Redis (`REDIS_URL`): @socket.io/redis-adapter between the two servers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { RedisLink } from "../../server/cluster/redis-link.ts";
import { startLive, waitFor, type Live, type RecordingClient } from "../support/live.ts";
import { startRedis, type RunningRedis } from "../support/redis-server.ts";
import { scalingKit } from "./scaling-kit.ts";

let redis: RunningRedis;
let live: Live;
/** The test's own connection to the same Redis, to look at what the playground did there. */
let spy: ReturnType<typeof createClient>;

beforeAll(async () => {
  redis = await startRedis();
  live = await startLive({ redisUrl: redis.url });
  expect(await RedisLink.find(redis.url)!.ready).toBe(true);
  spy = createClient({ url: redis.url });
  await spy.connect();
});

afterAll(async () => {
  spy?.destroy();
  await live?.close();
  await redis?.stop();
});

const { scalingSandbox, command, fourClients } = scalingKit(() => live);

const got = (client: RecordingClient, event: string, value?: unknown) => client.got.some(([name, arg]) => name === event && (value === undefined || arg === value));

/** The playground's channels in Redis now (its adapters' key prefix). */
async function playgroundChannels(): Promise<string[]> {
  return (await spy.sendCommand(["PUBSUB", "CHANNELS", "socket-playground:*"])) as string[];
}

describe("the Redis adapter", () => {
  it("on: a broadcast on either server reaches every client through Redis, in one delivery row naming each recipient's server", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: false });
    await owner.timeout(5000).emitWithAck("settings", { adapter: true });
    await waitFor(() => owner.feed.find((entry) => entry.text.startsWith("Adapter on: both servers now share the Redis adapter")), "the switch's console line");
    const clients = await fourClients(ticket);
    // The sandbox's adapters listen on Redis channels of their own.
    expect((await playgroundChannels()).length).toBeGreaterThanOrEqual(3);

    expect(await command(owner, 'server(2).io.emit("news", 2)')).toContain("→ A, B, C, D");
    await waitFor(() => clients.every((client) => got(client, "news", 2)), "every client got the news");
    const row = await waitFor(() => owner.trace.find((entry) => entry.event === "news"), "the news delivery");
    expect(row.node).toBe(2);
    expect(row.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B", "C", "D"]);
    for (const recipient of row.reached) expect(recipient.node).toBe(owner.sockets.find((socket) => socket.client === recipient.client)?.node);

    // With acknowledgements the other server delivers on a Redis request: still one row, every recipient counted.
    const asked = await command(owner, 'server(1).io.timeout(500).emit("question", 1)');
    expect(asked[0]).toBe("→ A, B, C, D");
    expect(asked[1]).toMatch(/^Timed out after 500 ms: 0 of 4 answered/);
    await waitFor(() => clients.every((client) => got(client, "question", 1)), "every client got the question");

    clients[0].emit("chat message", "from A");
    await waitFor(() => clients.every((client) => got(client, "chat message", "from A")), "everyone got A's message");
    await waitFor(() => owner.trace.some((entry) => entry.event === "chat message"), "the chat message delivery");
    const rows = owner.trace.filter((entry) => entry.event === "chat message");
    expect(rows).toHaveLength(1);
    expect(rows[0].reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B", "C", "D"]);
    expect(rows[0].trigger).toEqual({ client: "A", event: "chat message" });
  });

  it("off: io.emit on server 1 reaches server 1's clients only, although Redis is there", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: false });
    const clients = await fourClients(ticket);
    const reply = (await command(owner, 'server(1).io.emit("news", 1)')).join("\n");
    const onOne = clients.filter((client) => owner.sockets.find((socket) => socket.socketId === client.id)?.node === 1);
    expect(onOne).toHaveLength(2);
    await waitFor(() => onOne.every((client) => got(client, "news", 1)), "server 1's clients got it");
    // A broadcast on server 2 afterwards: once its clients have it, anything from server 1 would have come first.
    await command(owner, 'server(2).io.emit("later", 1)');
    const onTwo = clients.filter((client) => !onOne.includes(client));
    await waitFor(() => onTwo.every((client) => got(client, "later")), "server 2's clients got the later one");
    expect(onTwo.some((client) => got(client, "news"))).toBe(false);
    expect(reply).not.toMatch(/→ A, B, C, D/);
  });

  it("on: a room spans servers; fetchSockets() lists both servers' sockets; socketsJoin and serverSideEmit reach the other server", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: true });
    const [a, b, c, d] = await fourClients(ticket);
    await a.timeout(5000).emitWithAck("join", "lobby");
    await b.timeout(5000).emitWithAck("join", "lobby");
    expect(await command(owner, 'server(1).io.to("lobby").emit("news", 3)')).toContain("→ A, B");
    await waitFor(() => got(a, "news", 3) && got(b, "news", 3), "the lobby got it");

    const listed = (await command(owner, "server(2).io.fetchSockets()")).join("\n");
    for (const name of ["A", "B", "C", "D"]) expect(listed).toMatch(new RegExp(`\\b${name}\\b`));
    await command(owner, 'server(1).io.socketsJoin("everyone")');
    await waitFor(() => owner.sockets.filter((socket) => socket.rooms.includes("everyone")).length === 4, "all four sockets in the room");
    expect(await command(owner, 'server(2).io.to("everyone").emit("all", 1)')).toContain("→ A, B, C, D");
    await waitFor(() => [a, b, c, d].every((client) => got(client, "all")), "the room reached both servers");

    const [one, two] = live.playground.registry.get(ticket.id)!.servers;
    const heard = new Promise<unknown[]>((resolve) => two.on("hello" as never, ((...args: unknown[]) => resolve(args)) as never));
    one.serverSideEmit("hello" as never, "from server 1" as never);
    expect(await heard).toEqual(["from server 1"]);
  });

  it("keeps sandboxes apart: a broadcast in one never reaches another's clients, nor its fetchSockets()", async () => {
    const first = await scalingSandbox({ sticky: true, adapter: true });
    const second = await scalingSandbox({ sticky: true, adapter: true });
    const ours = await fourClients(first.ticket);
    const theirs = await fourClients(second.ticket);
    // The same namespace, the same room and the same event in both.
    for (const client of [...ours, ...theirs]) await client.timeout(5000).emitWithAck("join", "lobby");
    expect(await command(first.owner, 'server(1).io.to("lobby").emit("news", "first")')).toContain("→ A, B, C, D");
    expect(await command(first.owner, 'server(2).io.emit("news", "first")')).toContain("→ A, B, C, D");
    // The second sandbox's own broadcast comes after: Redis keeps one connection's order, so a leak would be there first.
    expect(await command(second.owner, 'server(1).io.emit("news", "second")')).toContain("→ A, B, C, D");
    await waitFor(() => theirs.every((client) => got(client, "news", "second")), "the second sandbox's clients got its own");
    expect(theirs.some((client) => got(client, "news", "first"))).toBe(false);
    expect(ours.every((client) => got(client, "news", "first") && !got(client, "news", "second"))).toBe(true);
    const listed = (await command(second.owner, "server(2).io.fetchSockets()")).join("\n");
    for (const client of ours) expect(listed).not.toContain(client.id!);
    for (const client of theirs) expect(listed).toContain(client.id!);
  });

  it("uses two Redis connections for the whole process, however many sandboxes; a closed run leaves no channel behind", async () => {
    const sandboxes = [];
    for (let index = 0; index < 3; index++) sandboxes.push(await scalingSandbox({ sticky: true, adapter: true }));
    const clients = ((await spy.sendCommand(["CLIENT", "LIST"])) as string).trim().split("\n");
    // The playground's pub and sub, plus this test's own connection.
    expect(clients).toHaveLength(3);

    const before = await playgroundChannels();
    for (const { owner } of sandboxes) await owner.timeout(5000).emitWithAck("settings", { program: "chat" });
    await waitFor(async () => (await playgroundChannels()).length <= before.length - 3 * 3 * 2, "the closed runs' channels gone");
  });

  it("a crash of server 2: its Redis subscriptions go with it, so server 1 stops counting it at once", async () => {
    const { ticket, owner } = await scalingSandbox({ sticky: true, adapter: true });
    const clients = await fourClients(ticket, ["websocket"], true);
    const [one] = live.playground.registry.get(ticket.id)!.servers;
    expect(await one.of("/").adapter.serverCount()).toBe(2);
    await owner.timeout(5000).emitWithAck("settings", { crashed: true });
    expect(await one.of("/").adapter.serverCount()).toBe(1);
    await waitFor(() => owner.sockets.length === 4 && owner.sockets.every((socket) => socket.node === 1), "every client on server 1", 15_000);
    expect(await command(owner, 'server(1).io.emit("news", 1)')).toContain("→ A, B, C, D");
    for (const client of clients) client.close();
  });
});

describe("without Redis", () => {
  it("an unreachable REDIS_URL: the Adapter switch falls back to the in-process adapter and says so", async () => {
    const nowhere = await startRedis();
    const url = nowhere.url;
    await nowhere.stop();
    const other = await startLive({ redisUrl: url });
    try {
      expect(await RedisLink.find(url)!.ready).toBe(false);
      const kit = scalingKit(() => other);
      const { ticket, owner } = await kit.scalingSandbox({ sticky: true, adapter: true });
      await waitFor(() => owner.feed.find((entry) => entry.text.startsWith("Redis (REDIS_URL) is not reachable")), "the fallback's console line");
      await kit.fourClients(ticket);
      expect(await kit.command(owner, 'server(1).io.emit("news", 1)')).toContain("→ A, B, C, D");
    } finally {
      await other.close();
    }
  });

  it("Redis gone mid-run: a broadcast stays on its own server, the console says why, nothing crashes", async () => {
    const own = await startRedis();
    const other = await startLive({ redisUrl: own.url });
    try {
      expect(await RedisLink.find(own.url)!.ready).toBe(true);
      const kit = scalingKit(() => other);
      const { ticket, owner } = await kit.scalingSandbox({ sticky: true, adapter: true });
      const clients = await kit.fourClients(ticket);
      await own.stop();
      await waitFor(() => !RedisLink.find(own.url)!.up, "the link sees Redis gone");
      const reply = (await kit.command(owner, 'server(1).io.emit("news", 1)')).join("\n");
      expect(reply).toMatch(/^→ [A-D], [A-D]$/);
      await waitFor(() => owner.feed.find((entry) => entry.text.startsWith("Redis failed")), "the failure's console line");
      // The sandbox goes on: a client's message still reaches its own server's clients.
      clients[0].emit("chat message", "still here");
      await waitFor(() => got(clients[0], "chat message", "still here"), "A's own server still answers");
    } finally {
      await other.close();
      await own.stop();
    }
  });
});
