/** Chromium against `startServer`: the server restarts mid-lesson and the page picks up where it was, by itself. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { startServer, type RunningServer } from "../../server/http-server.ts";
import { launchBrowser } from "../support/browser.ts";
import { builtPage } from "../support/server.ts";

let browser: Browser;
let context: BrowserContext | undefined;
let server: RunningServer | undefined;
let dataDir: string;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  await server?.close();
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});
afterAll(async () => {
  await browser?.close();
});

/** The production server on this run's build, keeping its sandboxes in this test's data folder. */
const start = (port: number) => startServer({ port, host: "127.0.0.1", distDir: builtPage(), options: { dataDir } });
const card = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const connected = (region: Locator) => region.getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 20_000 });
const roomsOf = (page: Page, name: string) => card(page, name).getByRole("definition").nth(1);
const sandboxId = async (page: Page) => (JSON.parse(((await page.evaluate("Object.values(sessionStorage)")) as string[])[0]) as { id: string }).id;

/** Starts a server on a fresh data folder and opens `path` with the step's clients connected. */
async function openStep(path: string, clients: string[]): Promise<Page> {
  dataDir = mkdtempSync(join(tmpdir(), "playground-restart-"));
  server = await start(0);
  context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  for (const name of clients) await connected(card(page, name));
  // Set on the page itself: still there afterwards means the page was never reloaded.
  await page.evaluate("window.stillTheSamePage = true");
  return page;
}

/** Opens step 5 of the rooms lesson (A in lobby, B in lobby and vip, C in vip, D in none) with every client connected. */
async function openRoomsStep(): Promise<Page> {
  const page = await openStep("/lessons/rooms/5", ["Client A", "Client B", "Client C", "Client D"]);
  await roomsOf(page, "Client B").getByText("vip", { exact: true }).waitFor();
  return page;
}

/** Stops the server, waits until the page noticed, and starts it again on the same port and data folder. */
async function restart(page: Page): Promise<void> {
  const port = Number(new URL(server!.url).port);
  await server!.close();
  await page.getByRole("status").filter({ hasText: "Lost the connection to the sandbox" }).waitFor();
  server = await start(port);
}

async function expectStepBack(page: Page, url: string): Promise<void> {
  expect(page.url()).toBe(url);
  expect(await page.evaluate("window.stillTheSamePage")).toBe(true);
  for (const name of ["Client A", "Client B", "Client C", "Client D"]) await connected(card(page, name));
  await roomsOf(page, "Client A").getByText("lobby", { exact: true }).waitFor({ timeout: 20_000 });
  await roomsOf(page, "Client B").getByText("vip", { exact: true }).waitFor({ timeout: 20_000 });
  await roomsOf(page, "Client C").getByText("vip", { exact: true }).waitFor({ timeout: 20_000 });
}

// Each test waits up to 20 s for the page at several points (reconnecting takes Socket.IO's back-off): 90 s in all.
describe("a server restart in the middle of a lesson", () => {
  it("ends with the page on the same step, the same sandbox, its clients reconnected in their rooms, and one line saying so", { timeout: 90_000 }, async () => {
    const page = await openRoomsStep();
    const url = page.url();
    const id = await sandboxId(page);

    await restart(page);

    const notice = page.getByRole("status").filter({ hasText: "The server restarted; your sandbox and clients are back." });
    await notice.waitFor({ timeout: 20_000 });
    await expectStepBack(page, url);
    expect(await sandboxId(page)).toBe(id);
    expect(server!.playground.registry.get(id)?.settings.program).toBe("rooms");
    const rooms = Object.fromEntries(server!.playground.registry.get(id)!.sockets().map((socket) => [socket.client, socket.rooms.filter((room) => room !== socket.socketId).sort()]));
    expect(rooms).toEqual({ A: ["lobby"], B: ["lobby", "vip"], C: ["vip"], D: [] });

    // Messages flow again, and the notice goes once the learner opens another step.
    await card(page, "Client A").getByRole("textbox", { name: "Message" }).fill("after the restart");
    await card(page, "Client A").getByRole("button", { name: "Send" }).click();
    await card(page, "Client B").getByRole("log").getByRole("listitem", { name: /^received chat message "after the restart"/ }).waitFor();
    await page.getByRole("link", { name: "Next" }).or(page.getByRole("button", { name: "Next" })).first().click();
    await notice.waitFor({ state: "detached" });
  });

  it("starts a new sandbox when the server came back without it, applies the step again and says so", { timeout: 90_000 }, async () => {
    const page = await openRoomsStep();
    const url = page.url();
    const id = await sandboxId(page);
    const port = Number(new URL(server!.url).port);

    await server!.close();
    rmSync(join(dataDir, "sandboxes.json"));
    server = await start(port);

    await page.getByRole("status").filter({ hasText: "The server restarted without your sandbox" }).waitFor({ timeout: 20_000 });
    await expectStepBack(page, url);
    const replaced = await sandboxId(page);
    expect(replaced).not.toBe(id);
    expect(server.playground.registry.get(replaced)?.sockets().map((socket) => socket.client).sort()).toEqual(["A", "B", "C", "D"]);
    const snippet = await page.getByRole("region", { name: "Connect your own client" }).locator("pre").first().textContent();
    expect(snippet).toContain(replaced);
  });

  it("runs the learner's code again once the sandbox is back (the server does not keep it)", { timeout: 90_000 }, async () => {
    const clients = ["Client A", "Client B", "Client C"];
    const page = await openStep("/lessons/broadcast/3", clients);
    const code = page.getByRole("region", { name: "Server code", exact: true });
    const editor = code.getByRole("textbox", { name: "Server code editor" });
    await code.getByRole("button", { name: "Show all lines" }).click();
    const lines = await editor.locator(".cm-line").allInnerTexts();
    await editor.locator(".cm-line").nth(lines.findIndex((line) => line.includes('io.emit("chat message", msg);'))).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type('socket.broadcast.emit("chat message", msg);');
    await code.getByRole("button", { name: "Run code" }).click();
    const running = code.getByRole("status").filter({ hasText: "runs your code, as shown" });
    await running.waitFor();
    const id = await sandboxId(page);

    await restart(page);

    await page.getByRole("status").filter({ hasText: "The server restarted; your sandbox" }).waitFor({ timeout: 20_000 });
    await running.waitFor({ timeout: 20_000 });
    await expect.poll(() => server!.playground.registry.get(id)?.settings.edited).toBe(true);
    expect(await page.evaluate("window.stillTheSamePage")).toBe(true);
    for (const name of clients) await connected(card(page, name));
    await card(page, "Client A").getByRole("textbox", { name: "Message" }).fill("edited again");
    await card(page, "Client A").getByRole("button", { name: "Send" }).click();
    const deliveries = page.getByRole("table", { name: "Deliveries" });
    await deliveries.getByRole("row").filter({ hasText: 'socket.broadcast.emit("chat message", "edited again")' }).waitFor({ timeout: 20_000 });
  });
});
