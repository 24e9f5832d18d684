/** The control channel's own limits: the length of a console command and the backlog replayed to an owner. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { connectOwner, createSandbox, joinSandbox, once, startLive, type Live } from "../support/live.ts";

let live: Live | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

describe("control channel limits", () => {
  it("refuses a console command over 2000 characters, or one that is not text, with an error ack", async () => {
    live = await startLive();
    const owner = await connectOwner(live.url, await createSandbox(live.url));
    const long = await owner.emitWithAck("command", `io.emit("x", "${"y".repeat(2000)}")`);
    expect(long).toEqual({ ok: false, error: "A console command is one line of text of at most 2000 characters." });
    const notText = await owner.emitWithAck("command", { line: "io" } as unknown as string);
    expect(notText.ok).toBe(false);
  });

  it("replays at most SANDBOX_BACKLOG lines and deliveries to an owner that connects, the newest ones", async () => {
    live = await startLive({ backlog: 5 });
    const ticket = await createSandbox(live.url);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    const echoed: unknown[] = [];
    a.on("chat message", (message) => echoed.push(message));
    for (let index = 0; index < 12; index++) a.emit("chat message", `m${index}`);
    await vi.waitFor(() => expect(echoed).toHaveLength(12), { timeout: 10_000 });
    const owner = await connectOwner(live.url, ticket);
    await vi.waitFor(() => expect(owner.trace.length).toBe(5), { timeout: 10_000 });
    expect(owner.feed.length).toBe(5);
    expect(owner.trace.map((delivery) => delivery.args[0])).toEqual(["m7", "m8", "m9", "m10", "m11"]);
  });
});
