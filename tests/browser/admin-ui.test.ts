/** Real Chromium: Open Admin UI opens @socket.io/admin-ui's own UI, connected to this page's sandbox; a wrong password is refused. */
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";

const live = serverAndBrowser();

/** Counts admin-ui's `invalid credentials` refusals that reached the page, over polling or WebSocket. */
function refusalsOnTheWire(page: Page): { count: number } {
  const seen = { count: 0 };
  const count = (text: string) => (seen.count += text.split("invalid credentials").length - 1);
  page.on("response", (response) => {
    if (response.url().includes("/socket.io/") && response.request().method() === "GET") void response.text().then(count, () => undefined);
  });
  page.on("websocket", (socket) => socket.on("framereceived", (frame) => count(String(frame.payload))));
  return seen;
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What went wrong in a page: errors, refused requests (a CSP violation, something from the internet). */
function problems(page: Page): string[] {
  const seen: string[] = [];
  page.on("pageerror", (error) => seen.push(`error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") seen.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => seen.push(`failed: ${request.url()}`));
  return seen;
}

it("opens the Admin UI connected to this sandbox, listing its sockets; a wrong password is refused", { timeout: 90_000 }, async () => {
  const context = await live.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${live.server.url}/lessons/chat`);
  for (const name of ["Client A", "Client B"]) {
    await page.getByRole("region", { name, exact: true }).getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 20_000 });
  }
  const ticket = JSON.parse((await page.evaluate<string | null>('sessionStorage.getItem("socket-playground:ticket")')) ?? "{}") as { id: string };
  const ids = live.server.playground.registry.get(ticket.id)!.sockets().map((socket) => socket.socketId);
  expect(ids).toHaveLength(2);

  const [admin] = await Promise.all([context.waitForEvent("page"), page.getByRole("button", { name: "Open Admin UI" }).click()]);
  const seen = problems(admin);
  await admin.waitForLoadState("load");
  expect(new URL(admin.url()).pathname).toBe("/admin-ui/");
  // Nothing secret in the URL the Admin UI was opened at.
  expect(admin.url()).not.toMatch(/password|session|token/i);
  await admin.getByText(/^\s*connected\s*$/i).first().waitFor({ timeout: 20_000 });
  await admin.goto(`${live.server.url}/admin-ui/#/sockets/`);
  for (const id of ids) await admin.getByRole("cell", { name: id }).waitFor({ timeout: 20_000 });
  expect(seen).toEqual([]);

  // Without the owner's session, the UI's own connection form comes up; a wrong password gets admin-ui's refusal
  // (counted on the wire), the password the playground page shows its owner connects.
  const refusals = refusalsOnTheWire(admin);
  await admin.evaluate('localStorage.removeItem("session_id")');
  await admin.reload();
  const form = admin.locator(".v-dialog--active");
  await form.getByText("Invalid credentials").waitFor({ timeout: 20_000 });
  await waitUntil(() => refusals.count === 1, "the refusal of a connection without a session");
  await form.getByLabel("Username").fill("owner");
  await form.getByLabel("Password").fill("not-the-password");
  await form.getByRole("button", { name: /connect/i }).click();
  await waitUntil(() => refusals.count === 2, "the refusal of a wrong password");
  expect(await admin.getByText(/^\s*disconnected\s*$/i).first().isVisible()).toBe(true);

  await page.getByText("If it asks how to connect").click();
  const password = (await page.locator("dt", { hasText: "Password" }).locator("xpath=following-sibling::dd[1]").innerText()).trim();
  expect(password).toMatch(/^[0-9a-f]{32}$/);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: /connect/i }).click();
  await admin.getByText(/^\s*connected\s*$/i).first().waitFor({ timeout: 20_000 });
  expect(refusals.count).toBe(2);
  expect(seen.filter((line) => !line.includes("invalid credentials"))).toEqual([]);
  await context.close();
});
