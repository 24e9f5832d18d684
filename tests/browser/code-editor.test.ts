/** Chromium against the real server: the learner edits the server code, runs it in their sandbox, and sees errors with their line. */
import { afterEach, describe, expect, it } from "vitest";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";

const live = serverAndBrowser();
const contexts: BrowserContext[] = [];

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

const card = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const log = (page: Page, name: string) => page.getByRole("log", { name: `${name} events`, exact: true });
const entry = (page: Page, name: string, text: RegExp) => log(page, name).getByRole("listitem", { name: text });
const serverCode = (page: Page) => page.getByRole("region", { name: "Server code", exact: true });
const editor = (page: Page) => serverCode(page).getByRole("textbox", { name: "Server code editor" });

/** A learner in a fresh browser context (so a sandbox of their own) on `path`, with its clients connected. */
async function openLesson(path: string, count: number): Promise<Page> {
  const context = await live.browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${live.server.url}${path}`);
  for (const letter of "ABCDEFGHIJKL".slice(0, count)) await connected(card(page, `Client ${letter}`));
  await editor(page).waitFor();
  return page;
}

function connected(region: Locator): Promise<void> {
  return region.getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
}

async function send(page: Page, from: string, message: string): Promise<void> {
  const region = card(page, from);
  await connected(region);
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

/** The editor's 1-based line number of the first line holding `text`. */
async function lineOf(page: Page, text: string): Promise<number> {
  const lines = await editor(page).locator(".cm-line").allInnerTexts();
  const index = lines.findIndex((line) => line.includes(text));
  expect(index, `no editor line holds ${text}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/** Puts the caret on the first line holding `text` and replaces that line's code (its indentation kept) with `replacement`. */
async function replaceLine(page: Page, text: string, replacement: string): Promise<number> {
  await serverCode(page).getByRole("button", { name: "Show all lines" }).click();
  const number = await lineOf(page, text);
  await editor(page).locator(".cm-line").nth(number - 1).click();
  await page.keyboard.press("End");
  await page.keyboard.press("Home");
  await page.keyboard.press("Shift+End");
  await page.keyboard.type(replacement);
  return number;
}

async function runCode(page: Page): Promise<void> {
  await serverCode(page).getByRole("button", { name: "Run code" }).click();
}

/** A second learner whose sandbox must keep delivering whatever the first one runs. */
async function neighbourDelivers(neighbour: Page, message: string): Promise<void> {
  await send(neighbour, "Client A", message);
  await entry(neighbour, "Client B", new RegExp(`^received chat message "${message}"`)).waitFor({ timeout: 10_000 });
}

describe("the server code editor", () => {
  it("runs io.emit changed to socket.broadcast.emit: B and C reached, A not (the issue's Done-when)", { timeout: 60_000 }, async () => {
    const page = await openLesson("/lessons/broadcast", 3);
    await replaceLine(page, 'io.emit("chat message", msg);', 'socket.broadcast.emit("chat message", msg);');
    await runCode(page);
    await serverCode(page).getByRole("status").filter({ hasText: "runs your code, as shown" }).waitFor();
    // The server restarted on the new code: the step's clients reconnect to it.
    await connected(card(page, "Client A"));
    await send(page, "Client A", "edited");
    expect(await deliveryRow(page, 'socket.broadcast.emit("chat message", "edited")')).toEqual({ A: "—", B: "✓", C: "✓" });
    await entry(page, "Client B", /^received chat message "edited"/).waitFor();
    expect(await entry(page, "Client A", /^received chat message "edited"/).count()).toBe(0);

    // Reset code puts the step's code back and the sandbox back on the lesson's program.
    await serverCode(page).getByRole("button", { name: "Reset code" }).click();
    await serverCode(page).getByRole("status").filter({ hasText: "runs the lesson's program, as shown" }).waitFor();
    await send(page, "Client A", "built-in again");
    expect(await deliveryRow(page, 'io.emit("chat message", "built-in again")')).toEqual({ A: "✓", B: "✓", C: "✓" });
  });

  it("names the line of a syntax error in an alert and a diagnostic, and the sandbox stays up; a neighbour keeps delivering", { timeout: 60_000 }, async () => {
    const page = await openLesson("/lessons/broadcast", 3);
    const neighbour = await openLesson("/lessons/chat", 2);
    const line = await replaceLine(page, 'io.emit("chat message", msg);', 'io.emit("chat message", msg;');
    await runCode(page);
    const alert = serverCode(page).getByRole("alert");
    await alert.filter({ hasText: `Line ${line}` }).waitFor();
    await expect.poll(() => editor(page).locator(".cm-lintRange-error").count()).toBeGreaterThan(0);
    // …and in the server console, as CONTRACT.md asks.
    await page.getByRole("log", { name: "Server console output" }).getByText(`Your code did not run: Syntax error on line ${line}`).waitFor();
    await neighbourDelivers(neighbour, "still here");
    // The built-in program still answers in the learner's own sandbox.
    await send(page, "Client A", "unchanged");
    expect(await deliveryRow(page, 'io.emit("chat message", "unchanged")')).toEqual({ A: "✓", B: "✓", C: "✓" });
  });

  it("stops while (true) {} in a handler with an error naming its line; the sandbox and a neighbour keep delivering", { timeout: 60_000 }, async () => {
    const page = await openLesson("/lessons/broadcast", 3);
    const neighbour = await openLesson("/lessons/chat", 2);
    const line = await replaceLine(page, 'console.log("message: " + msg);', "while (true) {}");
    await runCode(page);
    await serverCode(page).getByRole("status").filter({ hasText: "runs your code, as shown" }).waitFor();
    await send(page, "Client A", "loop");
    await serverCode(page).getByRole("alert").filter({ hasText: `Line ${line}` }).waitFor({ timeout: 10_000 });
    await neighbourDelivers(neighbour, "not stuck");
    // The learner's Socket.IO server is still up: a client that leaves can connect again.
    await card(page, "Client B").getByRole("button", { name: "Disconnect" }).click();
    await card(page, "Client B").getByRole("button", { name: "Connect" }).click();
    await connected(card(page, "Client B"));
  });

  it("completes the step's task from the live trace once the model answer (Solve) runs, not before", { timeout: 60_000 }, async () => {
    const page = await openLesson("/lessons/broadcast", 3);
    const task = serverCode(page).getByText(/^— (not done|done)$/);
    await send(page, "Client A", "before");
    await deliveryRow(page, 'io.emit("chat message", "before")');
    expect(await task.innerText()).toBe("— not done");
    await serverCode(page).getByRole("button", { name: "Solve" }).click();
    await expect.poll(() => editor(page).innerText()).not.toContain('io.emit("chat message", msg);');
    await runCode(page);
    await serverCode(page).getByRole("status").filter({ hasText: "runs your code, as shown" }).waitFor();
    await send(page, "Client A", "solved");
    await task.filter({ hasText: "— done" }).waitFor();
  });

  it("keeps edits per step across switching and a reload", async () => {
    const page = await openLesson("/lessons/broadcast", 3);
    await replaceLine(page, 'console.log("message: " + msg);', 'console.log("got " + msg);');
    await page.getByRole("link", { name: "Next" }).first().click();
    await expect.poll(() => editor(page).innerText()).not.toContain('console.log("got " + msg);');
    await page.getByRole("link", { name: "Previous" }).first().click();
    await expect.poll(() => editor(page).innerText()).toContain('console.log("got " + msg);');
    // Undo history survived the switch.
    await editor(page).click();
    await page.keyboard.press("Control+z");
    await expect.poll(() => editor(page).innerText()).not.toContain('console.log("got " + msg);');
    await page.keyboard.press("Control+Shift+z");
    await expect.poll(() => editor(page).innerText()).toContain('console.log("got " + msg);');
    // The draft is saved a moment after the last keystroke: wait until this step's draft holds the edit.
    const drafts = async () => (await page.evaluate("Object.values(localStorage)")) as string[];
    await expect.poll(async () => (await drafts()).some((value) => value.includes('console.log(\\"got \\" + msg);'))).toBe(true);
    await page.reload();
    await expect.poll(() => editor(page).innerText()).toContain('console.log("got " + msg);');
  });

  it("keeps the preamble and live.server.listen read-only", async () => {
    const page = await openLesson("/lessons/broadcast", 1);
    // A window tall enough for the whole file: the editor draws only the lines on screen.
    await page.setViewportSize({ width: 1280, height: 2400 });
    await serverCode(page).getByRole("button", { name: "Show all lines" }).click();
    await serverCode(page).scrollIntoViewIfNeeded();
    let before = "";
    await expect.poll(async () => before === (before = await editor(page).innerText()), { interval: 300 }).toBe(true);
    await editor(page).click();
    for (const [where, key] of [["first line", "Control+Home"], ["last line", "Control+End"]]) {
      await page.keyboard.press(key);
      await page.keyboard.type("oops");
      await page.keyboard.press("Backspace");
      await page.keyboard.press("Delete");
      expect(await editor(page).innerText(), where).toBe(before);
    }
  });
});

describe("the client half", () => {
  it("shows the code every card runs, with this sandbox's path, and logs the call each card action made", async () => {
    const page = await openLesson("/lessons/rooms", 3);
    const region = page.getByRole("region", { name: "Client code", exact: true });
    await region.getByRole("button", { name: /Show what each card runs/ }).click();
    const path = JSON.parse((await page.evaluate("Object.values(sessionStorage)") as string[])[0]).path as string;
    await expect.poll(() => region.innerText()).toContain(`path: "${path}"`);
    expect(await region.innerText()).toContain('socket.timeout(4000).emit("join", room');
    await send(page, "Client A", "hi");
    await entry(page, "Client A", /^sent chat message "hi", socket\.emit\("chat message", "hi"\)/).waitFor();
    await card(page, "Client A").getByRole("textbox", { name: "Room" }).fill("vip");
    await card(page, "Client A").getByRole("button", { name: "Join" }).click();
    await entry(page, "Client A", /^sent join "vip", socket\.timeout\(4000\)\.emit\("join", "vip"/).waitFor();
    await card(page, "Client A").getByRole("button", { name: "Disconnect" }).click();
    await entry(page, "Client A", /^disconnected io client disconnect, socket\.disconnect\(\)/).waitFor();
  });
});
