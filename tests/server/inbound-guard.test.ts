/** The inbound guard's rate windows on a clock the test moves: one-second windows, one warning a second, no sleeping. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket } from "socket.io";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InboundGuard } from "../../server/sandbox/inbound-guard.ts";
import { once } from "../support/live.ts";

let io: Server;
let socket: Socket;
let close: () => void;
beforeAll(async () => {
  const httpServer = createServer();
  io = new Server(httpServer);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const connected = once(io, "connection");
  const client = connect(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, { transports: ["websocket"], forceNew: true });
  [socket] = (await connected) as [Socket];
  socket.on("chat message", () => undefined);
  close = () => {
    client.disconnect();
    io.close();
  };
});
afterAll(() => close());

describe("the inbound guard's rate limit", () => {
  const limits = { maxPayloadBytes: 1024, maxEventsPerSecond: 3 };
  const accepts = () => ({ shapes: { "chat message": ["string"] as const }, program: "chat" });

  it("lets the first events of a second through, drops the rest, and warns once that second", () => {
    let now = 1_000_000;
    const guard = new InboundGuard(limits, accepts, () => now);
    const verdicts = Array.from({ length: 6 }, () => guard.check(socket, "A", ["chat message", "hi"]));
    expect(verdicts.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(verdicts[3]).toMatchObject({ warning: expect.stringContaining("more than 3 events in one second") });
    expect(verdicts.slice(4)).toEqual(["flood", "flood"]);
    now += 999; // still the same window
    expect(guard.check(socket, "A", ["chat message", "hi"])).toBe("flood");
  });

  it("opens a new window a second later, and warns again only a second after the last warning", () => {
    let now = 5_000_000;
    const guard = new InboundGuard(limits, accepts, () => now);
    for (let i = 0; i < 3; i++) guard.check(socket, "A", ["chat message", "hi"]);
    expect(guard.check(socket, "A", ["chat message", "hi"])).toMatchObject({ warning: expect.any(String) });
    now += 1000;
    expect(guard.check(socket, "A", ["chat message", "after"])).toBeUndefined();
    for (let i = 0; i < 2; i++) guard.check(socket, "A", ["chat message", "hi"]);
    expect(guard.check(socket, "A", ["chat message", "hi"])).toMatchObject({ warning: expect.any(String) });
    now += 500; // same window as that warning: dropped without a word
    expect(guard.check(socket, "A", ["chat message", "hi"])).toBe("flood");
  });
});
