/** Claims the lessons make about the playground's own server: the console feed, warnings and the delivery rows. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectOwner, createSandbox, joinSandbox, once, startLive, waitFor, type Live } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

describe("what the playground shows while the lessons run", () => {
  it("chat: a connection is named with its client and socket id; an event without a handler is a warning, nothing else", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    await waitFor(() => owner.feed.find((entry) => entry.text === "a user connected" && entry.client === "A"), "a user connected");
    const seen = owner.trace.length;
    a.emit("shout", "hey");
    const warning = await waitFor(() => owner.feed.find((entry) => entry.level === "warn" && entry.text.includes('"shout"')), "the warning");
    expect(warning.text).toMatch(/no handler/);
    a.emit("chat message", "after");
    await waitFor(() => owner.trace.slice(seen).find((delivery) => delivery.event === "chat message"), "the next delivery");
    expect(owner.trace.slice(seen).map((delivery) => delivery.event)).toEqual(["chat message"]);
  });

  it("broadcast: the same message sent both ways gives the rows io.emit(…) and socket.broadcast.emit(…); the welcome is socket.emit to one", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.timeout(3000).emitWithAck("settings", { program: "broadcast", broadcast: false });
    const [a, b, c] = ["A", "B", "C"].map((name) => joinSandbox(live.url, ticket, { as: name }));
    await Promise.all([once(a, "connect"), once(b, "connect"), once(c, "connect")]);
    a.emit("chat message", "same");
    const first = await waitFor(() => owner.trace.find((delivery) => delivery.event === "chat message"), "the io.emit row");
    await owner.timeout(3000).emitWithAck("settings", { broadcast: true });
    a.emit("chat message", "same");
    const second = await waitFor(() => owner.trace.filter((delivery) => delivery.event === "chat message")[1], "the broadcast row");
    expect(first.call).toBe('io.emit("chat message", "same")');
    expect(first.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B", "C"]);
    expect(second.call).toBe('socket.broadcast.emit("chat message", "same")');
    expect(second.reached.map((recipient) => recipient.client).sort()).toEqual(["B", "C"]);
    const welcomes = owner.trace.filter((delivery) => delivery.event === "welcome");
    expect(welcomes).toHaveLength(3);
    for (const welcome of welcomes) {
      expect(welcome.call).toMatch(/^socket\.emit\("welcome", "your id is /);
      expect(welcome.reached.map((recipient) => recipient.client)).toEqual([welcome.from]);
    }
  });

  it("rooms: a card's rooms come from the server, own-id room first", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.timeout(3000).emitWithAck("settings", { program: "rooms" });
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    await a.timeout(3000).emitWithAck("join", "lobby");
    const listed = await waitFor(() => owner.sockets.find((socket) => socket.client === "A" && socket.rooms.length === 2), "A's rooms");
    expect(listed.rooms).toEqual([a.id, "lobby"]);
    const answer = await owner.timeout(3000).emitWithAck("rooms", a.id!);
    expect(answer).toEqual({ ok: true, data: [a.id, "lobby"] });
  });

  it("namespaces: /admin refuses without the token through the sandbox too, and /tenant-42 is an invalid namespace", async () => {
    const ticket = await createSandbox(live.url);
    const owner = await connectOwner(live.url, ticket);
    await owner.timeout(3000).emitWithAck("settings", { program: "namespaces" });
    const refused = joinSandbox(live.url, ticket, { as: "B", namespace: "/admin" });
    expect((await once(refused, "connect_error"))[0].message).toBe("Not authorized: wrong or missing auth token");
    const tenant = joinSandbox(live.url, ticket, { as: "C", namespace: "/tenant-42" });
    expect((await once(tenant, "connect_error"))[0].message).toBe("Invalid namespace");
    const admin = joinSandbox(live.url, ticket, { as: "D", namespace: "/admin", auth: { token: "let-me-in" } });
    await once(admin, "connect");
    await waitFor(() => owner.feed.find((entry) => entry.text === "an admin connected"), "an admin connected");
  });
});
