/** The page under load: real Chromium, 12 simulated clients, thousands of events, long tasks and time to screen. */
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Socket } from "socket.io";
import { startServer } from "../server/http-server.ts";
import type { SandboxTicket } from "../contract/protocol.ts";
import { buildPage } from "../scripts/build-page.ts";
import { launchBrowser, waitInPage } from "../scripts/chromium.ts";
import { bundleSizes, type BundleSizes } from "./bundle-size.ts";
import { mainThreadTasks, type MainThreadTasks } from "./page-trace.ts";
import { round } from "./stats.ts";

export interface PageOptions {
  clients: number;
  events: number;
  /** The built page to serve (default `dist/`, built when missing). */
  distDir?: string;
}

export interface PageResult extends PageOptions, BundleSizes, MainThreadTasks {
  /** Longest main-thread task while the events arrived, in ms (PerformanceObserver "longtask"). */
  longestTaskMs: number;
  tasksOver50Ms: number;
  /** From the first emit until every client's last event was in its log on a painted frame. */
  timeToLastEventMs: number;
  /** From the moment the last "last-event" reached a client's WebSocket until every client's was on screen. */
  lastArrivalToScreenMs: number;
  /** From opening `/lessons/chat` (navigation start) to the first card saying `connected`, in ms. */
  urlToFirstClientMs: number;
  /** From pressing Next to the next step's text on screen with all its cards connected, in ms. */
  nextToStepReadyMs: number;
}

const defaultDist = fileURLToPath(new URL("../dist", import.meta.url));

/**
 * Runs in the page before its scripts: long tasks, and a frame loop that notices each log's last entry.
 * A string, not a function: tsx's name-keeping helpers do not exist in the page.
 */
const instrument = `
  const bench = { tasks: [], t0: 0, done: 0, expected: 0, lastMessage: 0, firstConnected: 0, nextClicked: 0, headingBefore: "", stepReady: 0 };
  window.__bench = bench;
  // When the last "last-event" reached a simulated client's WebSocket (the sandbox's path, not the control channel).
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      if (!String(args[0]).includes("/sandbox/")) return;
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string" && event.data.includes("last-event")) bench.lastMessage = performance.now();
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.tasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
  // Pressing Next: a click on the link, before the router handles it.
  addEventListener("click", (event) => {
    if (event.target.closest?.("a")?.textContent?.trim().startsWith("Next")) {
      bench.nextClicked = performance.now();
      bench.headingBefore = document.querySelector("main h1")?.textContent ?? "";
    }
  }, true);
  const cardStatuses = () => [...document.querySelectorAll("section[aria-labelledby] header [role='status']")].map((status) => status.textContent.trim());
  function frame() {
    if (!bench.firstConnected && cardStatuses().some((text) => text.startsWith("connected"))) bench.firstConnected = performance.now();
    if (bench.nextClicked && !bench.stepReady) {
      const heading = document.querySelector("main h1")?.textContent ?? "";
      const statuses = cardStatuses();
      if (heading && heading !== bench.headingBefore && statuses.length && statuses.every((text) => text.startsWith("connected"))) bench.stepReady = performance.now();
    }
    if (bench.t0 && !bench.done) {
      const logs = [...document.querySelectorAll('[role="log"]')];
      const finished = logs.filter((log) => log.querySelector("li:last-of-type")?.textContent?.includes("last-event")).length;
      if (finished >= bench.expected) bench.done = performance.now();
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
`;

/**
 * Opens the chat lesson, adds clients until there are `clients`, then has the sandbox's real server emit
 * `events` events to them round-robin as fast as it can (a flood), and watches the page.
 *
 * @example
 * const result = await pageUnderLoad({ clients: 12, events: 5000 });
 */
export async function pageUnderLoad({ distDir = defaultDist, ...options }: PageOptions): Promise<PageResult> {
  if (!existsSync(`${distDir}/index.html`)) await buildPage(distDir);
  const sizes = bundleSizes(distDir);
  // A flood on purpose: the per-socket rate limit would drop it, so its ceiling is raised for this run.
  const server = await startServer({ port: 0, host: "127.0.0.1", distDir, options: { maxEventsPerSecond: 1e9 } });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript({ content: instrument });
    await page.goto(`${server.url}/lessons/chat`);
    const add = page.getByRole("button", { name: "Add client" });
    await add.waitFor();
    await waitInPage(page, "__bench.firstConnected > 0", { timeout: 30_000 });
    // From pressing Next to the next step's text on screen with every card it lists connected.
    await page.getByRole("link", { name: /^Next/ }).first().click();
    await waitInPage(page, "__bench.stepReady > 0", { timeout: 30_000 });
    const openTimes = await page.evaluate<{ firstConnected: number; nextToReady: number }>(
      "({ firstConnected: __bench.firstConnected, nextToReady: __bench.stepReady - __bench.nextClicked })",
    );
    const cards = page.getByRole("region", { name: /^Client [A-Z]{1,2}$/ });
    for (let count = await cards.count(); count < options.clients; count++) {
      await add.click();
      await cards.nth(count).waitFor();
    }
    // Page-side code is passed as text: this file is type-checked without the DOM library.
    const ticket = await page.evaluate<SandboxTicket | undefined>(
      "Object.values(sessionStorage).map((raw) => { try { return JSON.parse(raw); } catch { return undefined; } }).find((value) => value?.path)",
    );
    const sandbox = ticket && server.playground.registry.get(ticket.id);
    if (!sandbox) throw new Error("The page made no sandbox (no ticket in sessionStorage).");
    const sockets = () => [...sandbox.io.of("/").sockets.values()] as Socket[];
    const deadline = Date.now() + 20_000;
    while (sockets().length < options.clients) {
      if (Date.now() > deadline) throw new Error(`Only ${sockets().length} of ${options.clients} clients connected.`);
      await page.waitForTimeout(100);
    }
    await page.waitForTimeout(500); // let the page settle after the connections
    const targets = sockets().slice(0, options.clients);

    // With `BENCH_PAGE_PROFILE=<file>`, the page's main thread is profiled during the load (for cpu-profile-summary.ts).
    const profileFile = process.env.BENCH_PAGE_PROFILE;
    const cdp = profileFile ? await page.context().newCDPSession(page) : undefined;
    await cdp?.send("Profiler.enable");
    await cdp?.send("Profiler.start");
    // Chromium's own trace of the load: each task's thread time, which a machine shared with other work does not
    // inflate the way it does the long-task observer's wall time. `BENCH_PAGE_TRACE=<file>` keeps it (chrome://tracing).
    const traceFile = process.env.BENCH_PAGE_TRACE;
    // A kept trace also records the script stack of each forced layout (a layout read after a DOM write).
    const categories = ["devtools.timeline", "disabled-by-default-devtools.timeline", ...(traceFile ? ["disabled-by-default-devtools.timeline.stack"] : []),
      // `BENCH_PAGE_CATEGORIES=a,b`: more trace categories, e.g. disabled-by-default-devtools.timeline.invalidationTracking (what made a layout dirty).
      ...(process.env.BENCH_PAGE_CATEGORIES?.split(",") ?? [])];
    await browser.startTracing(page, { categories });
    // `BENCH_PAGE_DOM=1`: how many elements each part of the panel holds before and after the flood.
    const domCounts = `(() => {
      const count = (selector) => [...document.querySelectorAll(selector)].reduce((sum, element) => sum + element.querySelectorAll("*").length, 0);
      return { page: document.querySelectorAll("*").length, logs: count('[role="log"]'), deliveries: count('table[aria-label="Deliveries"]'), timeline: count('[aria-label="Frames and server calls, oldest first"]') };
    })()`;
    if (process.env.BENCH_PAGE_DOM) {
      console.error("elements before the flood", await page.evaluate(domCounts));
      // Elements added per animation frame during the flood, by the part of the panel they went into.
      await page.evaluate(`(() => {
        const frames = (window.__added = []);
        let current = {};
        const part = (node) => {
          const element = node.nodeType === 1 ? node : node.parentElement;
          if (!element) return "other";
          if (element.closest('[role="log"]')) return "logs";
          if (element.closest("table")) return "deliveries";
          if (element.closest('[role="list"]')) return "timeline";
          return element.closest("section[aria-labelledby]") ? "cards" : (element.tagName + "." + element.className).slice(0, 40);
        };
        new MutationObserver((records) => {
          for (const record of records) for (const node of record.addedNodes) {
            const key = part(record.target);
            const size = node.nodeType === 1 ? 1 + node.querySelectorAll("*").length : 0;
            if (size) current[key] = (current[key] ?? 0) + size;
          }
        }).observe(document.body, { childList: true, subtree: true });
        const tick = () => { if (Object.keys(current).length) frames.push(current); current = {}; if (frames.length < 2000) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      })()`);
    }
    // `BENCH_PAGE_SHOT=<prefix>`: the page before the flood and after it (<prefix>-before.png, <prefix>-after.png).
    const shot = process.env.BENCH_PAGE_SHOT;
    if (shot) await page.screenshot({ path: `${shot}-before.png` });
    await page.evaluate(`__bench.tasks.length = 0; __bench.expected = ${targets.length}; __bench.t0 = performance.now();`);
    for (let sent = 0; sent < options.events; ) {
      const end = Math.min(options.events, sent + 250);
      for (; sent < end; sent++) targets[sent % targets.length].emit("bench", sent, sent >= options.events - targets.length ? "last-event" : "x");
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitInPage(page, "__bench.done > 0", { timeout: 120_000, interval: 100 }).catch(async (error: Error) => {
      const seen = await page.evaluate<string[]>(
        `[...document.querySelectorAll('[role="log"]')].map((log) => (log.getAttribute("aria-label") ?? log.id) + ": " + (log.querySelector("li:last-of-type")?.textContent ?? "(empty)"))`,
      );
      throw new Error(`${error.message}\nThe logs' last entries:\n${seen.join("\n")}`);
    });
    await page.waitForTimeout(300); // long tasks are reported when they end
    if (shot) await page.screenshot({ path: `${shot}-after.png` });
    if (process.env.BENCH_PAGE_DOM) {
      console.error("elements after the flood", await page.evaluate(domCounts));
      const added = "__added.map((parts, index) => ({ frame: index, ...parts })).sort((a, b) => Object.values(b).reduce((x, y) => x + y, -b.frame) - Object.values(a).reduce((x, y) => x + y, -a.frame)).slice(0, 5)";
      console.error("elements added, the 5 frames that added most", JSON.stringify(await page.evaluate(added)));
    }
    if (cdp && profileFile) writeFileSync(profileFile, JSON.stringify((await cdp.send("Profiler.stop")).profile));
    const trace = await browser.stopTracing();
    if (traceFile) writeFileSync(traceFile, trace);
    const cpu = mainThreadTasks(JSON.parse(trace.toString("utf8")).traceEvents);
    const measured = await page.evaluate<{ longest: number; over50: number; elapsed: number; afterLast: number }>(`(() => {
      const during = __bench.tasks.filter((task) => task.start + task.duration >= __bench.t0);
      return {
        longest: Math.max(0, ...during.map((task) => task.duration)),
        over50: during.filter((task) => task.duration > 50).length,
        elapsed: __bench.done - __bench.t0,
        afterLast: Math.max(0, __bench.done - __bench.lastMessage),
      };
    })()`);
    return {
      ...options,
      ...sizes,
      longestTaskMs: round(measured.longest, 0),
      tasksOver50Ms: measured.over50,
      timeToLastEventMs: round(measured.elapsed, 0),
      lastArrivalToScreenMs: round(measured.afterLast, 0),
      urlToFirstClientMs: round(openTimes.firstConnected, 0),
      nextToStepReadyMs: round(openTimes.nextToReady, 0),
      ...cpu,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
