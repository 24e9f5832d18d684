/** Real Chromium, the scaling lesson on a server with REDIS_URL: the Adapter switch links the two servers through a real Redis. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { RunningServer } from "../../server/http-server.ts";
import { RedisLink } from "../../server/cluster/redis-link.ts";
import { launchBrowser } from "../support/browser.ts";
import { startRedis, type RunningRedis } from "../support/redis-server.ts";
import { startTestServer } from "../support/server.ts";
import { consoleShows, entry, send } from "./lesson-walker.ts";
import { groupsByServer, serverOf, switchNamed } from "./scaling-page.ts";

let redis: RunningRedis;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  redis = await startRedis();
  server = await startTestServer({ redisUrl: redis.url });
  expect(await RedisLink.find(redis.url)!.ready).toBe(true);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await redis?.stop();
});

it("a broadcast reaches one server's cards without the adapter, and every card with the Redis adapter", { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/lessons/scaling/3`);
  const { withA, elsewhere } = await groupsByServer(page);
  expect(elsewhere).toHaveLength(2);
  expect(await switchNamed(page, "Adapter").isChecked()).toBe(false);
  await send(page, "A", "one server");
  for (const name of withA) await entry(page, name, /^received chat message "one server"/).waitFor();

  await switchNamed(page, "Adapter").click();
  await consoleShows(page, "Adapter on: both servers now share the Redis adapter");
  for (const name of ["A", "B", "C", "D"]) await serverOf(page, name, 30_000);
  await send(page, "A", "through redis");
  for (const name of ["A", "B", "C", "D"]) await entry(page, name, /^received chat message "through redis"/).waitFor({ timeout: 10_000 });
  // The other server's cards never got the first one: it stayed on A's server.
  for (const name of elsewhere) expect(await entry(page, name, /^received chat message "one server"/).count()).toBe(0);
  // The Deliveries table names the server of the call and of each recipient.
  const deliveries = page.getByRole("table", { name: "Deliveries" });
  // (Read from the accessibility tree: the call's cell may be too narrow to show all of it.)
  await expect.poll(() => deliveries.getByRole("rowheader", { name: /io\.emit\("chat message", "through redis"\).*on server [12]/ }).count()).toBe(1);
  for (const name of ["A", "B", "C", "D"]) await expect.poll(() => deliveries.getByRole("columnheader", { name: new RegExp(`^${name}\\s*on server [12]$`) }).count()).toBe(1);
  await page.screenshot({ path: "/tmp/scaling-shots/scaling-redis-1280.png" });
  await context.close();
});
