/** The lesson shell in real Chromium against the real server: URLs, keyboard, history, progress, themes, axe. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import type { CompiledLesson } from "../../contract/lesson-types.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { compileLessons } from "../../server/lessons/lesson-compiler.ts";
import { serverAndBrowser } from "../support/server.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const axeSource = readFileSync(`${root}node_modules/axe-core/axe.min.js`, "utf8");
let lessons: CompiledLesson[];
const live = serverAndBrowser();
let context: BrowserContext | undefined;
/** Console errors, page errors and failed requests of the current test's pages. */
let problems: string[] = [];

beforeAll(async () => {
  lessons = await compileLessons(loadLessons(`${root}lessons`));
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  const seen = problems;
  problems = [];
  expect(seen.join("\n"), "console errors or failed requests").toBe(""); // every one in full when it fails
});

/** A fresh tab (fresh storage, so a fresh sandbox) that records every console error and failed request. */
async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  context = await live.browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()} (${page.url()})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => {
    // Leaving a page cancels its open long-polling request; that is the browser's doing, not a failure.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return page;
}

/** A name pattern matching `text` exactly, optionally followed by `suffix`. */
const exactly = (text: string, suffix = "") => new RegExp(`^${escape(text)}(${escape(suffix)})?$`);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const stepHeading = (page: Page) => page.getByRole("main").getByRole("heading", { level: 1 });

/** Waits until the page shows step `stepIndex` of lesson `lessonIndex`, by heading, URL and page title. */
async function expectStep(page: Page, lessonIndex: number, stepIndex: number): Promise<void> {
  const lesson = lessons[lessonIndex];
  const step = lesson.steps[stepIndex];
  await page.waitForURL((url) => url.pathname === `/lessons/${lesson.slug}/${stepIndex + 1}` || (lessonIndex === 0 && stepIndex === 0 && url.pathname === "/") || (stepIndex === 0 && url.pathname === `/lessons/${lesson.slug}`));
  await expect.poll(() => stepHeading(page).textContent()).toBe(step.title);
  const title = await page.title();
  expect(title).toContain(step.title);
  expect(title).toContain(lesson.title);
  expect(title).toContain(`step ${stepIndex + 1} of ${lesson.steps.length}`);
}

interface AxeViolation {
  id: string;
  impact: string;
  nodes: Array<{ target: string[]; failureSummary: string }>;
}

/** Runs axe-core in the page; returns the serious and critical violations, described. */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, not added as a <script>: the page's CSP refuses inline scripts.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // Runs in the page, where axe-core is a global; tests compile without DOM types, hence the shape spelt out here.
    const { axe, document } = globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> }; document: unknown };
    // Only violations are read: axe then keeps one node per passing rule instead of every node (its documented speed-up).
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  });
  return violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")} — ${node.failureSummary.split("\n").slice(0, 2).join(" ")}`));
}

describe("every lesson and step", () => {
  it("opens / and /lessons/<slug> at step 1", async () => {
    const page = await newPage();
    await page.goto(live.server.url);
    await expectStep(page, 0, 0);
    await page.goto(`${live.server.url}/lessons/${lessons[2].slug}`);
    await expectStep(page, 2, 0);
  });

  it.each(loadLessons(`${root}lessons`).map((_, index) => index))("lesson %i: each step opens by URL and has no serious axe violation in light and dark", async (lessonIndex) => {
    const lesson = lessons[lessonIndex];
    const page = await newPage();
    for (const [stepIndex, step] of lesson.steps.entries()) {
      // Reduced motion: axe judges colours at rest, not halfway through a flash (a line that just ran fades in).
      await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
      await page.goto(`${live.server.url}/lessons/${lesson.slug}/${stepIndex + 1}`);
      await expectStep(page, lessonIndex, stepIndex);
      if (step.setup.clients.length > 0) await page.getByRole("region", { name: "Client A", exact: true }).waitFor();
      expect(await axeViolations(page), `${lesson.slug}/${stepIndex + 1} light`).toEqual([]);
      await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
      await expect.poll(() => page.locator("html").getAttribute("data-theme")).toBe("dark");
      expect(await axeViolations(page), `${lesson.slug}/${stepIndex + 1} dark`).toEqual([]);
    }
  }, 180_000);

  it("is reached from the keyboard alone: → walks through every step of every lesson, ← walks back", async () => {
    const page = await newPage();
    await page.goto(live.server.url);
    await expectStep(page, 0, 0);
    const places = lessons.flatMap((lesson, lessonIndex) => lesson.steps.map((_, stepIndex) => [lessonIndex, stepIndex] as const));
    for (const [lessonIndex, stepIndex] of places.slice(1)) {
      await page.keyboard.press("ArrowRight");
      await expectStep(page, lessonIndex, stepIndex);
    }
    await page.keyboard.press("ArrowRight"); // the very end: nowhere to go
    await expectStep(page, ...places.at(-1)!);
    for (const [lessonIndex, stepIndex] of places.slice(0, -1).reverse()) {
      await page.keyboard.press("ArrowLeft");
      await expectStep(page, lessonIndex, stepIndex);
    }
  }, 120_000);

  it("moves with the Next and Previous links from the keyboard, and leaves arrows to text fields", async () => {
    const page = await newPage();
    await page.goto(`${live.server.url}/lessons/${lessons[0].slug}/${lessons[0].steps.length}`);
    await page.getByRole("link", { name: "Next", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expectStep(page, 1, 0);
    await page.getByRole("link", { name: "Previous", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expectStep(page, 0, lessons[0].steps.length - 1);
    const message = page.getByRole("region", { name: "Client A", exact: true }).getByRole("textbox", { name: "Message" });
    await message.fill("abc");
    await message.press("ArrowLeft");
    await message.press("ArrowRight");
    await expectStep(page, 0, lessons[0].steps.length - 1);
  });
});

describe("history and reload", () => {
  it("reload keeps the step; back and forward move between the steps visited", async () => {
    const page = await newPage();
    await page.goto(`${live.server.url}/lessons/${lessons[2].slug}/3`);
    await expectStep(page, 2, 2);
    await page.reload();
    await expectStep(page, 2, 2);
    await page.getByRole("link", { name: "Next", exact: true }).click();
    await expectStep(page, 2, 3);
    await page.keyboard.press("ArrowRight");
    await expectStep(page, 2, 4);
    await page.goBack();
    await expectStep(page, 2, 3);
    await page.goBack();
    await expectStep(page, 2, 2);
    await page.goForward();
    await expectStep(page, 2, 3);
    await page.reload();
    await expectStep(page, 2, 3);
  });

  it.each(["/lessons/no-such-lesson", "/lessons/chat/0", "/lessons/chat/999", "/lessons/chat/two", "/somewhere/else"])(
    "%s shows a not-found view that links to the lesson list",
    async (path) => {
      const page = await newPage();
      await page.goto(`${live.server.url}${path}`);
      await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();
      expect(await page.title()).toContain("Not found");
      await page.getByRole("link", { name: "See all lessons" }).click();
      await page.waitForURL(`${live.server.url}/lessons`);
      const list = page.getByRole("main");
      for (const lesson of lessons) await list.getByRole("heading", { name: lesson.title }).waitFor();
      await list.getByRole("link", { name: exactly(lessons[3].steps[1].title, " (visited)") }).click();
      await expectStep(page, 3, 1);
    },
  );
});

describe("progress", () => {
  const lessonList = (page: Page) => page.getByRole("dialog", { name: "Lessons" }).getByRole("navigation", { name: "Lessons" });

  async function openList(page: Page) {
    await page.getByRole("button", { name: "Lessons" }).click();
    await lessonList(page).waitFor();
  }

  it("marks visited steps and the current one in the lesson list, across reloads; Reset lesson clears it after confirming", async () => {
    const lesson = lessons[1];
    const page = await newPage();
    await page.goto(`${live.server.url}/lessons/${lesson.slug}/1`);
    await expectStep(page, 1, 0);
    await page.keyboard.press("ArrowRight");
    await expectStep(page, 1, 1);
    await page.keyboard.press("ArrowRight");
    await expectStep(page, 1, 2);
    await page.reload();
    await expectStep(page, 1, 2);
    await openList(page);
    const stepLink = (index: number) => lessonList(page).getByRole("link", { name: exactly(lesson.steps[index].title, " (visited)") });
    expect(await stepLink(2).getAttribute("aria-current")).toBe("page");
    expect(await stepLink(2).evaluate((link) => link.matches(":focus")), "the list opens on the current step").toBe(true);
    expect(await stepLink(1).getAttribute("aria-current")).toBeNull();
    for (const index of [0, 1, 2]) expect(await stepLink(index).textContent()).toContain("(visited)");
    expect(await stepLink(3).textContent()).not.toContain("(visited)");
    await lessonList(page).getByText(`3 of ${lesson.steps.length} steps visited`).waitFor();
    await page.keyboard.press("Escape");
    await lessonList(page).waitFor({ state: "detached" });

    await page.getByRole("button", { name: "Reset lesson" }).click();
    const confirm = page.getByRole("dialog", { name: "Reset this lesson?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    await expectStep(page, 1, 2);
    await page.getByRole("button", { name: "Reset lesson" }).click();
    await confirm.getByRole("button", { name: "Reset", exact: true }).click();
    await expectStep(page, 1, 0);
    await page.reload();
    await openList(page);
    await lessonList(page).getByText(`1 of ${lesson.steps.length} steps visited`).waitFor();
    expect(await stepLink(1).textContent()).not.toContain("(visited)");
  });

  it("records a challenge done from the live trace, in its own step, and it stays done after a reload", async () => {
    const lesson = lessons[0];
    const challenge = lesson.challenges.find((candidate) => candidate.id === "chat-everyone")!;
    expect(challenge, "lesson 1 has the chat-everyone challenge").toBeDefined();
    const page = await newPage();
    const item = (state: string) => page.getByRole("region", { name: "Challenges" }).getByRole("listitem", { name: `${challenge.title} — ${state}` });
    await page.goto(`${live.server.url}/lessons/${lesson.slug}/${challenge.step + 1}`);
    await item("not done").waitFor();
    for (const name of ["Client A", "Client B", "Client C"]) await page.getByRole("region", { name, exact: true }).getByRole("status").filter({ hasText: /^connected$/ }).waitFor();
    // The hint stays folded until asked for.
    expect(await page.getByRole("region", { name: "Challenges" }).getByText(/can.t do it/).count()).toBe(0);
    await page.getByRole("region", { name: "Challenges" }).getByRole("button", { name: "Hint" }).click();
    await page.getByRole("region", { name: "Challenges" }).getByText(/can.t do it/).waitFor();
    const terminal = page.getByRole("region", { name: "Server console" });
    await terminal.locator(".xterm").click();
    await page.keyboard.type('io.emit("chat message", "hello everyone")');
    await page.keyboard.press("Enter");
    await item("done").waitFor();
    expect(await page.evaluate("localStorage.getItem('socket-playground:progress')")).toContain('"chat-everyone"');
    await page.reload();
    await item("done").waitFor();
    // It shows in its step only.
    await page.goto(`${live.server.url}/lessons/${lesson.slug}/1`);
    await expectStep(page, 0, 0);
    expect(await page.getByRole("listitem", { name: new RegExp(`^${escape(challenge.title)}`) }).count()).toBe(0);
  });
});

describe("the lesson page", () => {
  it("shows the program's real source with the step's line highlighted and marks the line that ran", async () => {
    const lesson = lessons[0];
    const stepIndex = lesson.steps.findIndex((step) => step.setup.highlight !== undefined);
    const page = await newPage();
    await page.goto(`${live.server.url}/lessons/${lesson.slug}/${stepIndex + 1}`);
    const code = page.getByRole("region", { name: "Server code", exact: true });
    const source = lesson.source.code.split("\n");
    // In the editor, the step's line and the line that ran are line decorations (the editor draws its own lines).
    await code.scrollIntoViewIfNeeded(); // the editor draws only the lines on screen
    const highlighted = code.locator(".cm-step-line");
    await highlighted.waitFor();
    expect(await highlighted.textContent()).toBe(source[lesson.steps[stepIndex].setup.highlight! - 1]);
    const client = page.getByRole("region", { name: "Client A", exact: true });
    await client.getByRole("status").filter({ hasText: /^connected$/ }).waitFor();
    await client.getByRole("textbox", { name: "Message" }).fill("which line?");
    await client.getByRole("button", { name: "Send" }).click();
    await code.getByText(/Line \d+: ran last/).waitFor();
    // The legend and the marked line name the same line (polled: more lines may run while we look).
    await expect
      .poll(async () => {
        const legend = Number(/Line (\d+): ran last/.exec((await code.getByText(/ran last/).textContent()) ?? "")?.[1]);
        const marked = await code.locator(".cm-ran-line").allTextContents();
        return marked.length === 1 && marked[0] === source[legend - 1];
      })
      .toBe(true);
  });

  it("asks the Check yourself questions and shows a model answer only when asked", async () => {
    const lesson = lessons.find((candidate) => candidate.questions.length >= 2)!;
    const page = await newPage();
    await page.goto(`${live.server.url}/lessons/${lesson.slug}/${lesson.steps.length}`);
    const check = page.getByRole("region", { name: "Check yourself" });
    const answers = check.getByRole("textbox", { name: "Your answer" });
    expect(await answers.count()).toBe(lesson.questions.length);
    // Typing an answer reveals nothing by itself.
    await answers.nth(1).fill("my own guess");
    await answers.nth(1).press("Tab");
    expect(await check.getByRole("region", { name: /^Answer/ }).count()).toBe(0);
    await check.getByRole("button", { name: "Show the answer" }).nth(1).click();
    await check.getByRole("region", { name: "Answer 2" }).waitFor();
    expect(await check.getByRole("region", { name: /^Answer/ }).count()).toBe(1);
  });

  it("remembers the theme toggle, opens the shortcuts sheet with ?, and resizes the divider from the keyboard", async () => {
    const page = await newPage({ colorScheme: "light" });
    await page.goto(`${live.server.url}/lessons/${lessons[0].slug}/2`);
    const toggle = page.getByRole("button", { name: "Dark theme" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    await toggle.click();
    expect(await page.evaluate("getComputedStyle(document.documentElement).colorScheme")).toBe("dark");
    await page.reload();
    await expectStep(page, 0, 1);
    expect(await page.getByRole("button", { name: "Dark theme" }).getAttribute("aria-pressed")).toBe("true");
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");

    await page.keyboard.press("?");
    const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await sheet.waitFor();
    await page.keyboard.press("ArrowRight"); // arrows inside the sheet do not change the step
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });
    await expectStep(page, 0, 1);

    const divider = page.getByRole("separator", { name: "Resize lesson text and live panel" });
    const before = Number(await divider.getAttribute("aria-valuenow"));
    await divider.focus();
    await page.keyboard.press("ArrowRight");
    expect(Number(await divider.getAttribute("aria-valuenow"))).toBeGreaterThan(before);
    await expectStep(page, 0, 1);
  });

  it("stacks text and panel below 900px with a toggle between them", async () => {
    const page = await newPage({ viewport: { width: 600, height: 900 } });
    await page.goto(`${live.server.url}/lessons/${lessons[0].slug}/1`);
    await stepHeading(page).waitFor();
    expect(await page.getByRole("separator").count()).toBe(0);
    const client = page.getByRole("region", { name: "Client A", exact: true });
    expect(await client.isVisible()).toBe(false);
    await page.getByRole("button", { name: "Live panel" }).click();
    await client.waitFor({ state: "visible" });
    expect(await stepHeading(page).isVisible()).toBe(false);
    await page.getByRole("button", { name: "Lesson", exact: true }).click();
    await stepHeading(page).waitFor({ state: "visible" });
  });
});
