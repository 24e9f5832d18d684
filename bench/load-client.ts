/** A child process holding the density benchmark's clients, so the server process's memory is the servers' alone. */
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { percentile } from "./stats.ts";

/** What the parent asks; each is answered with one message of the same `type`. */
export type LoadRequest =
  | {
      type: "connect";
      url: string;
      /** `paused`: the socket stops reading its TCP connection once connected (a slow reader). */
      sockets: { path: string; query?: Record<string, string>; auth?: Record<string, string>; paused?: boolean }[];
      batch: number;
    }
  | { type: "drive"; rate: number; seconds: number }
  | { type: "flood"; messages: number; bigEvery: number; perSecond: number }
  | { type: "close" };

export type LoadReply =
  | { type: "connect"; sockets: number; ms: number }
  | { type: "drive"; sent: number; received: number; p50: number; p99: number }
  | { type: "flood"; sent: number; bytes: number; ms: number }
  | { type: "close" };

const sockets: ClientSocket[] = [];
const senders: ClientSocket[] = [];
let latencies: number[] = [];
const now = () => performance.timeOrigin + performance.now();

async function open(request: Extract<LoadRequest, { type: "connect" }>): Promise<LoadReply> {
  const started = performance.now();
  for (let index = 0; index < request.sockets.length; index += request.batch) {
    const group = request.sockets.slice(index, index + request.batch).map(({ path, query, auth, paused }) => {
      const socket = connect(request.url, { path, query, auth, forceNew: true, transports: ["websocket"], reconnection: false });
      sockets.push(socket);
      if (query && !paused) {
        senders.push(socket); // a participant (owners only listen)
        socket.on("chat message", (message: string) => latencies.push(now() - Number(message)));
      }
      return new Promise<void>((resolve, reject) => {
        socket.once("connect", () => {
          // socket.io-client's WebSocket transport is a `ws` socket: stop reading its TCP connection.
          if (paused) (socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws._socket.pause();
          resolve();
        });
        socket.once("connect_error", (error) => reject(new Error(`${path}: ${error.message}`)));
      });
    });
    await Promise.all(group);
  }
  return { type: "connect", sockets: sockets.length, ms: Math.round(performance.now() - started) };
}

/** Sends `rate` messages a second, round-robin over the participants, for `seconds`; each carries its send time. */
async function drive({ rate, seconds }: { rate: number; seconds: number }): Promise<LoadReply> {
  latencies = [];
  let sent = 0;
  const started = now();
  const tick = 10;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(rate * seconds, Math.floor(((now() - started) / 1000) * rate));
      for (; sent < due; sent++) senders[sent % senders.length].emit("chat message", String(now()));
      if (sent >= rate * seconds) {
        clearInterval(timer);
        resolve();
      }
    }, tick);
  });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the last deliveries
  return { type: "drive", sent, received: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * Every sender of a sandbox whose query names client "A" sends `messages` chat messages, at most `perSecond` a
 * second (inside the rate limit): 1.5 KiB each, and 60 KiB every `bigEvery`-th, so every budget fills.
 */
async function flood({ messages, bigEvery, perSecond }: { messages: number; bigEvery: number; perSecond: number }): Promise<LoadReply> {
  const started = performance.now();
  const floods = senders.filter((socket) => (socket.io.opts.query as Record<string, string> | undefined)?.client === "A");
  const small = "s".repeat(1536);
  const big = "B".repeat(60 * 1024);
  let sent = 0;
  let bytes = 0;
  for (let first = 0; first < messages; first += perSecond) {
    const second = performance.now();
    for (let index = first; index < Math.min(messages, first + perSecond); index++) {
      const message = index % bigEvery === bigEvery - 1 ? big : small;
      for (const socket of floods) socket.emit("chat message", message);
      sent += floods.length;
      bytes += floods.length * message.length;
      await new Promise((resolve) => setImmediate(resolve)); // let the sockets write
    }
    const left = 1000 - (performance.now() - second);
    if (first + perSecond < messages && left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
  return { type: "flood", sent, bytes, ms: Math.round(performance.now() - started) };
}

process.on("message", async (request: LoadRequest) => {
  let reply: LoadReply;
  if (request.type === "connect") reply = await open(request);
  else if (request.type === "drive") reply = await drive(request);
  else if (request.type === "flood") reply = await flood(request);
  else {
    for (const socket of sockets.splice(0)) socket.disconnect();
    senders.length = 0;
    reply = { type: "close" };
  }
  process.send!(reply);
});
