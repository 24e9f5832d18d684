/** Launches the machine's Chromium through playwright-core, with the flags this workplace needs (tests, bench, screenshots). */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The browser to use: `CHROME_PATH`, else the first Chromium found on the machine. */
export function chromePath(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH points at ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      "No Chromium found: install it (apt-get install -y chromium) or set CHROME_PATH to a Chromium binary.",
    );
  }
  return found;
}

/**
 * Starts headless Chromium. Close it in `afterAll`.
 *
 * @example
 * const browser = await launchBrowser();
 * const page = await browser.newPage();
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromePath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Waits until `expression` is truthy in the page, asking every `interval` ms. Use it instead of Playwright's
 * `waitForFunction`, which runs its predicate through the page's own `eval`: the production server's CSP (no
 * `'unsafe-eval'`) refuses that, while `page.evaluate` goes over the DevTools protocol, which the CSP does not govern.
 *
 * @example
 * await waitInPage(page, "document.fonts.status === 'loaded'", { timeout: 10_000 });
 */
export async function waitInPage(page: Page, expression: string, { timeout = 30_000, interval = 100 } = {}): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await page.evaluate<unknown>(expression))) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting in the page for ${expression}`);
    await page.waitForTimeout(interval);
  }
}
