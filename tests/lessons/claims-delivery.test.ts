/** Every claim of lessons/07-delivery.md, shown on a real sandbox running the delivery program and its real SQLite database, with real clients. */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { NetworkLink } from "../../playground/src/live/network-link.ts";
import { programServerOptions } from "../../server/programs/server-options.ts";
import { sharedLedger } from "../../server/store/sandbox-database.ts";
import { defaultOptions } from "../../server/config.ts";
import { challengeChecks } from "../../contract/challenge-checks.ts";
import { gotEvents, once, sandboxWith, settle, startLive, waitFor, type Live, type SandboxBox } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

type Client = ClientSocket & { got: unknown[][] };
const mine: Client[] = [];
afterEach(() => {
  for (const client of mine.splice(0)) client.disconnect();
});

interface DeliveryClientOptions {
  retries?: number;
  ackTimeout?: number;
  serverOffset?: unknown;
}

/** A simulated client as the lesson's cards make it: `io()` with the card's delivery options, recording what it receives. */
async function deliveryClient(box: SandboxBox, name: string | undefined, { retries, ackTimeout = 10_000, serverOffset }: DeliveryClientOptions = {}): Promise<Client> {
  const client = connect(`${box.live.url}/`, {
    path: box.ticket.path,
    forceNew: true,
    transports: ["websocket"],
    query: name === undefined ? {} : { client: name, key: box.ticket.clientKey },
    reconnectionDelay: 200,
    reconnectionDelayMax: 200,
    ackTimeout,
    ...(retries === undefined ? {} : { retries }),
    ...(serverOffset === undefined ? {} : { auth: { serverOffset } }),
  }) as Client;
  client.got = [];
  client.onAny((event: string, ...args: unknown[]) => client.got.push([event, ...args]));
  mine.push(client);
  await once(client, "connect");
  return client;
}

/** A delivery sandbox with the UNIQUE client_offset switch as asked. */
async function deliverySandbox(unique: boolean, from = live): Promise<SandboxBox> {
  const box = await sandboxWith("delivery", { live: from, settings: { unique } });
  return box;
}

/** The card's Send: the message, a clientOffset unique to it, and a callback for the server's acknowledgement. */
function send(client: ClientSocket, message: string, clientOffset: unknown): Promise<{ err: Error | null; response?: unknown }> {
  return new Promise((resolve) => client.emit("chat message", message, clientOffset, (err: Error | null, response?: unknown) => resolve({ err, response })));
}

const stored = (box: SandboxBox) => box.logs.filter((line) => line.startsWith("stored #"));
const warnings = (box: SandboxBox) => box.owner.feed.filter((entry) => entry.level === "warn").map((entry) => entry.text);

describe("lesson 7: delivery guarantees", () => {
  it("the program's file sets the heartbeat the sandbox runs with (2 s), and the UNIQUE switch restarts the server with a fresh database", async () => {
    const text = readFileSync(new URL("../../server/programs/delivery.js", import.meta.url), "utf8");
    const heartbeat = programServerOptions.delivery!.heartbeat!;
    expect(text).toContain(`pingInterval: ${heartbeat.pingInterval},`);
    expect(text).toContain(`pingTimeout: ${heartbeat.pingTimeout},`);
    const box = await deliverySandbox(false);
    expect(box.io.engine.opts.pingInterval).toBe(2000);
    const a = await deliveryClient(box, "A");
    expect(await send(a, "kept?", "A-0")).toEqual({ err: null });
    const before = box.io;
    const state = await box.settings({ unique: true });
    expect(state.unique).toBe(true);
    expect(box.io).not.toBe(before);
    const b = await deliveryClient(box, "B", { serverOffset: 0 });
    await settle();
    expect(gotEvents(b as never, "chat message")).toEqual([]); // a fresh database: nothing stored
  });

  it("at most once: a message emitted while A is offline is stored but never reaches A, which comes back as a new socket", async () => {
    const box = await deliverySandbox(false);
    const a = await deliveryClient(box, "A");
    const b = await deliveryClient(box, "B");
    const link = new NetworkLink(a.io);
    const id = a.id!;
    const gone = once(a, "disconnect");
    link.goOffline();
    expect((await gone)[0]).toBe("transport close");
    await waitFor(() => box.owner.feed.find((entry) => entry.text === `A disconnected from / (ping timeout)`), "the server to notice A is gone", 10_000);
    expect(await send(b, "are you there?", "B-0")).toEqual({ err: null });
    await settle();
    expect(stored(box)).toEqual(["stored #1: are you there? (client_offset B-0)"]);
    const delivery = box.owner.trace.find((entry) => entry.call.startsWith("io.emit("));
    expect(delivery?.reached.map((recipient) => recipient.client)).toEqual(["B"]);
    expect(delivery?.args).toEqual(["are you there?", 1]);
    link.goOnline();
    await once(a, "connect");
    await settle();
    expect(a.id).not.toBe(id);
    expect(gotEvents(a as never, "chat message")).toEqual([]);
  }, 20_000);

  it("server delivery: each emit carries its offset; a client sending auth.serverOffset gets every stored message after it, even one missed before", async () => {
    const box = await deliverySandbox(false);
    const b = await deliveryClient(box, "B");
    await send(b, "are you there?", "B-0");
    await send(b, "hello", "B-1");
    expect(gotEvents(b as never, "chat message")).toEqual([
      ["are you there?", 1],
      ["hello", 2],
    ]);
    // Send serverOffset ticked on a card that got nothing: it connects with 0 and gets both, in order
    const a = await deliveryClient(box, "A", { serverOffset: 0 });
    await waitFor(() => gotEvents(a as never, "chat message").length === 2, "A to get what was stored");
    expect(gotEvents(a as never, "chat message")).toEqual([
      ["are you there?", 1],
      ["hello", 2],
    ]);
    await settle();
    const replays = box.owner.trace.filter((entry) => entry.call.startsWith("socket.emit("));
    expect(replays.map((entry) => [entry.args, entry.reached.map((recipient) => recipient.client)])).toEqual([
      [["are you there?", 1], ["A"]],
      [["hello", 2], ["A"]],
    ]);
  });

  it("a client that reconnects with its last offset gets only what it missed, just after connecting; an emit that was never stored is not sent again", async () => {
    const box = await deliverySandbox(false);
    const b = await deliveryClient(box, "B");
    const a = await deliveryClient(box, "A", { serverOffset: 0 });
    await send(b, "before", "B-0");
    await waitFor(() => gotEvents(a as never, "chat message").length === 1, "A to get the first message");
    // the card's client code: the last offset goes into auth for the next connection
    a.on("chat message", (_msg: unknown, offset: unknown) => {
      if (typeof offset === "number") a.auth = { serverOffset: offset };
    });
    a.auth = { serverOffset: 1 };
    const link = new NetworkLink(a.io);
    link.goOffline();
    await waitFor(() => box.owner.feed.find((entry) => entry.text === `A disconnected from / (ping timeout)`), "the server to notice A is gone", 10_000);
    await send(b, "missed you", "B-1");
    expect((await box.command('io.emit("chat message", "not stored")')).ok).toBe(true);
    const order: string[] = [];
    a.onAny((event: string, ...args: unknown[]) => order.push(`${event} ${String(args[0])}`));
    a.once("connect", () => order.push("connect"));
    link.goOnline();
    await once(a, "connect");
    await waitFor(() => gotEvents(a as never, "chat message").length === 2, "A to get what it missed");
    await settle();
    expect(order).toEqual(["connect", "chat message missed you"]);
    expect(gotEvents(a as never, "chat message")).toEqual([
      ["before", 1],
      ["missed you", 2],
    ]);
  }, 20_000);

  it("client delivery: with latency 500 ms, ackTimeout 800 and retries 1, the late ack makes A send again and the server stores the message twice", async () => {
    const box = await deliverySandbox(false);
    const b = await deliveryClient(box, "B");
    const a = await deliveryClient(box, "A", { retries: 1, ackTimeout: 800 });
    const link = new NetworkLink(a.io);
    link.latencyMs = 500;
    const tries: unknown[][] = [];
    a.onAnyOutgoing((...args: unknown[]) => tries.push(args));
    const outcome = await send(a, "one", "A-0");
    expect(outcome.err?.message).toBe("operation has timed out");
    expect(tries).toEqual([
      ["chat message", "one", "A-0"],
      ["chat message", "one", "A-0"],
    ]);
    await waitFor(() => gotEvents(b as never, "chat message").length === 2, "B to get both copies");
    expect(stored(box)).toEqual(["stored #1: one (client_offset A-0)", "stored #2: one (client_offset A-0)"]);
    expect(gotEvents(b as never, "chat message")).toEqual([
      ["one", 1],
      ["one", 2],
    ]);
    expect(box.owner.trace.filter((entry) => entry.call.startsWith("io.emit(")).length).toBe(2);
  }, 15_000);

  it("idempotency: with client_offset UNIQUE the retry fails with SQLITE_CONSTRAINT (errno 19), is only acknowledged, and B gets the message once", async () => {
    const box = await deliverySandbox(true);
    const b = await deliveryClient(box, "B");
    const a = await deliveryClient(box, "A", { retries: 1, ackTimeout: 800 });
    const link = new NetworkLink(a.io);
    link.latencyMs = 500;
    const outcome = await send(a, "one", "A-0");
    expect(outcome.err?.message).toBe("operation has timed out"); // its acks all came too late
    await waitFor(() => box.logs.includes("already stored: A-0"), "the server to refuse the retry");
    await settle();
    expect(stored(box)).toEqual(["stored #1: one (client_offset A-0)"]);
    expect(gotEvents(b as never, "chat message")).toEqual([["one", 1]]);
    // an ack timeout longer than the round trip: acknowledged at the first try
    const patient = await deliveryClient(box, "C", { retries: 1, ackTimeout: 2000 });
    new NetworkLink(patient.io).latencyMs = 500;
    expect(await send(patient, "two", "C-0")).toEqual({ err: null });
  }, 15_000);

  it("the challenge: C connecting with serverOffset 0 gets the whole history, which history-for-newcomer sees; A catching up does not count", async () => {
    const box = await deliverySandbox(false);
    const b = await deliveryClient(box, "B");
    await send(b, "first", "B-0");
    await send(b, "second", "B-1");
    const context = { sockets: box.owner.sockets, broadcast: false };
    await deliveryClient(box, "A", { serverOffset: 0 });
    await settle();
    expect(box.owner.trace.some((delivery) => challengeChecks["history-for-newcomer"](delivery, context))).toBe(false);
    const c = await deliveryClient(box, "C", { serverOffset: 0 });
    await waitFor(() => gotEvents(c as never, "chat message").length === 2, "C to get the history");
    await settle();
    const done = box.owner.trace.filter((delivery) => challengeChecks["history-for-newcomer"](delivery, context));
    expect(done.map((delivery) => delivery.args)).toEqual([["first", 1]]);
  });

  it("the database is the sandbox's own: a second sandbox sees none of the first's rows", async () => {
    const first = await deliverySandbox(false);
    const writer = await deliveryClient(first, "A");
    await send(writer, "secret of the first sandbox", "A-0");
    const second = await deliverySandbox(false);
    const reader = await deliveryClient(second, "A", { serverOffset: 0 });
    await send(reader, "mine", "A-0");
    await settle();
    expect(gotEvents(reader as never, "chat message")).toEqual([["mine", 1]]);
    expect(stored(second)).toEqual(["stored #1: mine (client_offset A-0)"]);
  });

  it("strangers: an offset that is an object, a string or huge, a clientOffset that is an object, a message that is not a string — each refused clearly, nothing else changes", async () => {
    const box = await deliverySandbox(true);
    const b = await deliveryClient(box, "B");
    await send(b, "kept", "B-0");
    for (const [serverOffset, kind] of [[{ $gt: 0 }, "object"], ["0 OR 1=1", "string"], [1e308, "number"], [-0.5, "number"]] as const) {
      const stranger = await deliveryClient(box, undefined, { serverOffset });
      const line = `${stranger.id} sent a serverOffset that is not a whole number (${kind}): nothing sent`;
      await waitFor(() => box.logs.includes(line), `a refusal of the serverOffset ${JSON.stringify(serverOffset)}`);
      await settle();
      expect(gotEvents(stranger as never, "chat message")).toEqual([]);
    }
    // the program's typedef: a clientOffset or a message that is not a string never reaches it
    const objectOffset = await send(b, "x", { not: "a string" });
    expect(objectOffset.response).toEqual({ ok: false, error: 'B sent "chat message" with a string and an object, but the delivery program expects a string, then a string; it was ignored.' });
    const objectMessage = await send(b, { a: 1 } as never, "B-9");
    expect(objectMessage.response).toEqual({ ok: false, error: 'B sent "chat message" with an object and a string, but the delivery program expects a string, then a string; it was ignored.' });
    await settle();
    expect(stored(box)).toEqual(["stored #1: kept (client_offset B-0)"]);
    expect(box.io.of("/").sockets.size).toBeGreaterThan(0);
  });

  it("bounded in bytes: past SANDBOX_STORE_BYTES an insert is refused with a clear line and an error ack; another sandbox still stores; switching program frees the bytes", async () => {
    const small = await startLive({ storeBytes: 32 * 1024 });
    try {
      const box = await deliverySandbox(false, small);
      const a = await deliveryClient(box, "A");
      const ledger = sharedLedger(defaultOptions.storeTotalBytes);
      const big = "x".repeat(8000);
      const answers: unknown[] = [];
      for (let index = 0; index < 8; index++) answers.push((await send(a, big, `A-${index}`)).response);
      const refusal = answers.find((answer) => answer !== undefined) as { error: string } | undefined;
      expect(refusal?.error).toBe("The database refused a write: this sandbox's database holds its 32 KiB already; nothing more is stored.");
      await settle();
      expect(warnings(box)).toContain(refusal!.error);
      expect(box.logs).toContain(`not stored: ${refusal!.error}`);
      // a second sandbox of the same server stores as usual
      const other = await deliverySandbox(false, small);
      const c = await deliveryClient(other, "A");
      expect(await send(c, "fine", "A-0")).toEqual({ err: null });
      const held = ledger.bytes;
      await box.settings({ program: "chat" });
      // the full database held most of its 32 KiB (the last pages too few for one more 8000-byte row)
      expect(held - ledger.bytes).toBeGreaterThanOrEqual(24 * 1024);
    } finally {
      await small.close();
    }
  });

  it("Run code is refused in this lesson with a sentence saying why; the lesson's program keeps running", async () => {
    const box = await deliverySandbox(false);
    const reply = await box.owner.timeout(5000).emitWithAck("code", { code: 'io.on("connection", () => {});' });
    expect(reply).toEqual({ ok: false, error: expect.stringMatching(/^Run code is not available in the delivery lesson yet/) });
    const a = await deliveryClient(box, "A");
    expect(await send(a, "still stored", "A-0")).toEqual({ err: null });
  });
});
