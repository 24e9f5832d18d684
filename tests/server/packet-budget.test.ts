/** Every packet is measured before it is parsed: deep, wide or huge data gets an error ack and one line, on both transports, and nothing else happens. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectOwner, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live, type Owner } from "../support/live.ts";
import { joinRaw, openRaw, type RawConnection, type RawTransport } from "../support/raw-engine.ts";
import type { SandboxTicket } from "../../contract/protocol.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

async function setUp() {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  const b = joinSandbox(live.url, ticket, { as: "B" });
  await once(b, "connect");
  return { ticket, owner, b };
}

const rawJoin = (ticket: SandboxTicket, transport: RawTransport) => joinRaw(live.url, ticket.path, transport);

/** The error ack for `id`, parsed. */
async function errorAck(raw: RawConnection, id: number): Promise<{ ok: boolean; error: string }> {
  const ack = await raw.next((message) => message.startsWith(`3${id}[`), `the ack of ${id}`);
  return JSON.parse(ack.slice(String(id).length + 1))[0];
}

const warnings = (owner: Owner) => owner.feed.filter((entry) => entry.kind === "system").map((entry) => entry.text);
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe.each(["websocket", "polling"] as const)("packet budget over %s", (transport) => {
  it("an argument nested 5,000 deep is refused with an error ack and one line; nobody receives it, the server keeps going", async () => {
    const { ticket, owner, b } = await setUp();
    const raw = await rawJoin(ticket, transport);
    await raw.send(`21["typing",${nested(5000)}]`);
    const ack = await errorAck(raw, 1);
    expect(ack).toEqual({ ok: false, error: expect.stringMatching(/^External \d+ sent "typing" with data nested more than 32 levels deep, the limit; send flatter data\.$/) });
    await waitFor(() => warnings(owner).find((text) => text.includes("nested more than 32 levels")), "the warning");
    await raw.send('22["typing",true]');
    await once(b, "typing");
    expect(b.got.filter(([event]) => event === "typing")).toEqual([["typing", expect.any(String), true]]);
    expect(owner.trace.every((delivery) => JSON.stringify(delivery.args).length < 2048)).toBe(true);
    raw.close();
  });

  it("300,000 empty strings (879 KiB of text) and 5,000 (15 KiB) are refused in lines of ordinary length", async () => {
    const { ticket, owner } = await setUp();
    const raw = await rawJoin(ticket, transport);
    const strings = (count: number) => Array.from({ length: count }, () => '""').join(",");
    await raw.send(`27["chat message",${strings(300_000)}]`);
    expect((await errorAck(raw, 7)).error).toMatch(/"chat message" with 879 KiB of data, over the 64 KiB limit; send less\./);
    await raw.send(`28["chat message",${strings(5000)}]`);
    expect((await errorAck(raw, 8)).error).toMatch(/"chat message" with more than 4096 strings, the limit; send fewer\./);
    await settle();
    expect(warnings(owner).filter((text) => text.includes('"chat message"'))).toHaveLength(1); // one line a second per connection
    expect(warnings(owner).every((text) => text.length < 300)).toBe(true);
    raw.close();
  });

  it("more object keys than the budget, and an event name longer than 100 characters, are refused", async () => {
    const { ticket } = await setUp();
    const raw = await rawJoin(ticket, transport);
    const keys = Array.from({ length: 5000 }, (_, i) => `"k${i}":0`).join(",");
    await raw.send(`23["typing",{${keys}}]`, `24[${JSON.stringify("n".repeat(300))},1]`);
    expect((await errorAck(raw, 3)).error).toMatch(/with more than 4096 object keys, the limit/);
    expect((await errorAck(raw, 4)).error).toMatch(/^External \d+ sent an event with an event name of 300 characters, over the 100-character limit/);
    raw.close();
  });

  it("a binary event whose attachments pass the byte budget is refused, and the next packet is read as usual", async () => {
    const { ticket } = await setUp();
    const raw = await rawJoin(ticket, transport);
    await raw.send('51-5["typing",{"_placeholder":true,"num":0}]', Buffer.alloc(70 * 1024, 1));
    expect((await errorAck(raw, 5)).error).toMatch(/"typing" with 71 KiB of data, over the 64 KiB limit/);
    await raw.send('26["no such event"]');
    expect((await errorAck(raw, 6)).error).toMatch(/no handler for it/);
    raw.close();
  });

  it("an ack id beyond 2^53 and a binary placeholder out of range are protocol errors: a reason, then the connection closes", async () => {
    const { ticket, b } = await setUp();
    for (const [packets, reason] of [
      [["2123456789012345678901234567890[\"typing\",1]"], /an ack id \(12345678901234567890\) that is not a whole number below 2\^53/],
      [['51-["typing",{"_placeholder":true,"num":99}]', Buffer.from([1])], /a binary packet with a bad attachment count or placeholder/],
    ] as const) {
      const raw = await rawJoin(ticket, transport);
      await raw.send(...packets);
      const refusal = await raw.next((message) => message.startsWith("4{"), "the connect_error");
      expect(JSON.parse(refusal.slice(1)).message).toMatch(reason);
      await raw.ended();
    }
    const got = once(b, "chat message");
    const c = joinSandbox(live.url, ticket, { as: "C" });
    await once(c, "connect");
    c.emit("chat message", "still fine");
    expect(await got).toEqual(["still fine"]);
  });

  it("CONNECT auth data over the budget gets a connect_error and opens no socket", async () => {
    const { ticket, owner } = await setUp();
    const raw = await openRaw(live.url, ticket.path, transport);
    await raw.send(`0{"token":${nested(100)}}`);
    const refusal = await raw.next((message) => message.startsWith("4{"), "the connect_error");
    expect(JSON.parse(refusal.slice(1)).message).toMatch(/could not connect to \/: its auth data came with data nested more than 32 levels deep/);
    await settle();
    expect(owner.sockets.map((socket) => socket.client)).toEqual(["B"]);
    raw.close();
  });
});
