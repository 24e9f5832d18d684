/** The Admin UI on a sandbox: only the owner's credentials open its namespace; its traffic is no card, feed line or delivery. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminUiAccess, SandboxTicket } from "../../contract/protocol.ts";
import { connectOwner, connection, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live, type Owner, type RecordingClient } from "../support/live.ts";

let live: Live;

beforeAll(async () => {
  live = await startLive({ maxSocketsPerSandbox: 4 });
});

afterAll(async () => {
  await live?.close();
});

async function ownedSandbox(): Promise<{ ticket: SandboxTicket; owner: Owner; access: AdminUiAccess }> {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  const result = await owner.timeout(5000).emitWithAck("adminUi");
  if (!result.ok) throw new Error(result.error);
  return { ticket, owner, access: result.data };
}

/** An Admin UI connection, as the UI makes it: the admin namespace on the sandbox's path, with `auth`. */
function adminClient(ticket: SandboxTicket, access: AdminUiAccess, auth: Record<string, unknown>): RecordingClient {
  return joinSandbox(live.url, ticket, { namespace: access.namespace, auth });
}

describe("the Admin UI's namespace", () => {
  it("gives the owner credentials for the sandbox's path, on a namespace no lesson uses", async () => {
    const { ticket, access } = await ownedSandbox();
    expect(access).toMatchObject({ url: "/admin-ui/", path: ticket.path, namespace: "/playground-admin", username: "owner" });
    expect(access.password).toMatch(/^[0-9a-f]{32}$/);
    expect(access.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(access.namespace).not.toBe("/admin");
  });

  it("opens with the owner's session or password, and lists the sandbox's sockets", async () => {
    const { ticket, access } = await ownedSandbox();
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    const bySession = adminClient(ticket, access, { sessionId: access.sessionId });
    const [sockets] = (await once(bySession, "all_sockets")) as [{ id: string; nsp: string }[]];
    expect(sockets.map((socket) => socket.id)).toContain(a.id);

    const byPassword = adminClient(ticket, access, { username: access.username, password: access.password });
    const [session] = await once(byPassword, "session");
    expect(session).toMatch(/^[0-9a-f]{16}$/);
  });

  it("refuses a wrong password, a wrong session and a stranger without credentials", async () => {
    const { ticket, access } = await ownedSandbox();
    for (const auth of [{ username: access.username, password: "0".repeat(32) }, { sessionId: "f".repeat(32) }, {}, { username: access.username, password: access.password.slice(0, -1) }]) {
      const refusal = await connection(adminClient(ticket, access, auth));
      expect(refusal?.message, JSON.stringify(auth)).toBe("invalid credentials");
    }
  });

  it("refuses everyone on a sandbox whose owner never asked for it, and other sandboxes' credentials", async () => {
    const { access } = await ownedSandbox();
    const other = await createSandbox(live.url);
    const refusal = await connection(adminClient(other, access, { sessionId: access.sessionId }));
    expect(refusal?.message).toBe("Invalid namespace");
    await connectOwner(live.url, other).then((owner) => owner.timeout(5000).emitWithAck("adminUi"));
    const stillRefused = await connection(adminClient(other, access, { username: access.username, password: access.password }));
    expect(stillRefused?.message).toBe("invalid credentials");
  });

  it("is no card, no feed line and no delivery, and never breaks the trace of a broadcast it watches", async () => {
    const { ticket, owner, access } = await ownedSandbox();
    const admin = adminClient(ticket, access, { sessionId: access.sessionId });
    await once(admin, "connect");
    const a = joinSandbox(live.url, ticket, { as: "A" });
    const b = joinSandbox(live.url, ticket, { as: "B" });
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    a.emit("chat message", "hello");
    const delivery = await waitFor(() => owner.trace.find((entry) => entry.event === "chat message"), "the chat message delivery");
    expect(delivery.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B"]);
    await waitFor(() => admin.got.filter(([event]) => event === "event_sent").length >= 2, "the Admin UI saw both packets go out");
    await settle();
    expect(owner.trace.every((entry) => entry.nsp === "/")).toBe(true);
    expect(owner.sockets.map((socket) => socket.client).sort()).toEqual(["A", "B"]);
    expect(owner.feed.some((line) => line.text.includes("playground-admin") || line.nsp === access.namespace)).toBe(false);
    // What the Admin UI saw is what happened: A sent, A and B were sent to.
    expect(admin.got.some(([event, nsp, id, args]) => event === "event_received" && nsp === "/" && id === a.id && JSON.stringify(args) === '["chat message","hello"]')).toBe(true);
  });

  it("counts under the sandbox's socket cap", async () => {
    const { ticket, access } = await ownedSandbox();
    const admins = [0, 1].map(() => adminClient(ticket, access, { sessionId: access.sessionId }));
    await Promise.all(admins.map((admin) => once(admin, "connect")));
    const clients = [0, 1].map(() => joinSandbox(live.url, ticket));
    await Promise.all(clients.map((client) => once(client, "connect")));
    const refusal = await connection(joinSandbox(live.url, ticket));
    expect(refusal?.message).toMatch(/sandbox is full \(4 sockets\)/i);
    const adminRefusal = await connection(adminClient(ticket, access, { sessionId: access.sessionId }));
    expect(adminRefusal?.message).toMatch(/sandbox is full/i);
  });

  it("takes no commands: an event with an ack is refused with a reason", async () => {
    const { ticket, access } = await ownedSandbox();
    const admin = adminClient(ticket, access, { sessionId: access.sessionId });
    await once(admin, "connect");
    const answer = await admin.timeout(5000).emitWithAck("_disconnect", "/", false);
    expect(answer).toEqual({ ok: false, error: "The Admin UI is read-only here: run commands in the server console instead." });
  });

  it("comes back on the next program run with the same credentials, and leaves no timer behind", async () => {
    const { ticket, owner, access } = await ownedSandbox();
    // Every interval started meanwhile, until it is cleared (admin-ui's stats interval is unref'd: no resource count shows it).
    const started = new Set<NodeJS.Timeout>();
    const { setInterval: setBefore, clearInterval: clearBefore } = globalThis;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      const timer = setBefore(...args);
      started.add(timer);
      return timer;
    }) as typeof setInterval;
    globalThis.clearInterval = ((timer: NodeJS.Timeout) => {
      started.delete(timer);
      clearBefore(timer);
    }) as typeof clearInterval;
    try {
      for (const program of ["broadcast", "rooms", "chat", "broadcast", "rooms"] as const) {
        const switched = await owner.timeout(5000).emitWithAck("settings", { program });
        expect(switched.ok).toBe(true);
      }
      await settle();
    } finally {
      Object.assign(globalThis, { setInterval: setBefore, clearInterval: clearBefore });
    }
    // One stats interval for the live run, not one per run ever started (admin-ui never clears its own).
    expect(started.size).toBe(1);
    const a = joinSandbox(live.url, ticket, { as: "A" });
    await once(a, "connect");
    const admin = adminClient(ticket, access, { sessionId: access.sessionId });
    const [sockets] = (await once(admin, "all_sockets")) as [{ id: string }[]];
    expect(sockets.map((socket) => socket.id)).toContain(a.id);
  });
});

describe("the Admin UI's files", () => {
  it("serves the package's UI with nothing from the internet, and nothing else", async () => {
    const redirect = await fetch(`${live.url}/admin-ui`, { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/admin-ui/");
    const page = await fetch(`${live.url}/admin-ui/`);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain("<title>Socket.IO Admin UI</title>");
    expect(html).not.toContain("https://");
    for (const asset of html.match(/(?:src|href)="[^"]+"/g)!.map((attribute) => attribute.split('"')[1])) {
      const response = await fetch(`${live.url}/admin-ui/${asset}`);
      expect(response.status, asset).toBe(200);
    }
    const icons = await fetch(`${live.url}/admin-ui/mdi/fonts/materialdesignicons-webfont.woff2`);
    expect(icons.headers.get("content-type")).toBe("font/woff2");
    for (const path of ["/admin-ui/../package.json", "/admin-ui/%2e%2e/package.json", "/admin-ui/nope.js", "/admin-ui/js/"]) {
      const response = await fetch(`${live.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toHaveProperty("error");
    }
    const post = await fetch(`${live.url}/admin-ui/`, { method: "POST" });
    expect(post.status).toBe(405);
  });
});
