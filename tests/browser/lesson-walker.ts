/** Playwright helpers for walking a lesson as a learner: the cards, their logs, the console, and the step on screen. */
import { expect } from "vitest";
import type { Page } from "playwright-core";
import type { LoadedLesson } from "../../server/lessons/lesson-loader.ts";

/**
 * The card of simulated client `name` ("A", "B", …).
 *
 * @example
 * await card(page, "A").getByRole("button", { name: "Send" }).click();
 */
export const card = (page: Page, name: string) => page.getByRole("region", { name: `Client ${name}`, exact: true });
export const entry = (page: Page, name: string, text: RegExp) =>
  page.getByRole("log", { name: `Client ${name} events`, exact: true }).getByRole("listitem", { name: text });
export const status = (page: Page, name: string, text: "connected" | "disconnected") =>
  // In the scaling lesson a connected card also names its server: "connected · server 2".
  card(page, name).getByRole("status").filter({ hasText: new RegExp(`^${text}( · server \\d+)?$`) }).waitFor({ timeout: 10_000 });

export async function send(page: Page, from: string, message: string, event?: string): Promise<void> {
  const region = card(page, from);
  if (event) await region.getByRole("textbox", { name: "Event" }).fill(event);
  await region.getByRole("textbox", { name: "Message" }).fill(message);
  await region.getByRole("button", { name: "Send" }).click();
}

export async function room(page: Page, client: string, action: "Join" | "Leave", name: string): Promise<void> {
  await card(page, client).getByRole("textbox", { name: "Room" }).fill(name);
  await card(page, client).getByRole("button", { name: action, exact: true }).click();
}

export const roomsShown = (page: Page, client: string) => card(page, client).locator("code.room").allInnerTexts();

export async function type(page: Page, line: string): Promise<void> {
  const terminal = page.getByRole("region", { name: "Server console" });
  await terminal.scrollIntoViewIfNeeded();
  await terminal.locator(".xterm").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

export function consoleShows(page: Page, text: string): Promise<void> {
  const terminal = page.getByRole("region", { name: "Server console" });
  return terminal.scrollIntoViewIfNeeded().then(() => terminal.locator(".xterm-rows").filter({ hasText: text }).waitFor());
}

export async function socketId(page: Page, client: string): Promise<string> {
  const id = await card(page, client).locator("dd code").first().innerText();
  expect(id).toMatch(/^[\w-]{20}$/);
  return id;
}

/** Checks the step on screen matches the lesson file: title, highlighted line, and the client cards it sets up. */
export async function arrive(page: Page, lesson: LoadedLesson, index: number, refused: string[] = []): Promise<void> {
  // The page shows `code` as code, and "quotes" and apostrophes typeset as “quotes” and ’.
  const step = lesson.steps[index];
  const title = step.title.replaceAll("`", "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/"/g, '["“”]').replace(/'/g, "['’]");
  await page.getByRole("heading", { level: 1, name: new RegExp(`^${title}$`) }).waitFor();
  expect(page.url()).toMatch(new RegExp(`/lessons/${lesson.slug}(/${index + 1})?$`));
  // The Server code editor marks the step's line (its line numbers are in a gutter of their own).
  // It draws only the lines on screen: bring it into view first.
  const code = page.getByRole("region", { name: "Server code", exact: true });
  await code.scrollIntoViewIfNeeded();
  const highlighted = code.locator(".cm-step-line");
  await expect.poll(() => highlighted.textContent(), { timeout: 10_000 }).toBe(lesson.source.code.split("\n")[step.highlight! - 1]);
  const count = step.clients.length;
  await expect.poll(() => page.getByRole("region", { name: /^Client [A-Z]$/ }).count(), { timeout: 10_000 }).toBe(count);
  for (const letter of "ABCDEFGH".slice(0, count)) {
    if (!refused.includes(letter)) await status(page, letter, "connected");
  }
  if (step.broadcast !== undefined) {
    const flag = page.getByRole("switch", { name: /broadcast/ });
    await expect.poll(() => flag.isChecked()).toBe(step.broadcast);
  }
  for (const [position, client] of step.clients.entries()) {
    for (const name of client.rooms ?? []) {
      await expect.poll(() => roomsShown(page, "ABCDEFGH"[position]), { timeout: 10_000 }).toContain(name);
    }
  }
}

export async function nextStep(page: Page): Promise<void> {
  await page.getByRole("link", { name: /^Next/ }).click();
}

/** A title from a lesson file as the page names it: code marks gone, quotes and apostrophes typeset. */
function titlePattern(title: string): string {
  return title.replaceAll("`", "").replaceAll("**", "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/"/g, '["“”]').replace(/'/g, "['’]");
}

/**
 * Waits until the challenge with this id, in the step on screen, reads `done` or `not done` (its listitem's name
 * inside the Challenges region, as the contract says).
 *
 * @example
 * await challengeIs(page, lesson, "chat-everyone", "not done");
 */
export async function challengeIs(page: Page, lesson: LoadedLesson, id: string, state: "done" | "not done"): Promise<void> {
  const challenge = lesson.challenges.find((candidate) => candidate.id === id);
  expect(challenge, `${lesson.slug} has challenge ${id}`).toBeDefined();
  const item = page.getByRole("region", { name: "Challenges" }).getByRole("listitem", { name: new RegExp(`^${titlePattern(challenge!.title)} — ${state}$`) });
  await item.waitFor({ timeout: 10_000 });
}
