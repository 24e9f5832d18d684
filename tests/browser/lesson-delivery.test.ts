/**
 * Lesson 7 (Delivery guarantees) in real Chromium, its key moment: A's acknowledgements come back too late, A
 * retries, and without idempotency the server stores the message twice (B receives it twice); with the UNIQUE
 * client_offset switch on the retry is refused and B receives it once.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { arrive, card, consoleShows, entry, nextStep, send } from "./lesson-walker.ts";

const live = serverAndBrowser();
const lesson = loadLessons(fileURLToPath(new URL("../../lessons", import.meta.url))).find((candidate) => candidate.slug === "delivery")!;

/** The step's text: A's latency 500 ms, Ack timeout in ms 800, Retries 1 (the card connects again with these). */
async function slowA(page: Page): Promise<void> {
  const a = card(page, "A");
  await a.getByRole("combobox", { name: "Latency" }).selectOption("500");
  await a.getByRole("combobox", { name: "Ack timeout in ms" }).selectOption("800");
  await a.getByRole("combobox", { name: "Retries" }).selectOption("1");
  await a.getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 10_000 });
}

describe("lesson 7: delivery guarantees", () => {
  it("a late ack makes A retry: the message is stored twice without idempotency, once with a UNIQUE client_offset", { timeout: 60_000 }, async () => {
    const context = await live.browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${live.server.url}/lessons/delivery/3`);

      // 3: without idempotency, a duplicate
      await arrive(page, lesson, 2);
      const unique = page.getByRole("switch", { name: "UNIQUE client_offset" });
      expect(await unique.isChecked()).toBe(false);
      await slowA(page);
      await send(page, "A", "one");
      await entry(page, "A", /^error ack operation has timed out/).waitFor({ timeout: 10_000 });
      await expect.poll(() => entry(page, "B", /^received chat message "one"/).count(), { timeout: 10_000 }).toBe(2);
      await consoleShows(page, "stored #1: one");
      await consoleShows(page, "stored #2: one");
      await nextStep(page);

      // 4: UNIQUE client_offset on (a fresh server and database): the retry is refused, B gets it once
      await arrive(page, lesson, 3);
      await expect.poll(() => unique.isChecked()).toBe(true);
      await slowA(page);
      await send(page, "A", "one");
      await consoleShows(page, "already stored: ");
      await entry(page, "A", /^error ack operation has timed out/).waitFor({ timeout: 10_000 });
      await expect.poll(() => entry(page, "B", /^received chat message "one"/).count()).toBe(1);
      expect(await entry(page, "B", /^received chat message "one" 1\b/).count()).toBe(1);

      // an ack timeout longer than the round trip: acknowledged at the first try
      await card(page, "A").getByRole("combobox", { name: "Ack timeout in ms" }).selectOption("2000");
      await card(page, "A").getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 10_000 });
      await send(page, "A", "two");
      await entry(page, "A", /^received ack/).waitFor({ timeout: 10_000 });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
