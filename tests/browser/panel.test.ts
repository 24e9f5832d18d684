/** The live panel in real Chromium: a trace to trust, one screen, steps that reset it, Run buttons, the console log, the timeline. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, BrowserContextOptions, Locator, Page } from "playwright-core";
import type { CompiledLesson } from "../../contract/lesson-types.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { compileLessons } from "../../server/lessons/lesson-compiler.ts";
import { clientName } from "../../contract/client-names.ts";
import { serverAndBrowser } from "../support/server.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
let lessons: CompiledLesson[];
const live = serverAndBrowser();
let context: BrowserContext | undefined;
let external: ChildProcess | undefined;

beforeAll(async () => {
  lessons = await compileLessons(loadLessons(`${root}lessons`));
});
afterEach(async () => {
  external?.kill();
  external = undefined;
  await context?.close();
  context = undefined;
});

async function open(path: string, options: BrowserContextOptions = {}): Promise<Page> {
  context = await live.browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(12_000); // a stuck step fails with its own message, before the test's timeout
  const page = await context.newPage();
  await page.goto(`${live.server.url}${path}`);
  return page;
}

const card = (page: Page, name: string) => page.getByRole("region", { name: name.startsWith("External") ? name : `Client ${name}`, exact: true });
const log = (page: Page, name: string) => page.getByRole("log", { name: `${name.startsWith("External") ? name : `Client ${name}`} events`, exact: true });
const entry = (page: Page, name: string, text: RegExp) => log(page, name).getByRole("listitem", { name: text });
const table = (page: Page) => page.getByRole("table", { name: "Deliveries" });
const consoleLog = (page: Page) => page.getByRole("region", { name: "Server console" }).getByRole("log");

async function connected(page: Page, names: string): Promise<void> {
  for (const name of names) await card(page, name).getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
}

async function send(page: Page, from: string, message: string): Promise<void> {
  await card(page, from).getByRole("textbox", { name: "Message" }).fill(message);
  await card(page, from).getByRole("button", { name: "Send" }).click();
}

async function type(page: Page, line: string): Promise<void> {
  await page.getByRole("region", { name: "Server console" }).locator(".xterm").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

/** The marks of the Deliveries row whose call contains `call`, by column header. */
async function row(page: Page, call: string): Promise<Record<string, string>> {
  const found = table(page).getByRole("row").filter({ hasText: call });
  await found.waitFor();
  const headers = await table(page).getByRole("columnheader").allInnerTexts();
  const cells = await found.getByRole("cell").evaluateAll((tds) => tds.map((td) => td.querySelector("[aria-hidden]")?.textContent ?? ""));
  return Object.fromEntries(cells.map((text, index) => [headers[index + 1].replace(/\s+/g, " ").trim(), text.trim()]));
}

/** Fails unless the element's box lies inside the viewport. */
async function inView(page: Page, locator: Locator, what: string): Promise<void> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box, `${what} is on the page`).not.toBeNull();
  expect(box!.x, `${what} left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} top edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} right edge`).toBeLessThanOrEqual(viewport.width + 0.5);
  expect(box!.y + box!.height, `${what} bottom edge`).toBeLessThanOrEqual(viewport.height + 0.5);
}

describe("a trace you can trust", () => {
  it("shows no row, badge or last emit of another program run after a lesson switch, nor after a reload", async () => {
    const page = await open("/lessons/broadcast/3");
    await connected(page, "ABC");
    await send(page, "A", "before the switch");
    expect(await row(page, '"before the switch"')).toEqual({ A: "✓", B: "✓", C: "✓" });
    await card(page, "B").getByText("got the last emit").waitFor();

    // Into the next lesson on the same page: the session stays, its program (and run) change.
    await page.goto(`${live.server.url}/lessons/broadcast/5`);
    await connected(page, "ABC");
    await page.getByRole("link", { name: /^Next/ }).click();
    await page.getByRole("heading", { level: 1, name: /What a room is/ }).waitFor();
    await page.getByText("Live sandbox running rooms").waitFor();
    await connected(page, "ABC");
    await table(page).getByText("No emits yet in this run").waitFor();
    await page.getByText("Last emit: none yet in this run").waitFor();
    for (const name of "ABC") expect(await card(page, name).getByText(/got the last emit|not reached/).count()).toBe(0);

    await send(page, "A", "same run");
    await entry(page, "C", /^received chat message "same run"/).waitFor();
    await page.reload();
    await connected(page, "ABC");
    // The sandbox and its run survive the reload, but that row concerned sockets that are gone.
    await page.getByText("Live sandbox running rooms").waitFor();
    await table(page).getByText("No emits yet in this run").waitFor();
    await page.getByText("Last emit: none yet in this run").waitFor();
    for (const name of "ABC") expect(await card(page, name).getByText(/got the last emit|not reached/).count()).toBe(0);
  });

  it("gives each socket its own column: a reconnect is a new column, and a socket that did not exist yet shows no mark", async () => {
    const page = await open("/lessons/chat/3");
    await connected(page, "AB");
    await send(page, "A", "two of us");
    await page.getByRole("button", { name: "Add client" }).click();
    await connected(page, "ABC");
    // C connected after that emit: its cell is blank, not "— not reached".
    expect(await row(page, '"two of us"')).toEqual({ A: "✓", B: "✓", C: "" });

    await card(page, "B").getByRole("button", { name: "Disconnect" }).click();
    await card(page, "B").getByRole("status").filter({ hasText: /^disconnected$/ }).waitFor();
    await send(page, "A", "B is away");
    expect(await row(page, '"B is away"')).toEqual({ A: "✓", B: "", C: "✓" });
    await card(page, "B").getByRole("button", { name: "Connect", exact: true }).click();
    await connected(page, "B");
    await send(page, "A", "B is back");
    await entry(page, "B", /^received chat message "B is back"/).waitFor();
    // B's first socket keeps its marks in a column of its own; the new socket's column starts blank.
    expect(await row(page, '"B is back"')).toEqual({ A: "✓", "B earlier": "", B: "✓", C: "✓" });
    expect(await row(page, '"two of us"')).toEqual({ A: "✓", "B earlier": "✓", B: "", C: "" });
  });

  it("gives a card its middleware refused no receipt badge", async () => {
    const page = await open("/lessons/namespaces/4");
    await connected(page, "A");
    await entry(page, "B", /^error connect_error Not authorized/).waitFor();
    await send(page, "A", "hello /");
    await card(page, "A").getByText("got the last emit").waitFor();
    expect(await card(page, "B").getByText(/got the last emit|not reached/).count()).toBe(0);
  });

  it("names a disconnect handler's call as the program wrote it", async () => {
    const page = await open("/lessons/chat/8");
    await connected(page, "ABC");
    await card(page, "C").getByRole("textbox", { name: "Event" }).fill("nickname");
    await send(page, "C", "Cleo");
    await entry(page, "A", /^received user joined "Cleo"/).waitFor();
    await card(page, "C").getByRole("button", { name: "Disconnect" }).click();
    await entry(page, "A", /^received user left "Cleo"/).waitFor();
    expect(await row(page, 'socket.broadcast.emit("user left", "Cleo")')).toMatchObject({ A: "✓", B: "✓", C: "" });
  });
});

describe("one screen", () => {
  it("keeps every step's cards, the console, Deliveries and the Timeline in view at 1280×800, without scrolling", { timeout: 240_000 }, async () => {
    const page = await open("/lessons/chat/1");
    const places = lessons.flatMap((lesson) => lesson.steps.map((step, index) => ({ lesson, step, index })));
    for (const [position, { lesson, step, index }] of places.entries()) {
      if (position > 0) await page.getByRole("link", { name: /^Next/ }).click();
      await page.waitForURL(new RegExp(`/lessons/${lesson.slug}/${index + 1}$|/lessons/${lesson.slug}$|/$`));
      const names = step.setup.clients.map((_, at) => clientName(at));
      for (const name of names) await card(page, name).waitFor();
      const where = `${lesson.slug}/${index + 1}`;
      for (const name of names) await inView(page, card(page, name), `${where} Client ${name}`);
      await inView(page, page.getByRole("region", { name: "Server console" }), `${where} Server console`);
      await inView(page, table(page), `${where} Deliveries`);
      await inView(page, page.getByRole("region", { name: "Timeline" }), `${where} Timeline`);
      expect(await page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"), where).toEqual([1280, 800]);
    }
  });

  it("fits three clients at 1024×768 with the console and Deliveries in view", async () => {
    const page = await open("/lessons/chat/4", { viewport: { width: 1024, height: 768 } });
    await connected(page, "ABC");
    for (const name of "ABC") await inView(page, card(page, name), `Client ${name}`);
    await inView(page, page.getByRole("region", { name: "Server console" }), "Server console");
    await inView(page, table(page), "Deliveries");
  });

  it("never scrolls sideways at 390 px, and docks the console under the cards", async () => {
    const page = await open("/lessons/rooms/5", { viewport: { width: 390, height: 844 } });
    const width = () => page.evaluate<number>("document.documentElement.scrollWidth");
    expect(await width()).toBe(390);
    await page.getByRole("button", { name: "Live panel" }).click();
    await connected(page, "ABCD");
    expect(await width()).toBe(390);
    await inView(page, card(page, "A"), "Client A");
    const consoleBox = (await page.getByRole("region", { name: "Server console" }).boundingBox())!;
    expect(consoleBox.y + consoleBox.height).toBeLessThanOrEqual(844.5);
    expect(consoleBox.y).toBeLessThan(844 - 200);
    // Type in a card, watch the console: both on the same screen.
    await card(page, "A").getByRole("textbox", { name: "Room" }).fill("vip");
    const joined = () => consoleLog(page).getByText(/joined vip$/).count();
    const before = await joined();
    await card(page, "A").getByRole("button", { name: "Join", exact: true }).click();
    await expect.poll(joined).toBe(before + 1);
    for (const path of ["/lessons/namespaces/6", "/lessons/chat/1"]) {
      await page.goto(`${live.server.url}${path}`);
      await page.getByRole("main").waitFor();
      expect(await width(), path).toBe(390);
      await page.getByRole("button", { name: "Live panel" }).click();
      expect(await width(), `${path} panel`).toBe(390);
    }
  });
});

describe("steps reset the panel", () => {
  it("opens each step with the default event, an empty message, no notes, and the step's or lesson's switch", async () => {
    const page = await open("/lessons/rooms/1");
    await connected(page, "ABC");
    await card(page, "C").getByRole("textbox", { name: "Room" }).fill("lobby");
    await card(page, "C").getByRole("button", { name: "Join", exact: true }).click();
    await card(page, "C").getByText('Asked the server to join "lobby".').waitFor();
    await card(page, "A").getByRole("textbox", { name: "Event" }).fill("shout");
    await card(page, "A").getByRole("textbox", { name: "Message" }).fill("half typed");
    await card(page, "A").getByRole("checkbox", { name: "Send to this room" }).check();
    await page.getByRole("switch", { name: /broadcast/ }).check();
    await page.getByRole("link", { name: /^Next/ }).click();
    await page.getByRole("heading", { level: 1, name: "Leaving a room" }).waitFor();
    await connected(page, "ABC");
    for (const name of "ABC") {
      await expect.poll(() => card(page, name).getByRole("textbox", { name: "Event" }).inputValue()).toBe("chat message");
      expect(await card(page, name).getByRole("textbox", { name: "Message" }).inputValue()).toBe("");
      expect(await card(page, name).getByRole("checkbox", { name: "Send to this room" }).isChecked()).toBe(false);
    }
    expect(await page.getByText(/Asked the server to/).count()).toBe(0);
    // The rooms lesson's switch is off unless a step says otherwise.
    await expect.poll(() => page.getByRole("switch", { name: /broadcast/ }).isChecked()).toBe(false);
  });

  it("asks the program only for what it handles: no Leave where there is no leave handler", async () => {
    const page = await open("/lessons/namespaces/3");
    await connected(page, "AB");
    await expect.poll(() => card(page, "A").locator("code.room").allInnerTexts()).toContain("lobby");
    expect(await card(page, "A").getByRole("button", { name: "Leave", exact: true }).count()).toBe(0);
    expect(await card(page, "A").getByRole("checkbox", { name: "Send to this room" }).count()).toBe(0);
    await page.getByRole("link", { name: /^Next/ }).click();
    await page.getByRole("heading", { level: 1, name: /middlewares/ }).waitFor();
    await connected(page, "A");
    // A leaves lobby by reconnecting (a fresh socket is in no room), not by a "leave" the program would ignore.
    await expect.poll(() => card(page, "A").locator("code.room").allInnerTexts()).not.toContain("lobby");
    expect(await consoleLog(page).getByText(/server: leave/).count()).toBe(0);
  });
});

describe("Run buttons", () => {
  it("run each console command of the text, with placeholders filled, and show its answer", async () => {
    const page = await open("/lessons/broadcast/5");
    await connected(page, "ABC");
    const step = lessons[1].steps[4];
    for (const command of step.commands) await page.getByRole("button", { name: `Run ${command}`, exact: true }).waitFor();
    await page.getByRole("button", { name: `Run io.to("<A's id>").emit("x", 1)`, exact: true }).click();
    await entry(page, "A", /^received x 1/).waitFor();
    await page.getByRole("main").getByRole("status").filter({ hasText: "→ A" }).waitFor();
    const id = await card(page, "A").locator("code.id").innerText();
    await consoleLog(page).getByText(`> io.to("${id}").emit("x", 1)`).waitFor();
    await consoleLog(page).getByText("→ A", { exact: true }).waitFor();
    expect(await entry(page, "B", /^received x 1/).count()).toBe(0);
  });

  it("say what to do when a placeholder's client is not connected", async () => {
    const page = await open("/lessons/broadcast/5");
    await connected(page, "ABC");
    await card(page, "A").getByRole("button", { name: "Disconnect" }).click();
    await card(page, "A").getByRole("status").filter({ hasText: /^disconnected$/ }).waitFor();
    await page.getByRole("button", { name: `Run io.to("<A's id>").emit("x", 1)`, exact: true }).click();
    await page.getByRole("main").getByRole("status").filter({ hasText: /A is not connected/ }).waitFor();
  });
});

describe("smaller things", () => {
  it("mirrors the console's output in an accessible log inside the Server console region", async () => {
    const page = await open("/lessons/chat/4");
    await connected(page, "ABC");
    await type(page, 'io.sockets.compress(false).emit("x", 1)');
    await consoleLog(page).getByText("→ A, B, C", { exact: true }).waitFor();
    await consoleLog(page).getByText("[A] a user connected").first().waitFor();
  });

  it("shows each message once in the chat view when the switch flips", async () => {
    const page = await open("/lessons/chat/4");
    await connected(page, "ABC");
    await send(page, "A", "echoed");
    await entry(page, "A", /^received chat message "echoed"/).waitFor();
    await card(page, "A").getByRole("checkbox", { name: "Chat view" }).check();
    const chat = card(page, "A").getByRole("list", { name: "Chat messages" });
    await chat.getByText("echoed", { exact: true }).waitFor();
    await page.getByRole("switch", { name: /broadcast/ }).check();
    await send(page, "A", "not echoed");
    await chat.getByText("not echoed (you)").waitFor();
    expect(await chat.getByRole("listitem").allInnerTexts()).toEqual(["echoed", "not echoed (you)"]);
  });

  it("lets the keyboard scroll an event log, and reads times as times of day", async () => {
    const page = await open("/lessons/chat/4");
    await connected(page, "ABC");
    const eventLog = log(page, "A");
    expect(await eventLog.getAttribute("tabindex")).toBe("0");
    await eventLog.focus();
    expect(await page.evaluate('document.activeElement?.getAttribute("role")')).toBe("log");
    const name = await eventLog.getByRole("listitem").first().getAttribute("aria-label");
    expect(name).toMatch(/^connected .*, at \d\d:\d\d:\d\d\.\d{3}$/);
  });

  it("gives the /admin snippet the token its middleware wants, and addresses a multiplexed client's /admin socket", async () => {
    const page = await open("/lessons/namespaces/7");
    await connected(page, "AB");
    const snippets = page.getByRole("region", { name: "Connect your own client" });
    await snippets.getByRole("combobox").selectOption("/admin");
    const code = await snippets.getByLabel("Two namespaces snippet").innerText();
    expect(code).toContain('auth: { token: "let-me-in" }');
    let output = "";
    external = spawn(process.execPath, ["--input-type=module", "-e", code], { cwd: root });
    external.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const outside = card(page, "External 1");
    await outside.getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
    await expect.poll(() => outside.locator("code.nsp").allInnerTexts(), { timeout: 10_000 }).toEqual(["/", "/admin"]);
    await outside.getByRole("combobox").selectOption({ label: "/admin" });
    await send(page, "External 1", "to your admin socket");
    await expect.poll(() => output, { timeout: 10_000 }).toContain('/admin received chat message to your admin socket');
    expect(output).not.toContain("/ received chat message to your admin socket");
  });
});

describe("the timeline", () => {
  it("shows every frame in order with the call that caused it, and replays, pauses and steps", async () => {
    const page = await open("/lessons/chat/4");
    await connected(page, "ABC");
    await send(page, "A", "on the wire");
    const timeline = page.getByRole("region", { name: "Timeline" });
    const frames = timeline.getByRole("list", { name: /Frames/ });
    await frames.getByRole("listitem", { name: /^event frame, A to server: 42\["chat message","on the wire"\]/ }).waitFor();
    await frames.getByRole("listitem", { name: /^server call io\.emit\("chat message", "on the wire"\), reached A, B, C/ }).waitFor();
    for (const name of "ABC") await frames.getByRole("listitem", { name: new RegExp(`^event frame, server to ${name}: 42\\["chat message","on the wire"\\]`) }).waitFor();
    const order = await frames.getByRole("listitem").evaluateAll((items) => items.map((item) => item.getAttribute("aria-label") ?? ""));
    const mine = order.filter((label) => label.includes("on the wire"));
    expect(mine[0]).toMatch(/^event frame, A to server/);
    expect(mine[1]).toMatch(/^server call/);

    const count = timeline.locator(".count");
    await timeline.getByRole("button", { name: "Replay" }).click();
    await timeline.getByRole("button", { name: "Pause" }).click();
    await timeline.getByRole("button", { name: "Play", exact: true }).waitFor();
    const paused = await count.innerText();
    expect(paused).toMatch(/^\d+ of \d+$/);
    const [at, total] = paused.split(" of ").map(Number);
    expect(at).toBeLessThan(total);
    await timeline.getByRole("button", { name: "Step" }).click();
    await expect.poll(() => count.innerText()).toBe(`${at + 1} of ${total}`);
    await timeline.getByRole("combobox", { name: "Speed" }).selectOption("4");
    await timeline.getByRole("button", { name: "Play", exact: true }).click();
    await expect.poll(() => count.innerText(), { timeout: 20_000 }).toMatch(/frames and calls$/);
  });

  it("renders only the rows in view while thousands are recorded (timeline, logs, Deliveries), every message counted, and sends no packets when motion is reduced", { timeout: 120_000 }, async () => {
    const page = await open("/lessons/chat/4", { reducedMotion: "reduce" });
    await connected(page, "ABC");
    const snippet = await page.getByRole("region", { name: "Connect your own client" }).getByLabel("Node snippet").innerText();
    // An outside client floods the chat at 100 events a second, half what the sandbox lets through (200), so that
    // timers bunched by a loaded machine stay under it: every message fans out to four.
    const flood = snippet.replace('socket.emit("chat message", "hello from Node");', 'let n = 0; const timer = setInterval(() => { for (let i = 0; i < 10; i++) socket.emit("chat message", "m" + n++); if (n >= 1200) { clearInterval(timer); console.log("done"); } }, 100);');
    let output = "";
    external = spawn(process.execPath, ["--input-type=module", "-e", flood], { cwd: root });
    external.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => output, { timeout: 30_000 }).toContain("done");
    const timeline = page.getByRole("region", { name: "Timeline" });
    await expect.poll(async () => Number((await timeline.getByText(/frames and calls/).innerText()).split(" ")[0]), { timeout: 30_000 }).toBeGreaterThan(3000);
    expect(await timeline.getByRole("listitem").count()).toBeLessThan(80);
    // Every message reached each card's log, which renders only the rows in view (the older ones are counted in a note).
    for (const name of "ABC") {
      const log = page.getByRole("log", { name: `Client ${name} events` });
      await expect.poll(() => log.getByRole("listitem").last().getAttribute("aria-label"), { timeout: 30_000 }).toMatch(/^received chat message "m1199"/);
      const rendered = await log.getByRole("listitem").count();
      expect(rendered).toBeLessThan(60);
      const hidden = Number((await log.getByText(/older entries/).innerText()).trim().split(" ")[0]);
      expect(hidden + rendered).toBeGreaterThanOrEqual(1200);
    }
    expect(await page.getByRole("table", { name: "Deliveries" }).getByRole("row").count()).toBeLessThan(42);
    await timeline.getByRole("button", { name: "Replay" }).click();
    await expect.poll(() => timeline.getByText(/^\d+ of \d+$/).count()).toBe(1);
    expect(await timeline.locator(".packet").count()).toBe(0);
    await timeline.getByRole("button", { name: "Pause" }).click();
  });
});
