/**
 * Walks lesson 6 (Disconnection and recovery) in real Chromium, and checks its key moment: with recovery off a
 * client that was offline comes back as a new socket and the message sent meanwhile is lost; with recovery on it
 * comes back with the same id, its room, and the missed message.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";
import { arrive, card, challengeIs, consoleShows, entry, nextStep, roomsShown, send, socketId, status, type } from "./lesson-walker.ts";

const live = serverAndBrowser();
const lesson = loadLessons(fileURLToPath(new URL("../../lessons", import.meta.url))).find((candidate) => candidate.slug === "recovery")!;

const offline = (page: Page, name: string) => card(page, name).getByRole("button", { name: "Go offline" }).click();
const online = (page: Page, name: string) => card(page, name).getByRole("button", { name: "Go online" }).click();

/** A goes offline; resolves once the server has dropped it (`ping timeout` in the console). */
async function dropA(page: Page, id: string): Promise<void> {
  await offline(page, "A");
  await entry(page, "A", /^disconnected transport close/).last().waitFor();
  await consoleShows(page, `${id} disconnected: ping timeout`);
}

describe("lesson 6: disconnection and recovery", () => {
  it("Go offline, back-off, the send buffer, and a missed emit lost with recovery off, recovered with it on", { timeout: 240_000 }, async () => {
    const context = await live.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${live.server.url}/lessons/recovery`);

      // 1: Disconnect is a goodbye; Go offline is not
      await arrive(page, lesson, 0);
      expect(await page.getByRole("switch", { name: "Connection state recovery" }).isChecked()).toBe(false);
      const b1 = await socketId(page, "B");
      await offline(page, "B");
      await entry(page, "B", /^disconnected transport close/).waitFor();
      await consoleShows(page, `${b1} disconnected: ping timeout`);
      await card(page, "A").getByRole("button", { name: "Disconnect" }).click();
      await entry(page, "A", /^disconnected io client disconnect/).waitFor();
      await status(page, "A", "disconnected");
      await online(page, "B");
      await status(page, "B", "connected");
      await nextStep(page);

      // 2: reconnection attempts fail while offline, visible on the timeline
      await arrive(page, lesson, 1);
      await offline(page, "A");
      const timeline = page.getByRole("region", { name: "Timeline" });
      await timeline.getByRole("listitem", { name: /^A: reconnection attempt 2$/ }).waitFor({ timeout: 15_000 });
      await entry(page, "A", /^error connect_error The network is offline/).first().waitFor();
      await online(page, "A");
      await timeline.getByRole("listitem", { name: /^A: reconnected after \d+ attempts$/ }).waitFor({ timeout: 15_000 });
      await status(page, "A", "connected");
      await nextStep(page);

      // 3: the send buffer, and a dropped volatile emit
      await arrive(page, lesson, 2);
      await dropA(page, await socketId(page, "A"));
      await send(page, "A", "one");
      await send(page, "A", "two");
      await card(page, "A").getByText("send buffer: 2").waitFor();
      await card(page, "A").getByRole("checkbox", { name: "volatile" }).check();
      await send(page, "A", "three");
      await card(page, "A").getByText("send buffer: 2 · dropped: 1").waitFor();
      await online(page, "A");
      for (const text of ["one", "two"]) await entry(page, "B", new RegExp(`^received chat message "${text}"`)).waitFor({ timeout: 15_000 });
      await status(page, "A", "connected");
      expect(await entry(page, "B", /^received chat message "three"/).count()).toBe(0);
      await nextStep(page);

      // 4: recovery off — a new session; the missed message is lost
      await arrive(page, lesson, 3);
      const a4 = await socketId(page, "A");
      await dropA(page, a4);
      await send(page, "B", "while A was away");
      await entry(page, "B", /^received chat message "while A was away"/).waitFor();
      await online(page, "A");
      await status(page, "A", "connected");
      await consoleShows(page, "new session");
      expect(await socketId(page, "A")).not.toBe(a4);
      expect(await roomsShown(page, "A")).not.toContain("lobby");
      await send(page, "B", "after A came back");
      await entry(page, "A", /^received chat message "after A came back"/).waitFor();
      expect(await entry(page, "A", /^received chat message "while A was away"/).count()).toBe(0);
      await nextStep(page);

      // 5: recovery on — the same id, its room, and the missed message
      await arrive(page, lesson, 4);
      const recovery = page.getByRole("switch", { name: "Connection state recovery" });
      await expect.poll(() => recovery.isChecked()).toBe(true);
      const a5 = await socketId(page, "A");
      await dropA(page, a5);
      await send(page, "B", "while A was away");
      await entry(page, "B", /^received chat message "while A was away"/).waitFor();
      await online(page, "A");
      await entry(page, "A", /^received chat message "while A was away"/).waitFor({ timeout: 15_000 });
      await entry(page, "A", /^connected as .* \(recovered/).waitFor();
      await consoleShows(page, `${a5} recovered, in rooms: ${a5},lobby`);
      expect(await socketId(page, "A")).toBe(a5);
      expect(await roomsShown(page, "A")).toContain("lobby");
      await nextStep(page);

      // 6: what recovery does not keep, and its challenge
      await arrive(page, lesson, 5);
      await challengeIs(page, lesson, "ack-emit-not-kept", "not done");
      await page.getByRole("button", { name: 'Run io.volatile.emit("news", 1)' }).click();
      await challengeIs(page, lesson, "ack-emit-not-kept", "not done");
      await type(page, 'io.timeout(500).emit("news", 3)');
      await challengeIs(page, lesson, "ack-emit-not-kept", "done");
      await nextStep(page);

      await arrive(page, lesson, 6);
    } finally {
      await context.close();
    }
  });
});
