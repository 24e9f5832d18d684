/** A raw Engine.IO 4 client over WebSocket or HTTP long-polling, for tests that send what no Socket.IO client would. */
import WebSocket from "ws";

export type RawTransport = "websocket" | "polling";

/** One raw Engine.IO connection: what it received, and how it ended. */
export interface RawConnection {
  transport: RawTransport;
  sid: string;
  /** Socket.IO packets received (Engine.IO "message" packets), text or binary, in order. */
  messages: (string | Buffer)[];
  /** Set once the connection is over, with how it ended. */
  closed?: { how: string; code?: number; reason?: string };
  /** Sends Socket.IO packets: one WebSocket frame each, or one polling POST with all of them. */
  send(...packets: (string | Buffer)[]): Promise<{ status: number; body: string } | undefined>;
  /** Sends an Engine.IO frame as it is (no "4" message prefix). */
  sendRaw(frame: string | Buffer): Promise<{ status: number; body: string } | undefined>;
  /** Resolves with the first received message (from index `from` on) that `match` accepts, or rejects if the connection ends first. */
  next(match: (message: string) => boolean, what: string, from?: number, timeoutMs?: number): Promise<string>;
  /** Stops reading (a WebSocket stops reading its TCP socket; polling stops polling) until `resume()`. */
  pause(): void;
  resume(): void;
  /** Resolves once the connection has ended. */
  ended(timeoutMs?: number): Promise<NonNullable<RawConnection["closed"]>>;
  close(): void;
}

/**
 * Opens a raw connection to a Socket.IO path (`/sandbox/<id>/socket.io`), answers the server's pings, and decodes
 * what arrives. Nothing is connected to a namespace: send `"0"` (CONNECT to "/") yourself.
 *
 * @example
 * const raw = await openRaw(live.url, ticket.path, "polling");
 * await raw.send("0");
 * await raw.next((m) => m.startsWith("0{"), "the CONNECT answer");
 */
export async function openRaw(url: string, path: string, transport: RawTransport, query = ""): Promise<RawConnection> {
  const base = `${url}${path}/?EIO=4${query}`;
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const state: Omit<RawConnection, "send" | "sendRaw" | "next" | "ended" | "close" | "pause" | "resume"> = { transport, sid: "", messages: [] };
  let paused: (() => void) | undefined;
  let pause: () => void;
  let resume: () => void;
  const onPacket = (packet: string | Buffer, reply: (frame: string) => void) => {
    if (typeof packet !== "string") state.messages.push(packet);
    else if (packet === "2") reply("3");
    else if (packet === "1") state.closed ??= { how: "close packet" };
    else if (packet.startsWith("4")) state.messages.push(packet.slice(1));
    else if (packet.startsWith("b")) state.messages.push(Buffer.from(packet.slice(1), "base64"));
    changed();
  };
  let sendRaw: RawConnection["sendRaw"];
  let close: () => void;
  if (transport === "websocket") {
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}&transport=websocket`);
    const opened = new Promise<void>((resolve, reject) => {
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => reject(new Error(`WebSocket handshake refused: ${res.statusCode} ${body}`)));
        res.on("error", () => reject(new Error(`WebSocket handshake refused: ${res.statusCode}`)));
      });
      ws.once("error", reject);
      const onOpen = (data: Buffer, isBinary: boolean) => {
        const text = data.toString();
        if (isBinary || !text.startsWith("0")) return;
        state.sid = JSON.parse(text.slice(1)).sid;
        ws.off("message", onOpen);
        resolve();
      };
      ws.on("message", onOpen);
    });
    ws.on("message", (data: Buffer, isBinary) => onPacket(isBinary ? data : data.toString(), (frame) => ws.send(frame)));
    ws.on("error", () => undefined);
    ws.on("close", (code, reason) => {
      state.closed ??= { how: "websocket close", code, reason: reason.toString() };
      changed();
    });
    await opened;
    sendRaw = async (frame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
      return undefined;
    };
    close = () => ws.terminate();
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    pause = () => socket.pause();
    resume = () => socket.resume();
  } else {
    const handshake = await fetch(`${base}&transport=polling`);
    const text = await handshake.text();
    if (handshake.status !== 200) throw new Error(`polling handshake refused: ${handshake.status} ${text}`);
    state.sid = JSON.parse(text.slice(1)).sid;
    const session = `${base}&transport=polling&sid=${state.sid}`;
    const controller = new AbortController();
    const post = async (body: string) => {
      try {
        const response = await fetch(session, { method: "POST", body, headers: { "content-type": "text/plain;charset=UTF-8" }, signal: controller.signal });
        return { status: response.status, body: await response.text() };
      } catch {
        return { status: 0, body: "" };
      }
    };
    pause = () => {
      paused ??= () => undefined;
    };
    let unpause: () => void = () => undefined;
    resume = () => {
      paused = undefined;
      unpause();
    };
    void (async () => {
      while (!state.closed) {
        if (paused) await new Promise<void>((resolve) => (unpause = resolve));
        try {
          const response = await fetch(session, { signal: controller.signal });
          const body = await response.text();
          if (response.status !== 200) {
            state.closed ??= { how: `poll answered ${response.status}`, reason: body };
            break;
          }
          for (const packet of body.split("\x1e")) onPacket(packet, (frame) => void post(frame));
        } catch {
          state.closed ??= { how: "poll failed" };
        }
      }
      changed();
    })();
    sendRaw = (frame) => post(typeof frame === "string" ? frame : `b${frame.toString("base64")}`);
    close = () => {
      const open = !state.closed;
      state.closed ??= { how: "closed by the test" };
      // Tell the server (an Engine.IO close packet), or the session would hold its place until its ping times out.
      if (open) void fetch(session, { method: "POST", body: "1", headers: { "content-type": "text/plain;charset=UTF-8" } }).catch(() => undefined);
      controller.abort();
      changed();
    };
  }
  const connection = state as RawConnection;
  connection.sendRaw = sendRaw;
  connection.send = (...packets) => {
    const frames = packets.map((packet) => (typeof packet === "string" ? `4${packet}` : packet));
    if (transport === "websocket") return Promise.all(frames.map((frame) => sendRaw(frame))).then(() => undefined);
    return sendRaw(frames.map((frame) => (typeof frame === "string" ? frame : `b${frame.toString("base64")}`)).join("\x1e"));
  };
  connection.next = (match, what, from = 0, timeoutMs = 5000) =>
    waitUntil(waiters, timeoutMs, what, () => {
      const found = connection.messages.slice(from).find((message): message is string => typeof message === "string" && match(message));
      if (found !== undefined) return found;
      if (connection.closed) throw new Error(`the connection ended (${connection.closed.how}) before ${what}; it received ${JSON.stringify(connection.messages.slice(from).map(String).map((m) => m.slice(0, 200)))}`);
      return undefined;
    });
  connection.ended = (timeoutMs = 5000) => waitUntil(waiters, timeoutMs, "the connection to end", () => connection.closed);
  connection.close = close;
  connection.pause = pause;
  connection.resume = resume;
  return connection;
}

function waitUntil<T>(waiters: Set<() => void>, timeoutMs: number, what: string, check: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (finish: () => void) => {
      clearTimeout(timer);
      waiters.delete(test);
      finish();
    };
    const test = () => {
      try {
        const value = check();
        if (value !== undefined) done(() => resolve(value));
      } catch (error) {
        done(() => reject(error));
      }
    };
    const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${what}`))), timeoutMs);
    waiters.add(test);
    test();
  });
}

/**
 * A raw connection that has joined namespace `nsp` (its CONNECT answered), ready for the packets under test.
 *
 * @example
 * const raw = await joinRaw(live.url, ticket.path, "websocket");
 * await raw.send('21["typing",[[[]]]]');
 */
export async function joinRaw(url: string, path: string, transport: RawTransport, nsp = "/"): Promise<RawConnection> {
  const raw = await openRaw(url, path, transport);
  const prefix = nsp === "/" ? "" : `${nsp},`;
  await raw.send(`0${prefix}`);
  await raw.next((message) => message.startsWith(`0${prefix}{`), `the answer to the CONNECT for ${nsp}`);
  return raw;
}
