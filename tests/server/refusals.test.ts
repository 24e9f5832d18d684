/** Every refusal is explained where the protocol allows it: rate-dropped events, oversized frames, duplicate CONNECTs. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectOwner, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live } from "../support/live.ts";
import { joinRaw } from "../support/raw-engine.ts";
import type { AckResult } from "../../contract/protocol.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive({ maxEventsPerSecond: 50 });
});
afterAll(() => live.close());

async function joined(transport: "websocket" | "polling") {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  const raw = await joinRaw(live.url, ticket.path, transport);
  return { ticket, owner, raw };
}

describe("refusals", () => {
  it("every event dropped by the rate limit gets an error ack: 300 sent, 300 answered", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.timeout(5000).emitWithAck("settings", { program: "rooms" });
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }); // one rate window for the whole burst
    try {
      const answers = (await Promise.all(Array.from({ length: 300 }, (_, i) => a.timeout(5000).emitWithAck("join", `room-${i}`)))) as AckResult<string[]>[];
      expect(answers.filter((answer) => answer.ok)).toHaveLength(50);
      const refused = answers.filter((answer) => !answer.ok);
      expect(refused).toHaveLength(250);
      for (const answer of refused) expect(answer).toMatchObject({ ok: false, error: expect.stringMatching(/^A sent more than 50 events in one second; /) });
    } finally {
      vi.useRealTimers();
    }
  });

  it("a WebSocket frame over 1 MB closes with code 1009 (Message Too Big), and the owner is told", async () => {
    const { owner, raw } = await joined("websocket");
    await raw.send(`2["chat message","${"x".repeat(1_100_000)}"]`);
    expect(await raw.ended()).toMatchObject({ how: "websocket close", code: 1009 });
    await waitFor(() => owner.feed.find((entry) => /sent a WebSocket message over 1 MB, the largest the server reads; the connection was closed \(close code 1009\)/.test(entry.text)), "the line");
  });

  it("a polling POST over 1 MB gets a 413, and the client a connect_error saying why before the session closes", async () => {
    const { owner, raw } = await joined("polling");
    const response = await raw.send(`2["chat message","${"x".repeat(1_100_000)}"]`);
    expect(response?.status).toBe(413);
    const refusal = await raw.next((message) => message.startsWith("4{"), "the connect_error");
    expect(JSON.parse(refusal.slice(1)).message).toMatch(/^External \d+ sent a message over 1 MB, the largest the server reads; it was refused and the connection closed\. Send less data at once\.$/);
    await raw.ended();
    await waitFor(() => owner.feed.find((entry) => entry.text.includes("over 1 MB")), "the line");
    await settle();
    expect(owner.sockets).toEqual([]);
  });

  it("a second CONNECT for a namespace already joined: a connect_error saying so, then Socket.IO closes the connection", async () => {
    for (const transport of ["websocket", "polling"] as const) {
      const { raw, owner } = await joined(transport);
      const from = raw.messages.length;
      await raw.send("0");
      const refusal = await raw.next((message) => message.startsWith("4{"), "the connect_error", from);
      expect(JSON.parse(refusal.slice(1)).message).toMatch(/sent a second CONNECT for \/, which this connection is already connected to; Socket.IO closed the connection\./);
      await raw.ended();
      await waitFor(() => owner.feed.find((entry) => entry.text.includes("a second CONNECT")), "the line");
    }
  });
});
