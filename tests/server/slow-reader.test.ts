/** A client that stops reading is closed, with a reason, once the bytes waiting for it pass `maxQueuedBytes`; readers that keep up are not. */
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectOwner, createSandbox, joinSandbox, once, startLive, waitFor, type Live } from "../support/live.ts";
import { joinRaw, type RawConnection } from "../support/raw-engine.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive({ maxQueuedBytes: 256 * 1024, maxEventsPerSecond: 1000 });
});
afterAll(() => live.close());

describe.each(["websocket", "polling"] as const)("slow readers over %s", (transport) => {
  it("are disconnected with a reason once 256 KiB wait for them; the sender and a reader that keeps up stay", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const sender = joinSandbox(live.url, ticket, { as: "A" });
    const reader = joinSandbox(live.url, ticket, { as: "B" });
    await Promise.all([once(sender, "connect"), once(reader, "connect")]);
    const slow: RawConnection[] = [];
    for (let i = 0; i < 3; i++) {
      const raw = await joinRaw(live.url, ticket.path, transport);
      raw.pause();
      slow.push(raw);
    }
    const stoppedReading = () => owner.feed.filter((entry) => /External \d+ stopped reading: .* \(the limit is 256 KiB\); the server closed that connection\./.test(entry.text));
    const filler = "x".repeat(60 * 1024);
    const readerGot = (text: string) => reader.got.some(([, message]) => typeof message === "string" && message.startsWith(text));
    // Loopback sockets buffer a few MB in the kernel before anything waits in the server: send until all three are
    // cut, waiting for the reader that keeps up every few messages (it reads as fast as it can, never 256 KiB behind).
    for (let round = 0; round < 600 && stoppedReading().length < 3; round++) {
      sender.emit("chat message", `${round}:${filler}`);
      if (round % 4 === 3) await waitFor(() => readerGot(`${round}:`), `the reader to get message ${round}`, 15_000);
    }
    await waitFor(() => stoppedReading().length === 3, "three slow readers closed", 15_000);
    expect(sender.connected && reader.connected).toBe(true);
    sender.emit("chat message", "after");
    await waitFor(() => readerGot("after"), "the reader to keep receiving", 15_000);
    for (const raw of slow) {
      raw.resume();
      const closed = await raw.ended(10_000);
      if (transport === "websocket") expect(closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/^Slow reader/) });
    }
    await waitFor(() => live.playground.registry.get(ticket.id)!.socketCount === 2, "only A and B left");
  });

  it("a burst to a reader that keeps up is not mistaken for a slow reader", async () => {
    const busy = await startLive({ maxQueuedBytes: 128 * 1024 });
    try {
      const ticket = await createSandbox(busy.url);
      const sender = joinSandbox(busy.url, ticket, { as: "A", transports: [transport] });
      const reader = joinSandbox(busy.url, ticket, { as: "B", transports: [transport] });
      await Promise.all([once(sender, "connect"), once(reader, "connect")]);
      // Ten 60 KiB messages in one go: 600 KiB wait for B at once, over its 128 KiB bound, but B takes them.
      for (let i = 0; i < 10; i++) sender.emit("chat message", `${i}:${"z".repeat(60 * 1024)}`);
      await waitFor(() => reader.got.filter(([event]) => event === "chat message").length === 10, "all ten", 15_000);
      expect(reader.connected).toBe(true);
    } finally {
      await busy.close();
    }
  });
});

describe("WebSocket pings from a client", () => {
  it("get no pong, so a client that pings without reading piles nothing up (Engine.IO's heartbeat is the server's ping)", async () => {
    const ticket = await createSandbox(live.url);
    const ws = new WebSocket(`${live.url.replace(/^http/, "ws")}${ticket.path}/?EIO=4&transport=websocket`);
    const messages: string[] = [];
    let pongs = 0;
    ws.on("pong", () => pongs++);
    ws.on("message", (data: Buffer) => messages.push(data.toString()));
    await once(ws, "open");
    for (let i = 0; i < 1000; i++) ws.ping(Buffer.alloc(125));
    // The server reads frames in order and would have written each pong as it read its ping: the answer to a
    // CONNECT sent after them comes after any pong.
    ws.send("40");
    await waitFor(() => messages.some((message) => message.startsWith("40{")), "the CONNECT's answer");
    expect(pongs).toBe(0);
    ws.terminate();
  });
});
