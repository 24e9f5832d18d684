/** Real Chromium, the scaling lesson: cards name their server; Session ID unknown without sticky sessions; the adapter. */
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";
import { card, consoleShows, entry, send } from "./lesson-walker.ts";
import { groupsByServer, serverOf, statusOf, switchNamed } from "./scaling-page.ts";

const live = serverAndBrowser();

const connectedTo = (page: Page, name: string, node: number) =>
  card(page, name).getByRole("status").filter({ hasText: new RegExp(`^connected · server ${node}$`) }).waitFor({ timeout: 20_000 });

it("shows Session ID unknown without sticky sessions, and a broadcast reaching one server without the adapter", { timeout: 150_000 }, async () => {
  const context = await live.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${live.server.url}/lessons/scaling/2`);
  await connectedTo(page, "A", 1);
  await connectedTo(page, "B", 2);
  expect(await switchNamed(page, "Sticky sessions").isChecked()).toBe(true);
  expect(await switchNamed(page, "Adapter").isChecked()).toBe(false);

  // Sticky sessions off: A's polling requests land on the server that did not open its session.
  await switchNamed(page, "Sticky sessions").click();
  await expect.poll(() => switchNamed(page, "Sticky sessions").isChecked()).toBe(false);
  await card(page, "A").getByRole("button", { name: "Disconnect" }).click();
  await card(page, "A").getByRole("button", { name: "Connect" }).click();
  await entry(page, "A", /^error connect_error xhr (post|poll) error/).first().waitFor({ timeout: 20_000 });
  await consoleShows(page, "Session ID unknown");
  expect(await statusOf(page, "A").innerText()).not.toMatch(/^connected/);

  // Back on: A connects again (its own reconnection, or a press of Connect).
  await switchNamed(page, "Sticky sessions").click();
  await expect.poll(() => switchNamed(page, "Sticky sessions").isChecked()).toBe(true);
  // A new connection now (A may still be waiting out its reconnection back-off).
  if (await card(page, "A").getByRole("button", { name: "Disconnect" }).isVisible()) await card(page, "A").getByRole("button", { name: "Disconnect" }).click();
  await card(page, "A").getByRole("button", { name: "Connect" }).click();
  await serverOf(page, "A", 60_000);

  // Four clients, adapter off: A's message reaches server 1's clients only.
  await page.goto(`${live.server.url}/lessons/scaling/3`);
  // Round-robin spreads the four over both servers, two each; which card lands where depends on connection order.
  const { withA, elsewhere } = await groupsByServer(page);
  expect(elsewhere).toHaveLength(2);
  await send(page, "A", "one server");
  for (const name of withA) await entry(page, name, /^received chat message "one server"/).waitFor();
  // The other server's clients: a message of their own reaches both of them (so they are live and caught up), and
  // A's message, sent before it, never did.
  await send(page, elsewhere[0], "other server");
  for (const name of elsewhere) await entry(page, name, /^received chat message "other server"/).waitFor();
  for (const name of elsewhere) expect(await entry(page, name, /^received chat message "one server"/).count()).toBe(0);

  // Adapter on: the servers restart, the clients reconnect, and A's message reaches all four.
  await switchNamed(page, "Adapter").click();
  await expect.poll(() => switchNamed(page, "Adapter").isChecked()).toBe(true);
  for (const name of ["A", "B", "C", "D"]) await serverOf(page, name, 30_000);
  await send(page, "A", "every server");
  for (const name of ["A", "B", "C", "D"]) await entry(page, name, /^received chat message "every server"/).waitFor({ timeout: 20_000 });
  await context.close();
});

it("a crash of server 2: its cards reconnect to server 1; the switch starts it again", { timeout: 90_000 }, async () => {
  const context = await live.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${live.server.url}/lessons/scaling/5`);
  await expect.poll(() => switchNamed(page, "Adapter").isChecked(), { timeout: 20_000 }).toBe(true);
  const { elsewhere, withA } = await groupsByServer(page, 30_000);
  const onTwo = (await statusOf(page, "A").innerText()).endsWith("server 2") ? withA : elsewhere;
  expect(onTwo).toHaveLength(2);

  await switchNamed(page, "Server 2 running").click();
  await consoleShows(page, "Server 2 crashed: its 2 clients lost the connection");
  for (const name of onTwo) await card(page, name).getByRole("status").filter({ hasText: /^connected · server 1$/ }).waitFor({ timeout: 30_000 });
  await send(page, onTwo[0], "after the crash");
  for (const name of ["A", "B", "C", "D"]) await entry(page, name, /^received chat message "after the crash"/).waitFor({ timeout: 10_000 });
  for (const theme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: theme });
    for (const [width, height] of [[1280, 800], [1024, 768], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `/tmp/scaling-shots/scaling-crash-${theme}-${width}.png` });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await switchNamed(page, "Server 2 running").click();
  await consoleShows(page, "Server 2 started again");
  await context.close();
});
