/**
 * Two `npm start` processes behind a real HAProxy, configured by scripts/haproxy-config.ts as docs/deploy.md says:
 * every request of a sandbox reaches the process that owns it, over both transports, and a process that dies takes
 * only its own sandboxes with it, until it is back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Browser } from "playwright-core";
import { io as connect } from "socket.io-client";
import { controlOptions } from "../../contract/control-connection.ts";
import type { SandboxTicket } from "../../contract/protocol.ts";
import { unknownSandboxMessage } from "../../server/http/unknown-sandbox.ts";
import { haproxyConfig } from "../../scripts/haproxy-config.ts";
import { launchBrowser } from "../support/browser.ts";
import { connection, connectOwner, gotEvents, joinSandbox, once, waitFor, type Owner, type RecordingClient } from "../support/live.ts";
import { freePort, haproxyPath, startHaproxy, startPlaygroundProcess, stopChildren, type Child } from "../support/processes.ts";
import { builtPage } from "../support/server.ts";

/** Sandboxes one address may create per 10 minutes at the balancer (this file makes fewer before its quota test). */
const createQuota = 16;
/** Live sandboxes per process (`SANDBOX_MAX`): small enough to fill one, large enough for the rest of the file. */
const maxSandboxes = 30;
const dir = mkdtempSync(join(tmpdir(), "playground-haproxy-"));
const processes = new Map<string, Child & { url: string; port: number }>();
let haproxy: ReturnType<typeof startHaproxy> | undefined;
let balancer: string;
let browser: Browser | undefined;
/** `POST /api/sandboxes` sent to the balancer so far: the quota counts each. */
let creations = 0;

/** Starts process `name` on `port`; both share one data folder (each keeps its own file in it). */
async function startProcess(name: string, port: number): Promise<void> {
  const started = await startPlaygroundProcess({
    port,
    distDir: builtPage(),
    env: { PLAYGROUND_PROCESS: name, PLAYGROUND_DATA: dir, SANDBOX_CREATE_QUOTA: "0", SANDBOX_MAX: String(maxSandboxes) },
  });
  processes.set(name, { ...started, port });
}

beforeAll(async () => {
  // No HAProxy fails every test here with how to install it, before any process starts.
  haproxyPath();
  const ports = { p1: await freePort(), p2: await freePort(), balancer: await freePort() };
  await Promise.all([startProcess("p1", ports.p1), startProcess("p2", ports.p2)]);
  const config = haproxyConfig({
    bind: `127.0.0.1:${ports.balancer}`,
    processes: [...processes].map(([name, { port }]) => ({ name, address: `127.0.0.1:${port}` })),
    createQuota,
  });
  haproxy = startHaproxy(config, dir);
  balancer = `http://127.0.0.1:${ports.balancer}`;
  // Up once it serves the page from both processes (HAProxy takes them in turns).
  const early = haproxy.exited.then(() => {
    throw new Error(`haproxy exited:\n${haproxy!.output()}`);
  });
  const serving = vi.waitFor(
    async () => {
      if (!(await fetch(`${balancer}/`)).ok) throw new Error("HAProxy does not serve the page yet");
    },
    { timeout: 15_000, interval: 50 },
  );
  await Promise.race([early, serving]);
  // And both in its rotation: on a loaded machine a process may fail its first health checks and join a little later.
  await Promise.race([early, Promise.all([healthIs("p1", "UP"), healthIs("p2", "UP")])]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await haproxy?.stop("SIGKILL");
  // Every child still running, including one a failed start left behind.
  await stopChildren();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until HAProxy's health checks say `status` of process `name`. */
function healthIs(name: string, status: "UP" | "DOWN"): Promise<void> {
  return vi.waitFor(
    async () => {
      const now = await haproxy!.status(`process_${name}`, name);
      if (now !== status) throw new Error(`HAProxy says ${name} is ${now}, not ${status}`);
    },
    { timeout: 20_000, interval: 200 },
  );
}

/** `POST /api/sandboxes` through the balancer, as the page sends it. */
async function create(): Promise<Response> {
  creations++;
  return fetch(`${balancer}/api/sandboxes`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
}

/** Creates sandboxes through the balancer until one is on each process (HAProxy takes them in turns). */
async function oneOnEach(): Promise<Record<string, SandboxTicket>> {
  const tickets: Record<string, SandboxTicket> = {};
  for (let tries = 0; tries < 6 && Object.keys(tickets).length < processes.size; tries++) {
    const response = await create();
    expect(response.status).toBe(201);
    const ticket = (await response.json()) as SandboxTicket;
    tickets[ticket.id.split(".", 1)[0]] ??= ticket;
  }
  expect(Object.keys(tickets).sort()).toEqual(["p1", "p2"]);
  return tickets;
}

interface Learner {
  ticket: SandboxTicket;
  owner: Owner;
  polling: RecordingClient;
  websocket: RecordingClient;
}

/** A learner's owner page and two outside clients, one per transport, all through the balancer. */
async function learner(ticket: SandboxTicket, ownerTransports: ("polling" | "websocket")[]): Promise<Learner> {
  const owner = await connectOwner(balancer, ticket, ticket.token, { transports: ownerTransports });
  const polling = joinSandbox(balancer, ticket, { transports: ["polling"] });
  const websocket = joinSandbox(balancer, ticket, { transports: ["websocket"] });
  expect(await Promise.all([connection(polling), connection(websocket)])).toEqual([undefined, undefined]);
  await waitFor(() => owner.sockets.length === 2, "both outside clients in the owner's socket list");
  return { ticket, owner, polling, websocket };
}

/** One outside client's message reaches both, the owner's trace names both, and a console emit reaches both. */
async function expectEndToEnd({ owner, polling, websocket }: Learner, text: string): Promise<void> {
  for (const [sender, other] of [[polling, websocket], [websocket, polling]] as const) {
    const message = `${text} from ${sender === polling ? "polling" : "websocket"}`;
    const arrived = Promise.all([once(sender, "chat message"), once(other, "chat message")]);
    sender.emit("chat message", message);
    expect(await arrived).toEqual([[message], [message]]);
    const delivery = await waitFor(() => owner.trace.find((entry) => entry.args[0] === message), `the delivery of "${message}" in the owner's trace`);
    expect(delivery.reached.map((recipient) => recipient.socketId).sort()).toEqual([polling.id, websocket.id].sort());
  }
  const news = Promise.all([once(polling, "news"), once(websocket, "news")]);
  const reply = await owner.timeout(5000).emitWithAck("command", `io.emit("news", "${text}")`);
  expect(reply.ok).toBe(true);
  expect(await news).toEqual([[text], [text]]);
}

describe("behind HAProxy (docs/deploy.md)", () => {
  it("routes two learners' sandboxes on different processes end to end: API, control channel, polling and WebSocket", { timeout: 60_000 }, async () => {
    const tickets = await oneOnEach();
    // Learner 1's page polls its control channel, learner 2's uses a WebSocket.
    const one = await learner(tickets.p1, ["polling"]);
    const two = await learner(tickets.p2, ["websocket"]);
    await expectEndToEnd(one, "one");
    await expectEndToEnd(two, "two");
    expect(gotEvents(two.polling, "chat message").flat().join()).not.toMatch(/one/);
    expect(gotEvents(one.polling, "chat message").flat().join()).not.toMatch(/two/);

    // The routing did the work: each sandbox lives on its own process only, unknown to the other.
    const astray = joinSandbox(processes.get("p2")!.url, tickets.p1, { transports: ["polling"] });
    expect((await connection(astray))?.message).toBe(unknownSandboxMessage);
  });

  it("answers a Socket.IO request no process owns with a connect_error, not a hang, over polling", { timeout: 30_000 }, async () => {
    const nobody: SandboxTicket = { id: "p9.AAAAAAAAAAAAAAAAAAAAAA", token: "x".repeat(43), clientKey: "", path: "/sandbox/p9.AAAAAAAAAAAAAAAAAAAAAA/socket.io" };
    const participant = joinSandbox(balancer, nobody, { transports: ["polling"] });
    expect((await connection(participant))?.message).toBe(unknownSandboxMessage);
    // The owner page hears that its sandbox is gone (and makes a new one) instead of retrying forever.
    const owner = connect(balancer, { ...controlOptions(nobody), transports: ["polling"], forceNew: true, reconnection: false });
    const [refusal] = await once(owner, "connect_error");
    owner.disconnect();
    expect(refusal.message).toMatch(/^Unknown sandbox/);
    const defaultPath = joinSandbox(balancer, { ...nobody, path: "/socket.io" }, { transports: ["polling"] });
    expect((await connection(defaultPath))?.message).toMatch(/No Socket.IO server at \/socket\.io/);
  });

  it("loses only a dead process's sandboxes, answers them with a JSON 503 meanwhile, and has them back when it restarts", { timeout: 90_000 }, async () => {
    const tickets = await oneOnEach();
    const one = await learner(tickets.p1, ["websocket"]);
    const two = await learner(tickets.p2, ["websocket"]);
    const p2 = processes.get("p2")!;
    await p2.stop("SIGTERM");
    // HAProxy's health checks notice (3 failed checks, 2 s apart)…
    await healthIs("p2", "DOWN");

    await expectEndToEnd(one, "while p2 is down");
    const polled = await fetch(`${balancer}${tickets.p2.path}/?EIO=4&transport=polling`);
    expect(polled.status).toBe(503);
    expect(polled.headers.get("content-type")).toBe("application/json");
    expect(((await polled.json()) as { error: string }).error).toMatch(/not answering \(it may be restarting\)/);
    // New learners all land on the process that is up.
    for (let index = 0; index < 3; index++) {
      const response = await create();
      expect(response.status).toBe(201);
      expect(((await response.json()) as SandboxTicket).id).toMatch(/^p1\./);
    }

    const settingsAfterRestart = once(two.owner, "settings", 30_000);
    await startProcess("p2", p2.port);
    // …and take it back after 2 good ones.
    await healthIs("p2", "UP");
    // The owner reconnects by itself (socket.io-client) and finds its sandbox, one program run later.
    const [state] = await settingsAfterRestart;
    expect(state.run).toBe(2);
    const back = await learner(tickets.p2, ["websocket"]);
    await expectEndToEnd(back, "after the restart");
  });

  it("sends a creation that a full process refuses on to another one", { timeout: 30_000 }, async () => {
    // Fill p1 directly (the balancer's quota does not see these), until it answers its JSON 503.
    const p1 = processes.get("p1")!;
    let full: Response | undefined;
    for (let made = 0; made <= maxSandboxes && !full; made++) {
      const response = await fetch(`${p1.url}/api/sandboxes`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      if (response.status === 503) full = response;
      else expect(response.status).toBe(201);
    }
    expect(full, "p1 refuses once it holds SANDBOX_MAX sandboxes").toBeDefined();
    // HAProxy still takes the processes in turns; p1's 503 is retried on p2, so every learner gets a sandbox.
    for (let index = 0; index < 3; index++) {
      const response = await create();
      expect(response.status).toBe(201);
      expect(((await response.json()) as SandboxTicket).id).toMatch(/^p2\./);
    }
  });

  it("serves the playground page from any process, and its live session works through the balancer", { timeout: 60_000 }, async () => {
    browser = await launchBrowser();
    const page = await browser.newPage();
    creations++; // the page creates its sandbox
    await page.goto(`${balancer}/lessons/chat`);
    const card = (name: string) => page.getByRole("region", { name, exact: true });
    for (const name of ["Client A", "Client B"]) {
      await card(name).getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 20_000 });
    }
    const ticket = JSON.parse(((await page.evaluate("Object.values(sessionStorage)")) as string[])[0]) as SandboxTicket;
    expect(ticket.id).toMatch(/^p[12]\./);
    await card("Client A").getByRole("textbox", { name: "Message" }).fill("through haproxy");
    await card("Client A").getByRole("button", { name: "Send" }).click();
    await card("Client B").getByRole("log").getByRole("listitem", { name: /^received chat message "through haproxy"/ }).waitFor();
    // The control channel carried the delivery back: the Deliveries table has its row.
    await page.getByRole("table", { name: "Deliveries" }).getByText("through haproxy").first().waitFor();
    await page.close();
  });

  it("keeps the creation quota per client address at the balancer, answered in JSON with Retry-After", { timeout: 30_000 }, async () => {
    while (creations < createQuota) expect((await create()).status).toBe(201);
    const refused = await create();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(((await refused.json()) as { error: string }).error).toMatch(/Too many sandboxes created from your address/);
  });
});
