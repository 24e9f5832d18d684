/**
 * A corpus of attacks (each one a way a participant once took the server down, or could) replayed against the
 * production server in a process of its own: 0 crashes, 0 hangs, a clear answer for each, and the process's
 * file descriptors back near where they started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { io as connect, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxTicket } from "../../contract/protocol.ts";
import { createSandbox, once, waitFor } from "../support/live.ts";
import { joinRaw, openRaw, type RawConnection, type RawTransport } from "../support/raw-engine.ts";

const script = fileURLToPath(new URL("../fixtures/production-server/serve.ts", import.meta.url));
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  // Every attack gets a sandbox of its own, more than one address may create per window by default.
  const env = { ...process.env, SANDBOX_CREATE_QUOTA: "0" };
  server = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"], env });
  url = await new Promise<string>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)));
    server.stdout!.once("data", (data: Buffer) => resolve(JSON.parse(data.toString().split("\n")[0]).url));
  });
});
afterAll(() => {
  server.kill("SIGTERM");
});

const openFiles = () => readdirSync(`/proc/${server.pid}/fd`).length;
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const sockets: Socket[] = [];
const client = (ticket: SandboxTicket, options: Parameters<typeof connect>[1] = {}) => {
  const socket = connect(url, { path: ticket.path, forceNew: true, reconnection: false, transports: ["websocket"], ...options });
  sockets.push(socket);
  return socket;
};

const joined = (ticket: SandboxTicket, transport: RawTransport) => joinRaw(url, ticket.path, transport);

/** The error ack for `id`: a sentence. */
async function refusedWithAck(raw: RawConnection, id: number): Promise<string> {
  const ack = await raw.next((message) => message.startsWith(`3${id}[`), `the ack of ${id}`);
  const [result] = JSON.parse(ack.slice(String(id).length + 1)) as [{ ok: boolean; error: string }];
  expect(result.ok).toBe(false);
  return result.error;
}

/** A connect_error with a reason (received from index `from` on), then the end of the connection. */
async function refusedAndClosed(raw: RawConnection, reason: RegExp, from = 0): Promise<void> {
  const refusal = await raw.next((message) => message.startsWith("4"), "the connect_error", from);
  expect(JSON.parse(refusal.slice(refusal.indexOf("{"))).message).toMatch(reason);
  await raw.ended();
}

/** The sandbox's owner on the control channel, keeping the feed lines it receives. */
async function ownerOf(ticket: SandboxTicket): Promise<{ socket: Socket; lines: string[] }> {
  const socket = connect(url, { path: "/control/socket.io", forceNew: true, transports: ["websocket"], auth: { sandbox: ticket.id, token: ticket.token } });
  sockets.push(socket);
  const lines: string[] = [];
  socket.on("stream", (entries: { text: string }[]) => lines.push(...entries.map((entry) => entry.text)));
  await once(socket, "connect");
  return { socket, lines };
}

async function ownerSwitching(ticket: SandboxTicket, program: string): Promise<void> {
  const { socket } = await ownerOf(ticket);
  const reply = await socket.timeout(5000).emitWithAck("settings", { program });
  expect(reply.ok).toBe(true);
}

type Attack = [name: string, run: (ticket: SandboxTicket) => Promise<void>];

const perTransport = (transport: RawTransport): Attack[] => [
  [`an argument nested 5,000 deep (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send(`21["typing",${nested(5000)}]`);
    expect(await refusedWithAck(raw, 1)).toMatch(/nested more than 32 levels/);
    raw.close();
  }],
  [`an ack answer nested 5,000 deep (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send(`31${nested(5000)}`, '22["probe"]');
    expect(await refusedWithAck(raw, 2)).toMatch(/no handler/);
    raw.close();
  }],
  [`300,000 empty strings (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.sendRaw(`42${3}["chat message",${Array.from({ length: 300_000 }, () => '""').join(",")}]`);
    expect(await refusedWithAck(raw, 3)).toMatch(/over the 64 KiB limit/);
    raw.close();
  }],
  [`a 1.1 MB message (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send(`2["chat message","${"x".repeat(1_100_000)}"]`);
    const closed = await raw.ended();
    if (transport === "websocket") expect(closed.code).toBe(1009);
    else expect(raw.messages.some((message) => typeof message === "string" && message.includes("over 1 MB"))).toBe(true);
  }],
  [`a second CONNECT (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send("0");
    await refusedAndClosed(raw, /a second CONNECT for \//);
  }],
  [`an ack id of 30 digits (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send('2123456789012345678901234567890["x"]');
    await refusedAndClosed(raw, /not a whole number below 2\^53/);
  }],
  [`a binary placeholder out of range (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send('51-4["x",{"_placeholder":true,"num":1e12}]', Buffer.from([1, 2, 3]));
    await refusedAndClosed(raw, /bad attachment count or placeholder/);
  }],
  [`1,000 binary attachments announced (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send('51000-4["x",{"_placeholder":true,"num":0}]');
    await refusedAndClosed(raw, /bad attachment count or placeholder/);
  }],
  [`binary attachments over the budget (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send('52-5["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', Buffer.alloc(40_000), Buffer.alloc(40_000));
    expect(await refusedWithAck(raw, 5)).toMatch(/of data, over the 64 KiB limit/);
    raw.close();
  }],
  [`a CONNECT_ERROR sent by a client (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send('4{"message":"forged"}');
    await refusedAndClosed(raw, /a CONNECT_ERROR packet, which only a server sends/);
  }],
  [`an event to a namespace not joined (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send('2/elsewhere,["x"]');
    await refusedAndClosed(raw, /before connecting to it/);
  }],
  [`a namespace name of 1,000 characters (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send(`0/${"n".repeat(1000)},`);
    await refusedAndClosed(raw, /a namespace name of 1001 characters/);
  }],
  [`an Engine.IO ping from the client (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.sendRaw("2");
    await refusedAndClosed(raw, /an Engine.IO ping/);
  }],
  [`a frame that is not Engine.IO (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.sendRaw("\u0000nonsense");
    await refusedAndClosed(raw, /not an Engine.IO packet/);
  }],
  [`300 events with acks at once (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    await raw.send(...Array.from({ length: 300 }, (_, i) => `2${1000 + i}["no such event"]`));
    for (let i = 0; i < 300; i++) expect(await refusedWithAck(raw, 1000 + i)).toMatch(/no handler|more than 200 events/);
    raw.close();
  }],
  [`CONNECT auth nested 5,000 deep (${transport})`, async (ticket) => {
    const raw = await openRaw(url, ticket.path, transport);
    await raw.send(`0{"a":${nested(5000)}}`);
    const refusal = await raw.next((message) => message.startsWith("4"), "the connect_error");
    expect(refusal).toMatch(/its auth data came with data nested more than 32 levels deep/);
    raw.close();
  }],
];

/**
 * Malformed and odd inputs, each on a connection that has joined "/": a Socket.IO packet (`4` is added) or a bare
 * Engine.IO frame. `answer` is what must come back (in an error ack or a `connect_error`); "alive" means nothing
 * need come back (no ack id asked for one: the owner's console says it) but the connection still answers.
 */
const malformed: [kind: "packet" | "frame", input: string, answer: RegExp | "alive"][] = [
  ["packet", "2", "alive"],
  ["packet", "2[]", /data is not what Socket.IO expects/],
  ["packet", "2{}", /data is not what Socket.IO expects/],
  ["packet", '2"x"', /data is not what Socket.IO expects/],
  ["packet", "2[null]", /data is not what Socket.IO expects/],
  ["packet", "2[{}]", /data is not what Socket.IO expects/],
  ["packet", '2[["a"]]', /data is not what Socket.IO expects/],
  ["packet", '2["chat message"', /data is not what Socket.IO expects/],
  ["packet", '2["chat message",]', /data is not what Socket.IO expects/],
  ["packet", '2["chat message",NaN]', /data is not what Socket.IO expects/],
  ["packet", '2-1["x"]', /data is not what Socket.IO expects/],
  ["packet", '21a["x"]', /data is not what Socket.IO expects/],
  ["packet", '2["connect"]', /data is not what Socket.IO expects/],
  ["packet", '2["disconnect"]', /data is not what Socket.IO expects/],
  ["packet", '2["newListener"]', /data is not what Socket.IO expects/],
  ["packet", '2["disconnecting"]', /data is not what Socket.IO expects/],
  ["packet", '2["removeListener"]', /data is not what Socket.IO expects/],
  ["packet", "2[1]", "alive"],
  ["packet", '2["error"]', "alive"],
  ["packet", '2["__proto__"]', "alive"],
  ["packet", '2["constructor"]', "alive"],
  ["packet", '2["chat message",1e999]', "alive"],
  ["packet", '2/,["x"]', "alive"],
  ["packet", "3", "alive"],
  ["packet", "3[]", "alive"],
  ["packet", "31[]", "alive"],
  ["packet", '3999999["x"]', "alive"],
  ["packet", '21["__proto__"]', /"__proto__", but the chat program has no handler/],
  ["packet", '21["constructor",1]', /"constructor", but the chat program has no handler/],
  ["packet", '21["hasOwnProperty"]', /"hasOwnProperty", but the chat program has no handler/],
  ["packet", '21["toString"]', /"toString", but the chat program has no handler/],
  ["packet", '21["error"]', /a name Socket.IO reserves for itself/],
  ["packet", "21[1,2]", /whose name is not a string/],
  ["packet", '21[""]', /sent "", but the chat program has no handler/],
  ["packet", `21["${"n".repeat(101)}"]`, /an event name of 101 characters/],
  ["packet", '21["\\u001b[2J\\u001b]8;;http://x\\u0007"]', /no handler/],
  ["packet", '21["chat message",{"__proto__":{"polluted":1}}]', /with an object, but the chat program expects a string/],
  ["packet", '21["nickname",{"toString":1}]', /with an object, but the chat program expects a string/],
  ["packet", '21["chat message","x","y","z"]', /expects a string/],
  ["packet", '21["chat message"]', /with no data, but the chat program expects a string/],
  ["packet", '21["chat message",true]', /with a boolean/],
  ["packet", '2 ["x"]', /no handler/],
  ["packet", `21["chat message",${'"x",'.repeat(5000)}"x"]`, /with more than 4096 strings, the limit/],
  ["packet", `21["chat message",{${Array.from({ length: 5000 }, (_, i) => `"k${i}":0`).join(",")}}]`, /with more than 4096 object keys, the limit/],
  ["packet", `21["chat message","${"\\u0000".repeat(12_000)}"]`, /over the 64 KiB limit/],
  ["packet", '2/nsp["x"]', /before connecting to it/],
  ["packet", '2//,["x"]', /before connecting to it/],
  ["packet", "1/nope,", /before connecting to it/],
  ["packet", "9", /a packet of an unknown type/],
  ["packet", "7", /a packet of an unknown type/],
  ["packet", '8["x"]', /a packet of an unknown type/],
  ["packet", "5", /bad attachment count or placeholder/],
  ["packet", '50-["x"]', /bad attachment count or placeholder/],
  ["packet", '5-1-["x"]', /bad attachment count or placeholder/],
  ["packet", "0,", /a second CONNECT for \//],
  ["packet", '0{"a":1}', /a second CONNECT for \//],
  ["packet", "0/nope,", /Invalid namespace/],
  ["packet", "0/admin,", /Invalid namespace/],
  ["packet", '4{"message":"x"}', /only a server sends/],
  ["packet", '21["chat message","\\ud800"]', "alive"],
  ["frame", "", /not an Engine.IO packet/],
  ["frame", "x", /not an Engine.IO packet/],
  ["frame", "7", /not an Engine.IO packet/],
  ["frame", "\u001e\u001e", /not an Engine.IO packet/],
  ["frame", "2", /an Engine.IO ping/],
  ["frame", "2probe", /an Engine.IO ping/],
  ["frame", "4", /an empty message/],
  ["frame", "4\u0000", /a packet of an unknown type/],
  ["frame", "b", /binary data that no packet announced/],
  ["frame", "bAAA", /binary data that no packet announced/],
  ["frame", "b!!!", /binary data that no packet announced/],
  ["frame", "0", "alive"],
  ["frame", "3", "alive"],
  ["frame", "5", "alive"],
  ["frame", "6", "alive"],
];

const malformedAttacks = (transport: RawTransport): Attack[] =>
  malformed.map(([kind, input, answer]) => [`${kind} ${JSON.stringify(input.slice(0, 40))}${input.length > 40 ? `… (${input.length} characters)` : ""} (${transport})`, async (ticket) => {
    const raw = await joined(ticket, transport);
    const from = raw.messages.length;
    await (kind === "packet" ? raw.send(input) : raw.sendRaw(input));
    if (answer === "alive") {
      await raw.send('2777["probe"]');
      expect(await raw.next((message) => message.startsWith("3777["), "the probe's answer", from)).toMatch(/no handler/);
    } else {
      const reply = await raw.next((message) => /^(3\d+\[|4)/.test(message), "an error ack or a connect_error", from);
      const said = reply.startsWith("3") ? JSON.parse(reply.slice(reply.indexOf("[")))[0].error : JSON.parse(reply.slice(reply.indexOf("{"))).message;
      expect(said).toMatch(answer);
    }
    raw.close();
  }]);

const attacks: Attack[] = [
  ...perTransport("websocket"),
  ...perTransport("polling"),
  ...malformedAttacks("websocket"),
  ...malformedAttacks("polling"),
  ["2,000 rooms of 60 KB asked for (rooms program)", async (ticket) => {
    await ownerSwitching(ticket, "rooms");
    const raw = await joined(ticket, "websocket");
    const name = (i: number) => `${i}-${"r".repeat(60_000)}`;
    for (let i = 0; i < 2000; i += 100) await raw.send(...Array.from({ length: 100 }, (_, j) => `2${i + j}["join","${name(i + j)}"]`));
    await raw.next((message) => message.startsWith("31999["), "the last join's answer", 0, 20_000);
    // Every answer is a refusal (a name too long, or too many events) or the socket's rooms without the long one.
    const answers = raw.messages.filter((message): message is string => typeof message === "string" && message.startsWith("3"));
    for (const answer of answers) expect(JSON.parse(answer.slice(answer.indexOf("[")))[0]).toMatchObject({ ok: expect.any(Boolean) });
    expect(answers.every((answer) => answer.length < 2000)).toBe(true);
    const other = await joined(ticket, "polling");
    await other.send('21["join","short"]');
    const answer = await other.next((message) => message.startsWith("31["), "another socket's join");
    expect(JSON.parse(answer.slice(2))[0].data).toEqual([expect.any(String), "short"]);
    other.close();
    raw.close();
  }],
  ["20,000 CONNECT packets in one polling POST", async (ticket) => {
    const raw = await openRaw(url, ticket.path, "polling");
    await raw.sendRaw(Array.from({ length: 20_000 }, () => "40").join("\x1e"));
    await refusedAndClosed(raw, /a second CONNECT for \//);
  }],
  ["20,000 tenant namespaces in one polling POST", async (ticket) => {
    await ownerSwitching(ticket, "namespaces");
    const raw = await openRaw(url, ticket.path, "polling");
    const name = (i: number) => `/tenant-${i.toString(26).replace(/[0-9]/g, (d) => "qrstuvwxyz"[Number(d)])}`;
    await raw.sendRaw(Array.from({ length: 20_000 }, (_, i) => `40${name(i)},`).join("\x1e"));
    await raw.next((message) => message.startsWith("4/"), "a refusal");
    raw.close();
    const fresh = client(ticket, { path: ticket.path });
    await once(fresh, "connect");
  }],
  ["200 handshakes to a full sandbox", async (ticket) => {
    const full = await Promise.all(Array.from({ length: 64 }, () => joined(ticket, "websocket")));
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const attempt = await openRaw(url, ticket.path, i % 2 ? "websocket" : "polling").catch((error: Error) => error);
        if (attempt instanceof Error) return expect(attempt.message).toMatch(/This sandbox is full \(64 sockets\)/);
        await attempt.send("0");
        await refusedAndClosed(attempt, /this sandbox is full \(64 sockets\)/);
      }),
    );
    expect(answers).toHaveLength(200);
    for (const raw of full) raw.close();
  }],
  ["five slow readers under a flood", async (ticket) => {
    const owner = await ownerOf(ticket);
    const slow = await Promise.all(Array.from({ length: 5 }, () => joined(ticket, "websocket")));
    for (const raw of slow) raw.pause();
    const sender = client(ticket);
    await once(sender, "connect");
    const cut = () => owner.lines.filter((line) => line.includes("stopped reading")).length;
    for (let i = 0; i < 1000 && cut() < 5; i++) {
      sender.emit("chat message", `${i}:${"x".repeat(60 * 1024)}`);
      if (i % 4 === 3) await once(sender, "chat message"); // the sender reads its own echo: it keeps up
    }
    for (const raw of slow) raw.resume();
    for (const raw of slow) expect((await raw.ended(15_000)).code).toBe(1008);
  }],
  ["odd messages and offsets to the delivery program (SQL)", async (ticket) => {
    await ownerSwitching(ticket, "delivery");
    const raw = await joined(ticket, "polling");
    await raw.send('21["chat message",{"$gt":""},"o1"]', '22["chat message","x",["o2"]]', '23["chat message","x",{"__proto__":{"a":1}}]');
    for (const id of [1, 2, 3]) expect(await refusedWithAck(raw, id)).toMatch(/expects a string/);
    await raw.send(`24["chat message","'); DROP TABLE messages; --","o4"]`, '25["chat message","after","o4"]');
    await raw.next((message) => message.startsWith("35["), "the last message's ack");
    const reader = client(ticket, { auth: { serverOffset: 0 } });
    const received: unknown[] = [];
    reader.on("chat message", (text: unknown) => received.push(text));
    await waitFor(() => received.length === 2, "both stored messages caught up from offset 0, the table still there");
    expect(received).toEqual(["'); DROP TABLE messages; --", "after"]);
    raw.close();
  }],
  ["a full delivery database caught up by 60 sockets that never read", async (ticket) => {
    await ownerSwitching(ticket, "delivery");
    const raw = await joined(ticket, "websocket");
    let refused = "";
    for (let id = 1; id <= 40 && !refused; id++) {
      await raw.send(`2${id}["chat message","${"x".repeat(60_000)}","offset-${id}"]`);
      const ack = await raw.next((message) => message.startsWith(`3${id}[`), `the ack of ${id}`);
      if (ack !== `3${id}[]`) refused = ack;
    }
    expect(refused).toMatch(/The database refused a write/);
    const readers = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const reader = await openRaw(url, ticket.path, "websocket");
        await reader.send('0{"serverOffset":0}');
        await reader.next((message) => message.startsWith("0{"), "the CONNECT answer");
        reader.pause();
        return reader;
      }),
    );
    await raw.send('2100["chat message","still here","offset-last"]');
    expect(await raw.next((message) => message.startsWith("3100["), "an answer while 60 sockets sit on the history")).toMatch(/^3100\[/);
    for (const reader of readers) reader.close();
    raw.close();
  }],
  ["the control channel: deep auth, a wrong token, events before joining", async (ticket) => {
    const raw = await openRaw(url, "/control/socket.io", "websocket");
    await raw.send(`0{"sandbox":${nested(3000)}}`);
    await raw.next((message) => message.startsWith("4{"), "the connect_error");
    await raw.send(`0{"sandbox":"${ticket.id}","token":"wrong"}`);
    await raw.next((message) => message.includes("Not the owner"), "the refusal");
    const from = raw.messages.length;
    await raw.send('21["settings",{"program":"rooms"}]');
    await refusedAndClosed(raw, /before connecting to it/, from);
  }],
  ["an unknown sandbox id", async () => {
    for (const transports of [["websocket"], ["polling"]] as const) {
      const socket = client({ id: "nope", token: "", clientKey: "", path: "/sandbox/nope/socket.io" }, { transports: [...transports] });
      const [error] = await once(socket, "connect_error");
      expect(error.message).toMatch(/No sandbox with this id/);
    }
  }],
  ["a raw WebSocket that floods 100,000 tiny events", async (ticket) => {
    const ws = new WebSocket(`${url.replace("http", "ws")}${ticket.path}/?EIO=4&transport=websocket`);
    await once(ws, "open");
    ws.send("40");
    for (let i = 0; i < 100_000; i++) ws.send("42[0]");
    ws.send('4299["probe"]');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer to the probe")), 15_000);
      ws.on("message", (data) => {
        if (data.toString().startsWith("4399[")) {
          clearTimeout(timer);
          resolve();
        }
      });
      ws.on("close", () => {
        clearTimeout(timer);
        resolve(); // closed as a slow reader of its own error acks, or answered: either way, not hung
      });
    });
    ws.terminate();
  }],
];

describe("the attack corpus against the production server", () => {
  it(`${attacks.length} attacks: 0 crashes, 0 hangs, an answer for each`, async () => {
    const startFiles = openFiles();
    const failures: string[] = [];
    for (const [name, run] of attacks) {
      const ticket = await createSandbox(url);
      const outcome = await Promise.race([
        run(ticket).then(() => "answered", (error: Error) => `failed: ${error.message.slice(0, 300)}`),
        new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 30_000)),
      ]);
      if (server.exitCode !== null || server.signalCode !== null) failures.push(`${name}: the server crashed`);
      else if (outcome !== "answered") failures.push(`${name}: ${outcome}`);
      const alive = await fetch(`${url}/api/sandboxes`, { signal: AbortSignal.timeout(5000) }).then((response) => response.status, () => 0);
      if (alive !== 405) failures.push(`${name}: the server did not answer afterwards (${alive})`);
      for (const socket of sockets.splice(0)) socket.disconnect();
    }
    expect(failures).toEqual([]);
    await waitFor(() => openFiles() <= startFiles + 5, `file descriptors back near ${startFiles} (now ${openFiles()})`, 15_000);
    console.info(`attack corpus: ${attacks.length} attacks, ${failures.length} failures; file descriptors ${startFiles} before, ${openFiles()} after`);
  }, 300_000);
});
