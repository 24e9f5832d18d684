/**
 * `npx tsx scripts/panel-screenshots.ts [--dist=folder]`: the pictures in docs/screenshots/ — the live panel at
 * 1280×800, 1024×768 and 390×844, light and dark, each after a learner's first actions on its step.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { startServer } from "../server/http-server.ts";
import { buildPageOnce } from "./build-page.ts";
import { launchBrowser } from "./chromium.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const out = `${root}docs/screenshots`;

interface Shot {
  name: string;
  path: string;
  viewport: { width: number; height: number };
  act: (page: Page) => Promise<void>;
}

const card = (page: Page, name: string) => page.getByRole("region", { name: `Client ${name}`, exact: true });

async function send(page: Page, from: string, message: string): Promise<void> {
  await card(page, from).getByRole("textbox", { name: "Message" }).fill(message);
  await card(page, from).getByRole("button", { name: "Send" }).click();
}

const shots: Shot[] = [
  {
    name: "panel-1280x800",
    path: "/lessons/rooms/5",
    viewport: { width: 1280, height: 800 },
    act: async (page) => {
      await send(page, "A", "hello lobby");
      await page.getByRole("button", { name: 'Run io.to("lobby").to("vip").emit("news", 1)', exact: true }).click();
    },
  },
  {
    name: "panel-1024x768",
    path: "/lessons/chat/4",
    viewport: { width: 1024, height: 768 },
    act: async (page) => {
      await send(page, "B", "hi all");
    },
  },
  {
    name: "panel-390x844",
    path: "/lessons/chat/4",
    viewport: { width: 390, height: 844 },
    act: async (page) => {
      await send(page, "A", "hello");
    },
  },
];

const { values } = parseArgs({ options: { dist: { type: "string" } } });
mkdirSync(out, { recursive: true });
const built = values.dist ? undefined : await buildPageOnce();
const server = await startServer({ port: 0, host: "127.0.0.1", distDir: values.dist ?? built!.dir });
const browser = await launchBrowser();
try {
  for (const shot of shots) {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await browser.newPage({ viewport: shot.viewport, colorScheme });
      await page.goto(`${server.url}${shot.path}`);
      // Below 900 px the page shows the text or the panel: these are pictures of the panel.
      if (shot.viewport.width <= 900) await page.getByRole("button", { name: "Live panel" }).click();
      for (const name of "ABC") await card(page, name).getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
      await shot.act(page);
      await page.waitForTimeout(1500); // let the flash and the packets settle
      const file = `${out}/${shot.name}-${colorScheme}.png`;
      await page.screenshot({ path: file });
      console.log(file);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
  built?.remove();
}
