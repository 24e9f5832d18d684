/**
 * `npm run screenshots -- [path …] [--dist=folder]`: Chromium screenshots of pages at 1280×800, 1024×768 and
 * 390×844, light and dark, into `screenshots/`. Builds the page into a temporary folder first unless `--dist` names a build.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { startServer } from "../server/http-server.ts";
import { buildPageOnce } from "./build-page.ts";
import { launchBrowser, waitInPage } from "./chromium.ts";

const viewports = [
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
  { width: 390, height: 844 },
] as const;
const colorSchemes = ["light", "dark"] as const;

const { values, positionals } = parseArgs({ allowPositionals: true, options: { dist: { type: "string" }, out: { type: "string" } } });
const paths = positionals.length > 0 ? positionals : ["/lessons/chat/4"];
const out = values.out ?? fileURLToPath(new URL("../screenshots", import.meta.url));
mkdirSync(out, { recursive: true });

/** Until the page has loaded and every client card has stopped connecting (connected, or refused by the program). */
async function ready(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await waitInPage(page, `[...document.querySelectorAll('[role="status"]')].every((status) => !status.textContent.includes("connecting"))`, {
    timeout: 10_000,
  });
  await page.evaluate("document.fonts.ready");
}

const built = values.dist ? undefined : await buildPageOnce();
const server = await startServer({ port: 0, host: "127.0.0.1", distDir: values.dist ?? built!.dir });
const browser = await launchBrowser();
try {
  for (const path of paths) {
    for (const viewport of viewports) {
      for (const colorScheme of colorSchemes) {
        const page = await browser.newPage({ viewport, colorScheme });
        page.on("console", (message) => message.type() === "error" && console.error(`console error on ${path}: ${message.text()}`));
        await page.goto(`${server.url}${path}`);
        await ready(page);
        const name = `${out}/${path.replace(/\W+/g, "-").replace(/^-|-$/g, "") || "home"}-${viewport.width}x${viewport.height}-${colorScheme}.png`;
        await page.screenshot({ path: name, animations: "disabled" });
        console.log(name);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
  built?.remove();
}
