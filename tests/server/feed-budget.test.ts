/** What a sandbox keeps for its owner is bounded in bytes, shows cut payloads with their real size, and is safe for a terminal. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectOwner, createSandbox, joinSandbox, once, sandboxWith, settle, startLive, waitFor, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive({ feedBytes: 64 * 1024 });
});
afterAll(() => live.close());

/** Any C0/C1 control character, or a bidi override, raw. */
const control = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("the owner's feed and trace", () => {
  it("cut a 60 KiB payload to 1 KiB and say its real size, in the event line, the program's line and the delivery", async () => {
    const box = await sandboxWith("chat", { clients: 2 });
    const { A, B } = box.clients;
    const got = once(B, "chat message");
    A.emit("chat message", "x".repeat(60 * 1024));
    expect((await got)[0]).toHaveLength(60 * 1024); // the clients get the real thing
    await settle();
    const marker = "… (60 KiB, shown 1 KiB)";
    const event = box.owner.feed.find((entry) => entry.kind === "event");
    expect(event?.args).toEqual([`${"x".repeat(1024)}${marker}`]);
    expect(box.logs.find((text) => text.startsWith("message: "))).toBe(`message: ${"x".repeat(1015)}${marker.replace("60 KiB", "61 KiB")}`);
    const delivery = box.owner.trace.find((entry) => entry.event === "chat message");
    expect(delivery?.args).toEqual([`${"x".repeat(1024)}${marker}`]);
    expect(delivery?.call.length).toBeLessThan(1100);
  });

  it("stay within the byte budget however much comes in, oldest first, and a late owner's backlog too", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    const sandbox = live.playground.registry.get(ticket.id)!;
    let most = 0;
    for (let i = 0; i < 150; i++) {
      a.emit("chat message", `${i} ${"y".repeat(60 * 1024)}`);
      if (i % 30 === 29) {
        await waitFor(() => owner.trace.some((delivery) => String(delivery.args[0]).startsWith(`${i} `)), `message ${i}`);
        most = Math.max(most, sandbox.keptBytes);
      }
    }
    expect(most).toBeGreaterThan(32 * 1024);
    expect(most).toBeLessThanOrEqual(64 * 1024);
    const late = await connectOwner(live.url, ticket);
    const backlog = JSON.stringify([late.feed, late.trace]);
    expect(backlog.length).toBeLessThan(64 * 1024);
    expect(late.trace.at(-1)?.args[0]).toMatch(/^149 y+… \(61 KiB, shown 1 KiB\)$/);
    expect(late.feed.length + late.trace.length).toBeLessThan(150 * 3);
  });

  it("escape control characters a participant sent, in console lines, calls and console replies", async () => {
    const box = await sandboxWith("rooms", { clients: 1 });
    const { A } = box.clients;
    const nasty = "hi\u001b[2J\u001b]8;;http://evil.example\u0007link\u009b31m\u202egnp.exe";
    await A.timeout(5000).emitWithAck("join", nasty);
    A.emit("chat message", nasty, nasty);
    await settle();
    const texts = [...box.owner.feed.map((entry) => entry.text), ...box.owner.trace.map((delivery) => delivery.call)];
    expect(texts.some((text) => text.includes("hi\\x1b[2J\\x1b]8;;http://evil.example\\x07link\\u009b31m\\u202egnp.exe"))).toBe(true);
    for (const text of texts) expect(text).not.toMatch(control);
    const reply = await box.command("io.fetchSockets()");
    expect(reply.ok && reply.data.lines.map((line) => line.text).join("\n")).toContain("\\u009b31m\\u202egnp.exe");
    expect(reply.ok && reply.data.lines.some((line) => control.test(line.text))).toBe(false);
  });

  it("count a flood past 100 lines or deliveries a batch instead of formatting it, and say how many in one line", async () => {
    const flood = await startLive({ maxEventsPerSecond: 100_000 });
    try {
      const ticket = await createSandbox(flood.url);
      const owner = await connectOwner(flood.url, ticket);
      const a = joinSandbox(flood.url, ticket, { as: "A" });
      await once(a, "connect");
      const sent = 600;
      for (let i = 0; i < sent; i++) a.emit("chat message", `m${i}`); // one write: the server reads them in one go
      const said = () => owner.feed.filter((entry) => entry.text.startsWith("A flood: "));
      const counted = (what: RegExp) => said().reduce((sum, entry) => sum + Number(what.exec(entry.text)?.[1].replace(/,/g, "") ?? 0), 0);
      const shownLines = () => owner.feed.filter((entry) => (entry.kind === "event" || entry.kind === "program") && /m\d+/.test(entry.text + JSON.stringify(entry.args ?? []))).length;
      const shownDeliveries = () => owner.trace.filter((delivery) => delivery.event === "chat message").length;
      // Every line and delivery is either shown or counted: 2 lines (the event, the program's console.log) and 1 delivery each.
      await waitFor(() => shownLines() + counted(/([\d,]+) console lines?/) === 2 * sent && shownDeliveries() + counted(/([\d,]+) deliver/) === sent, "every line and delivery shown or counted", 10_000);
      expect(counted(/([\d,]+) deliver/)).toBeGreaterThan(0); // 600 at once is a flood
      expect(said().length).toBeLessThanOrEqual(3); // one line a second at most
    } finally {
      await flood.close();
    }
  });
});
