/** Chromium against the real server: simulated clients, their logs and raw frames, the console, an external client, Deliveries. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const live = serverAndBrowser();
let context: BrowserContext | undefined;
let external: ChildProcess | undefined;
const dialogs: string[] = [];

afterEach(async () => {
  external?.kill();
  external = undefined;
  await context?.close();
  context = undefined;
});

const card = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const log = (page: Page, name: string) => page.getByRole("log", { name: `${name} events`, exact: true });
const entry = (page: Page, name: string, text: RegExp) => log(page, name).getByRole("listitem", { name: text });

/**
 * Opens a lesson in a fresh tab (so a fresh sandbox) and makes sure `count` clients are connected. With `clock`,
 * the page runs on Playwright's clock: time flows as usual until the test moves it on (`page.clock.fastForward`).
 */
async function openLesson(path: string, count: number, { clock = false } = {}): Promise<Page> {
  context = await live.browser.newContext();
  if (clock) await context.clock.install();
  const page = await context.newPage();
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${live.server.url}${path}`);
  await card(page, "Client A").waitFor();
  const cards = page.getByRole("region", { name: /^Client [A-Z]$/ });
  while ((await cards.count()) < count) await page.getByRole("button", { name: "Add client" }).click();
  for (const letter of "ABCDEFGHIJKL".slice(0, count)) await connected(card(page, `Client ${letter}`));
  return page;
}

function connected(region: Locator): Promise<void> {
  return region.getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 10_000 });
}

async function send(page: Page, from: string, message: string): Promise<void> {
  const region = card(page, from);
  await region.getByRole("textbox", { name: "Message" }).fill(message);
  await region.getByRole("button", { name: "Send" }).click();
}

/** The ✓ / — of one Deliveries row, by column header. */
async function deliveryRow(page: Page, call: string): Promise<Record<string, string>> {
  const table = page.getByRole("table", { name: "Deliveries" });
  const row = table.getByRole("row").filter({ hasText: call });
  await row.waitFor();
  const headers = await table.getByRole("columnheader").allInnerTexts();
  const cells = await row.getByRole("cell").evaluateAll((tds) => tds.map((td) => td.querySelector("[aria-hidden]")?.textContent ?? ""));
  return Object.fromEntries(cells.map((text, index) => [headers[index + 1], text.trim()]));
}

describe("simulated clients", () => {
  it("delivers a send from A to B and C, logged as the contract names it", async () => {
    const page = await openLesson("/lessons/chat", 3);
    await send(page, "Client A", "hello");
    await entry(page, "Client B", /^received chat message "hello"/).waitFor();
    await entry(page, "Client C", /^received chat message "hello"/).waitFor();
    await entry(page, "Client A", /^sent chat message "hello"/).waitFor();
    expect(await entry(page, "Client B", /^connected/).count()).toBe(1);
  });

  it("logs each event once after a disconnect and reconnect", async () => {
    const page = await openLesson("/lessons/chat", 2);
    const b = card(page, "Client B");
    await b.getByRole("button", { name: "Disconnect" }).click();
    await b.getByRole("status").filter({ hasText: /^disconnected$/ }).waitFor();
    await entry(page, "Client B", /^disconnected io client disconnect/).waitFor();
    await b.getByRole("button", { name: "Connect" }).click();
    await connected(b);
    await send(page, "Client A", "once");
    await entry(page, "Client B", /^received chat message "once"/).waitFor();
    // A second message lands after any duplicate of the first would have: then count.
    await send(page, "Client A", "then");
    await entry(page, "Client B", /^received chat message "then"/).waitFor();
    expect(await entry(page, "Client B", /^received chat message "once"/).count()).toBe(1);
    expect(await entry(page, "Client B", /^connected/).count()).toBe(2);
  });

  it("opens twelve clients side by side and removes one", async () => {
    const page = await openLesson("/lessons/chat", 12);
    await send(page, "Client L", "from the twelfth");
    await entry(page, "Client A", /^received chat message "from the twelfth"/).waitFor();
    await card(page, "Client B").getByRole("button", { name: "Remove client B" }).click();
    await card(page, "Client B").waitFor({ state: "detached" });
    expect(await page.getByRole("region", { name: /^Client [A-Z]$/ }).count()).toBe(11);
    expect(await page.getByRole("table", { name: "Deliveries" }).getByRole("columnheader", { name: "B", exact: true }).count()).toBe(0);
  });

  it("shows the raw Engine.IO frames on request", async () => {
    const page = await openLesson("/lessons/chat", 2);
    await send(page, "Client A", "hi");
    await entry(page, "Client B", /^received chat message "hi"/).waitFor();
    expect(await entry(page, "Client B", /^frame /).count()).toBe(0);
    await card(page, "Client B").getByRole("checkbox", { name: "Raw frames" }).check();
    await entry(page, "Client B", /^frame in 42\["chat message","hi"\]/).waitFor();
    await card(page, "Client A").getByRole("checkbox", { name: "Raw frames" }).check();
    await entry(page, "Client A", /^frame out 42\["chat message","hi"\]/).waitFor();
  });

  it("runs io.emit typed in the server console on the real server, reaching every client", async () => {
    const page = await openLesson("/lessons/chat", 3);
    const consoleRegion = page.getByRole("region", { name: "Server console" });
    await consoleRegion.locator(".xterm").click();
    await page.keyboard.type('io.emit("x", 1)');
    await page.keyboard.press("Enter");
    for (const name of ["Client A", "Client B", "Client C"]) await entry(page, name, /^received x 1/).waitFor();
    // xterm only paints rows while the terminal is on screen.
    await consoleRegion.scrollIntoViewIfNeeded();
    const rows = consoleRegion.locator(".xterm-rows");
    await rows.filter({ hasText: "→ A, B, C" }).waitFor();
  });

  it("points at a bad token with a caret, and completes with Tab", async () => {
    const page = await openLesson("/lessons/chat", 1);
    const consoleRegion = page.getByRole("region", { name: "Server console" });
    await consoleRegion.scrollIntoViewIfNeeded();
    await consoleRegion.locator(".xterm").click();
    await page.keyboard.type('io.emti("x")');
    await page.keyboard.press("Enter");
    const rows = consoleRegion.locator(".xterm-rows");
    await rows.filter({ hasText: "emti" }).locator("div").filter({ hasText: /^\s*\^\s*$/ }).first().waitFor();
    const caretRow = await rows.locator("div").filter({ hasText: /^\s*\^\s*$/ }).first().innerText();
    expect(caretRow.indexOf("^")).toBe("> io.".length);

    await page.keyboard.type("io.em");
    await page.keyboard.press("Tab");
    await rows.locator("div").filter({ hasText: /^> io\.emit\("\s*$/ }).waitFor();
  });

  it("shows a message made of HTML as text and runs nothing", async () => {
    const page = await openLesson("/lessons/chat", 2);
    const payload = "<img src=x onerror=alert(1)>";
    await send(page, "Client A", payload);
    await entry(page, "Client B", /^received chat message "<img src=x onerror=alert\(1\)>"/).waitFor();
    await card(page, "Client B").getByRole("checkbox", { name: "Chat view" }).check();
    await card(page, "Client B").getByText(payload, { exact: true }).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // A later message is on screen only after the first one's rendering, and whatever it could have run, is done.
    await send(page, "Client A", "after");
    await card(page, "Client B").getByText("after", { exact: true }).waitFor();
    expect(dialogs).toEqual([]);
  });

  it("lets an outside socket.io-client process join from the snippet, as External 1", async () => {
    const page = await openLesson("/lessons/chat", 2);
    const snippetRegion = page.getByRole("region", { name: "Connect your own client" });
    const nodeCode = await snippetRegion.locator("pre").first().innerText();
    const saved = await page.evaluate("Object.values(sessionStorage)") as string[];
    const { token, clientKey } = JSON.parse(saved[0]) as { token: string; clientKey: string };
    expect(nodeCode).not.toContain(token);
    expect(nodeCode).not.toContain(clientKey);

    let output = "";
    external = spawn(process.execPath, ["--input-type=module", "-e", nodeCode], { cwd: projectRoot });
    external.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await connected(card(page, "External 1"));
    await entry(page, "Client B", /^received chat message "hello from Node"/).waitFor();
    await entry(page, "External 1", /^sent chat message "hello from Node"/).waitFor();

    await send(page, "Client A", "hi outsider");
    await entry(page, "External 1", /^received chat message "hi outsider"/).waitFor();
    await expect.poll(() => output, { timeout: 5000 }).toContain("received chat message hi outsider");
    const row = await deliveryRow(page, 'io.emit("chat message", "hi outsider")');
    expect(row).toEqual({ A: "✓", B: "✓", "External 1": "✓" });

    // Its card's Send makes the server emit to it alone.
    await send(page, "External 1", "just for you");
    await expect.poll(() => output, { timeout: 5000 }).toContain("received chat message just for you");
    expect(await deliveryRow(page, 'socket("External 1").emit("chat message", "just for you")')).toEqual({ A: "—", B: "—", "External 1": "✓" });

    // When it leaves, its card says so and keeps its log.
    external.kill();
    await card(page, "External 1").getByRole("status").filter({ hasText: /^disconnected$/ }).waitFor();
    expect(await entry(page, "External 1", /^received chat message "just for you"/).count()).toBe(1);
  });
});

describe("step setup and reload", () => {
  it("applies each step's clients and rooms, and a reload keeps the sandbox", async () => {
    const page = await openLesson("/lessons/rooms", 3);
    const roomsOf = (name: string) => card(page, name).getByRole("definition").nth(1);
    await roomsOf("Client B").getByText("lobby", { exact: true }).waitFor();
    const next = page.getByRole("link", { name: "Next" }).or(page.getByRole("button", { name: "Next" })).first();
    await next.click(); // step 2 keeps A and B in lobby (its code task needs someone left in the room)
    await page.getByRole("heading", { level: 1, name: "Leaving a room" }).waitFor();
    await next.click(); // step 3: two clients, in no room but their own
    await roomsOf("Client A").getByText("lobby", { exact: true }).waitFor({ state: "detached" });
    await roomsOf("Client B").getByText("lobby", { exact: true }).waitFor({ state: "detached" });

    const snippet = page.getByRole("region", { name: "Connect your own client" }).locator("pre").first();
    const path = /path: "([^"]+)"/.exec(await snippet.innerText())?.[1];
    expect(path).toMatch(/^\/sandbox\/[^/]+\/socket\.io$/);
    await page.reload();
    await connected(card(page, "Client A"));
    expect(await snippet.innerText()).toContain(`path: "${path}"`);

    // A ticket the server no longer knows gets a new sandbox instead of a dead page.
    await page.evaluate(`sessionStorage.setItem(sessionStorage.key(0), JSON.stringify({ id: "gone", token: "x", clientKey: "y", path: "/sandbox/gone/socket.io" }))`);
    await page.reload();
    await connected(card(page, "Client A"));
    expect(await snippet.innerText()).not.toContain(`path: "${path}"`);
    expect(await snippet.innerText()).not.toContain("/sandbox/gone/");
  });
});

describe("the Deliveries table", () => {
  it("marks who io.emit and socket.broadcast.emit reached", async () => {
    const page = await openLesson("/lessons/broadcast", 3, { clock: true });
    const broadcastSwitch = page.getByRole("switch", { name: /broadcast/ });
    if (await broadcastSwitch.isChecked()) await broadcastSwitch.uncheck();
    await send(page, "Client A", "to everyone");
    expect(await deliveryRow(page, 'io.emit("chat message", "to everyone")')).toEqual({ A: "✓", B: "✓", C: "✓" });

    await broadcastSwitch.check();
    await send(page, "Client A", "to the others");
    await entry(page, "Client C", /^received chat message "to the others"/).waitFor();
    expect(await deliveryRow(page, 'socket.broadcast.emit("chat message", "to the others")')).toEqual({ A: "—", B: "✓", C: "✓" });
    // The table judges each client's own log against the trace once the trace has been quiet for 1.5 s.
    await page.clock.fastForward(2000);
    expect(await page.getByRole("table", { name: "Deliveries" }).getByText("⚠").count()).toBe(0);
  });
});
