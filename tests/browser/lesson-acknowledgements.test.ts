/** Walks the acknowledgements lesson in real Chromium: acks come back, a silent card makes the server's timeout fire, a poll counts answers. */
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { arrive, card, challengeIs, consoleShows, entry, nextStep, send, socketId, status, type } from "./lesson-walker.ts";

const live = serverAndBrowser();
const lesson = loadLessons(fileURLToPath(new URL("../../lessons", import.meta.url))).find((candidate) => candidate.slug === "acknowledgements")!;

const answerAcks = (page: Page, name: string, mode: "now" | "late" | "never") => card(page, name).getByRole("combobox", { name: "Answer acks" }).selectOption(mode);
const run = (page: Page, command: string) => page.getByRole("button", { name: `Run ${command}`, exact: true }).click();
/** The console's accessible mirror (a `log` inside the Server console region). */
const consoleLog = (page: Page) => page.getByRole("region", { name: "Server console" }).getByRole("log");

it("acknowledgements: an ack comes back; a card that never answers makes the server's timeout fire; a poll counts the answers", { timeout: 180_000 }, async () => {
  const context = await live.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(`${live.server.url}/lessons/acknowledgements`);
    await arrive(page, lesson, 0);
    await send(page, "A", "hello");
    await entry(page, "A", /^sent chat message "hello"/).waitFor();
    await entry(page, "A", /^received ack \{"status":"ok"\}/).waitFor();
    await entry(page, "B", /^received chat message "hello"/).waitFor();
    expect(await entry(page, "B", /^received ack/).count()).toBe(0);
    await nextStep(page);

    // The learner deletes the answer and runs the code: A's callback gets the timeout error after 3 seconds.
    await arrive(page, lesson, 1);
    const serverCode = page.getByRole("region", { name: "Server code", exact: true });
    await serverCode.getByRole("button", { name: "Show all lines" }).click();
    const lines = serverCode.getByRole("textbox", { name: "Server code editor" }).locator(".cm-line");
    const callbackLine = (await lines.allInnerTexts()).findIndex((line) => line.includes('callback?.({ status: "ok" });'));
    expect(callbackLine).toBeGreaterThanOrEqual(0);
    await lines.nth(callbackLine).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type("// no answer");
    await serverCode.getByRole("button", { name: "Run code" }).click();
    await serverCode.getByRole("status").filter({ hasText: "runs your code, as shown" }).waitFor();
    for (const name of "AB") await status(page, name, "connected");
    await send(page, "A", "anyone?");
    await entry(page, "B", /^received chat message "anyone\?"/).waitFor();
    await entry(page, "A", /^error ack operation has timed out/).waitFor({ timeout: 10_000 });
    await serverCode.getByRole("button", { name: "Reset code" }).click();
    await serverCode.getByRole("button", { name: "Show fewer lines" }).click();
    await nextStep(page);

    await arrive(page, lesson, 2);
    await consoleShows(page, "ready? answered: yes from A");
    await entry(page, "A", /^received question "ready\?" \[ack\]/).waitFor();
    await entry(page, "A", /^sent ack "yes from A"/).waitFor();
    await run(page, 'socket("B").timeout(2000).emit("question", "still there?")');
    await consoleShows(page, 'B answered: "yes from B"');
    await nextStep(page);

    // The key moment: B never answers, and the server's callback gets the timeout error.
    await arrive(page, lesson, 3);
    // The logs carry over from the step before: count what this step adds.
    const asked = await entry(page, "B", /^received question "still there\?" \[ack\]/).count();
    const answered = await entry(page, "B", /^sent ack "yes from B"/).count();
    await answerAcks(page, "B", "never");
    await run(page, 'socket("B").timeout(2000).emit("question", "still there?")');
    await expect.poll(() => entry(page, "B", /^received question "still there\?" \[ack\]/).count()).toBe(asked + 1);
    await expect.poll(() => consoleLog(page).textContent(), { timeout: 10_000 }).toContain("B did not answer within 2000 ms.");
    expect(await entry(page, "B", /^sent ack "yes from B"/).count()).toBe(answered);
    await card(page, "B").getByRole("button", { name: "Disconnect" }).click();
    await card(page, "B").getByRole("button", { name: "Connect", exact: true }).click();
    await status(page, "B", "connected");
    await consoleShows(page, "ready? got no answer: operation has timed out");
    // Late: the answer leaves B after the server gave up (its frame is on the timeline), and changes nothing.
    await answerAcks(page, "B", "late");
    await card(page, "B").getByRole("spinbutton", { name: "Answer delay in ms" }).fill("2500");
    await card(page, "B").getByRole("spinbutton", { name: "Answer delay in ms" }).press("Enter");
    await run(page, 'socket("B").timeout(2000).emit("question", "still there?")');
    await expect.poll(() => entry(page, "B", /^sent ack "yes from B"/).count(), { timeout: 10_000 }).toBe(answered + 1);
    await expect.poll(() => consoleLog(page).textContent()).toMatch(/B did not answer within 2000 ms\.[\s\S]*B did not answer within 2000 ms\./);
    await nextStep(page);

    await arrive(page, lesson, 4);
    await send(page, "A", "pizza?", "poll");
    for (const name of "ABC") await entry(page, name, /^received question "pizza\?" \[ack\]/).first().waitFor();
    await consoleShows(page, "everyone answered:");
    await entry(page, "A", /^received ack \{"answers":\["yes from [ABC]","yes from [ABC]","yes from [ABC]"\],"everyone":true\}/).waitFor();
    await nextStep(page);

    await arrive(page, lesson, 5);
    await answerAcks(page, "C", "never");
    await send(page, "A", "pizza?", "poll");
    await consoleShows(page, "timed out: 2 answered:");
    await entry(page, "A", /^received ack .*"everyone":false\}/).waitFor({ timeout: 10_000 });
    // The Deliveries row of the poll's question: A and B answered its acknowledgement, C did not.
    const row = page.getByRole("table", { name: "Deliveries" }).getByRole("row").filter({ hasText: 'io.timeout(2000).emit("question", "pizza?")' }).first();
    // (B's socket from before its reconnect has a column of its own, blank here.)
    const cells = async () => (await row.getByRole("cell").allTextContents()).filter((text) => !text.includes("not connected then"));
    await expect.poll(cells, { timeout: 10_000 }).toEqual([
      expect.stringContaining("received, answered the acknowledgement"),
      expect.stringContaining("received, answered the acknowledgement"),
      expect.stringContaining("received, has not answered the acknowledgement"),
    ]);
    // The challenge: not by the text's own command (it asks C too), but by leaving C out with a short timeout.
    await run(page, 'io.timeout(2000).emit("question", "coffee?")');
    await expect.poll(() => consoleLog(page).textContent(), { timeout: 10_000 }).toMatch(/Timed out after 2000 ms: 2 of 3 answered/);
    await challengeIs(page, lesson, "ask-all-but-c", "not done");
    const c = await socketId(page, "C");
    await type(page, `io.timeout(1500).except("${c}").emit("question", "tea?")`);
    await expect.poll(() => consoleLog(page).textContent(), { timeout: 10_000 }).toContain("2 of 2 answered");
    await challengeIs(page, lesson, "ask-all-but-c", "done");
    // A command longer than the console is wide wraps, and its echo is drawn once, not once per keystroke.
    const rows = await page.getByRole("region", { name: "Server console" }).locator(".xterm-rows").innerText();
    expect(rows.split("\n").filter((row) => row.includes('io.timeout(1500).except("')).length).toBe(1);
  } finally {
    await context.close();
  }
});
