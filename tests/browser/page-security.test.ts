/** Chromium against the production server: the CSP holds with the page fully working, participant text cannot steer the owner's page, and other sites can neither create sandboxes nor frame the page. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { io as connect, type Socket } from "socket.io-client";
import type { SandboxTicket } from "../../contract/protocol.ts";
import { once } from "../support/live.ts";
import { builtPage, serverAndBrowser } from "../support/server.ts";

const live = serverAndBrowser();
let context: BrowserContext | undefined;
let participant: Socket | undefined;

afterEach(async () => {
  participant?.disconnect();
  participant = undefined;
  await context?.close();
  context = undefined;
});

/** A fresh tab that records every CSP violation and console error. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  context = await live.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  await page.addInitScript(`
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (event) => window.violations.push(event.violatedDirective + " " + event.blockedURI));
  `);
  page.on("console", (message) => {
    if (message.type() === "error" || /Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${live.server.url}${path}`);
  await connectedClient(page, "Client A");
  return { page, problems };
}

const card = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const connectedClient = (page: Page, name: string) => card(page, name).getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 10_000 });
const violations = (page: Page) => page.evaluate("window.violations") as Promise<string[]>;
const ticketOf = async (page: Page) => JSON.parse(((await page.evaluate("Object.values(sessionStorage)")) as string[])[0]) as SandboxTicket;

async function typeInConsole(page: Page, line: string): Promise<void> {
  const consoleRegion = page.getByRole("region", { name: "Server console" });
  await consoleRegion.scrollIntoViewIfNeeded();
  await consoleRegion.locator(".xterm").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

describe("the Content Security Policy", () => {
  it("is sent with the page, and the built page has no inline script for it to block", async () => {
    const response = await fetch(`${live.server.url}/lessons/chat`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = readFileSync(`${builtPage()}/index.html`, "utf8");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either
  });

  // Two steps with their clients, a console command and a theme switch: more than the default 30 s on a loaded machine.
  it("lets the whole page work under it — clients, the xterm console, code highlighting, a theme switch — with no violation", { timeout: 90_000 }, async () => {
    const { page, problems } = await open("/lessons/rooms/4");
    await connectedClient(page, "Client C");
    // The step puts A and B in "lobby": wait until the server has them there before emitting to it.
    for (const name of ["Client A", "Client B"]) await card(page, name).getByRole("definition").nth(1).getByText("lobby", { exact: true }).waitFor();
    await typeInConsole(page, 'io.to("lobby").emit("news", 1)');
    const rows = page.getByRole("region", { name: "Server console" }).locator(".xterm-rows");
    await rows.filter({ hasText: "→ A, B" }).waitFor();
    await card(page, "Client A").getByRole("log").getByRole("listitem", { name: /^received news 1/ }).waitFor();
    await page.getByRole("button", { name: /theme/i }).first().click();
    await page.getByRole("link", { name: "Next" }).or(page.getByRole("button", { name: "Next" })).first().click();
    await connectedClient(page, "Client D");
    expect(await violations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe("text a participant sends", () => {
  it("reaches the owner's console, logs and Deliveries table with its control characters escaped", async () => {
    const { page, problems } = await open("/lessons/chat");
    const ticket = await ticketOf(page);
    const rows = page.getByRole("region", { name: "Server console" }).locator(".xterm-rows");
    await page.getByRole("region", { name: "Server console" }).scrollIntoViewIfNeeded();
    await rows.filter({ hasText: "Server console:" }).waitFor();

    participant = connect(live.server.url, { path: ticket.path, transports: ["websocket"], forceNew: true });
    await once(participant, "connect");
    const attack = "\x1b[2J\x1b[H\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07\u009b31m\r\nA fake line\u202e";
    participant.emit("chat message", attack);

    // The program logs "message: " + msg: the terminal shows the escapes as text, and nothing was cleared.
    await page.getByRole("region", { name: "Server console" }).scrollIntoViewIfNeeded();
    await rows.filter({ hasText: "message: \\x1b[2J\\x1b[H\\x1b]8;;https://evil.example/\\x07click me" }).waitFor();
    await rows.filter({ hasText: "\\u009b31m\\r\\nA fake line\\u202e" }).first().waitFor();
    await rows.filter({ hasText: "Server console:" }).waitFor();
    expect(await page.locator(".xterm a, .xterm-rows [style*='underline']").count()).toBe(0);

    // The client log and the Deliveries table show them escaped too.
    const item = card(page, "Client A").getByRole("log").getByRole("listitem", { name: /^received chat message/ });
    await item.waitFor();
    const name = await item.getAttribute("aria-label");
    expect(name).toContain("\\u001b[2J");
    expect(name).toContain("\\u009b31m");
    expect(name).toContain("\\u202e");
    expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    // The server writes the call with JSON.stringify (C0 escaped, C1 and bidi marks not) and cuts it at 80 characters.
    participant.emit("chat message", "\u009b2J\u202eX");
    const table = page.getByRole("table", { name: "Deliveries" });
    const row = table.getByRole("row").filter({ hasText: "\\u009b2J\\u202eX" });
    await row.waitFor();
    const first = await table.getByRole("row").nth(2).locator("code").first().textContent();
    expect(first).toContain("\\u001b[2J");
    for (const call of [first, await row.locator("code").first().textContent()]) expect(call).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(problems).toEqual([]);
  });
});

describe("another web site", () => {
  let foreign: Server;
  let foreignUrl: string;
  beforeAll(async () => {
    foreign = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><title>elsewhere</title><iframe src="${live.server.url}/lessons/chat"></iframe>`);
    });
    await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
    foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => foreign.close(() => resolve())));

  it("cannot make its visitors create sandboxes, with JSON (preflight refused), a simple request, or a form", async () => {
    context = await live.browser.newContext();
    const page = await context.newPage();
    await page.goto(foreignUrl);
    const before = live.server.playground.registry.size;
    const api = JSON.stringify(`${live.server.url}/api/sandboxes`);
    const outcome = await page.evaluate(`(async () => {
      const json = await fetch(${api}, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then(
        () => "answered",
        () => "blocked",
      );
      await fetch(${api}, { method: "POST", mode: "no-cors", body: "{}" });
      const form = document.createElement("form");
      form.method = "POST";
      form.action = ${api};
      form.target = "sink";
      const sink = document.createElement("iframe");
      sink.name = "sink";
      document.body.append(sink, form);
      const loaded = new Promise((resolve) => sink.addEventListener("load", resolve));
      form.submit();
      await loaded;
      return json;
    })()`);
    expect(outcome).toBe("blocked");
    expect(live.server.playground.registry.size).toBe(before);
  });

  it("cannot show the playground in a frame", async () => {
    context = await live.browser.newContext();
    const page = await context.newPage();
    await page.goto(foreignUrl);
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    await expect.poll(() => frame?.url()).toMatch(/^chrome-error:/);
  });
});
