/** Takes screenshots of a lesson step, wide and narrow, light and dark, into screenshots/ (run: npx tsx tests/browser/shell-screenshots.ts [path]). */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { launchBrowser } from "../support/browser.ts";
import { startTestServer } from "../support/server.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const path = process.argv[2] ?? "/lessons/chat/4";
const out = `${root}screenshots`;
mkdirSync(out, { recursive: true });

if (!process.argv.includes("--no-build")) await build({ configFile: `${root}vite.config.ts`, logLevel: "warn" });
const server = await startTestServer();
const browser = await launchBrowser();
try {
  for (const [size, viewport] of [["wide", { width: 1400, height: 900 }], ["narrow", { width: 600, height: 900 }]] as const) {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await browser.newPage({ viewport, colorScheme });
      page.on("console", (message) => message.type() === "error" && console.log(`console error: ${message.text()}`));
      await page.goto(`${server.url}${path}`);
      await page.getByRole("region", { name: "Client A" }).waitFor({ timeout: 10_000 }).catch(() => undefined);
      await page.waitForTimeout(800);
      const name = `${out}/shell-${path.replace(/\W+/g, "-").replace(/^-|-$/g, "")}-${size}-${colorScheme}.png`;
      await page.screenshot({ path: name });
      console.log(name);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
