/**
 * `npx tsx scripts/panel-screenshots.ts [--dist=folder] [--only=name-prefix]`: the pictures in docs/screenshots/ — the live panel at
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
  /** The cards the step opens with (default A, B and C). */
  clients?: string;
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
  ...(["1280x800", "1024x768", "390x844"] as const).flatMap((size): Shot[] => {
    const [width, height] = size.split("x").map(Number);
    return [
      {
        name: `acks-timeout-${size}`,
        path: "/lessons/acknowledgements/4",
        viewport: { width, height },
        clients: "AB",
        act: async (page) => {
          await card(page, "B").getByRole("combobox", { name: "Answer acks" }).selectOption("never");
          await typeInConsole(page, 'socket("B").timeout(2000).emit("question", "still there?")');
          await page.waitForTimeout(2200);
        },
      },
      {
        name: `acks-poll-${size}`,
        path: "/lessons/acknowledgements/6",
        viewport: { width, height },
        act: async (page) => {
          await card(page, "C").getByRole("combobox", { name: "Answer acks" }).selectOption("never");
          await card(page, "A").getByRole("textbox", { name: "Event" }).fill("poll");
          await send(page, "A", "pizza?");
          await page.waitForTimeout(2200);
        },
      },
    ];
  }),
];

async function typeInConsole(page: Page, line: string): Promise<void> {
  await page.getByRole("region", { name: "Server console" }).locator(".xterm").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

const { values } = parseArgs({ options: { dist: { type: "string" }, only: { type: "string" } } });
mkdirSync(out, { recursive: true });
const built = values.dist ? undefined : await buildPageOnce();
const server = await startServer({ port: 0, host: "127.0.0.1", distDir: values.dist ?? built!.dir });
const browser = await launchBrowser();
try {
  for (const shot of shots.filter((candidate) => !values.only || candidate.name.startsWith(values.only))) {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await browser.newPage({ viewport: shot.viewport, colorScheme });
      await page.goto(`${server.url}${shot.path}`);
      // Below 900 px the page shows the text or the panel: these are pictures of the panel.
      if (shot.viewport.width <= 900) await page.getByRole("button", { name: "Live panel" }).click();
      for (const name of shot.clients ?? "ABC") await card(page, name).getByRole("status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
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
