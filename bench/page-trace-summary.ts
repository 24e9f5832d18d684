/**
 * What the page's long tasks are made of, from a Chromium trace kept with `BENCH_PAGE_TRACE=<file>`: for each of the
 * longest main-thread tasks, its thread time split by the events directly inside it (a frame's callbacks, style,
 * layout, paint, a WebSocket message's handler, GC), and how many WebSocket messages it handled.
 *
 * @example
 * BENCH_PAGE_TRACE=page.json npm run bench -- --only=page && npx tsx bench/page-trace-summary.ts page.json
 */
import { readFileSync } from "node:fs";
import type { TraceEvent } from "./page-trace.ts";

const [file, count = "8"] = process.argv.slice(2);
if (!file) {
  console.error("usage: npx tsx bench/page-trace-summary.ts <trace.json> [tasks]");
  process.exit(2);
}
const raw = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
const events = Array.isArray(raw) ? raw : raw.traceEvents;
const mains = events.filter((event) => event.name === "thread_name" && event.args?.name === "CrRendererMain");
const onThread = (main: TraceEvent) => events.filter((event) => event.ph === "X" && event.pid === main.pid && event.tid === main.tid);
const thread = mains.map(onThread).sort((a, b) => b.length - a.length)[0] ?? [];
thread.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
const tasks = thread.filter((event) => event.name === "RunTask" || event.name === "ThreadControllerImpl::RunTask");
const ms = (us: number | undefined) => (us ?? 0) / 1000;

/** A label for an event inside a task: the event type for dispatches and timers, the name otherwise. */
function label(event: TraceEvent): string {
  const type = event.args?.data?.type;
  if (event.name === "EventDispatch" && type) return `EventDispatch ${type}`;
  if (event.name === "FunctionCall") return `FunctionCall ${event.args?.data?.functionName || "(anonymous)"}`;
  return event.name;
}

const longest = [...tasks].sort((a, b) => (b.tdur ?? b.dur ?? 0) - (a.tdur ?? a.dur ?? 0)).slice(0, Number(count));
const start = tasks[0]?.ts ?? 0;
for (const task of longest.sort((a, b) => a.ts - b.ts)) {
  const end = task.ts + (task.dur ?? 0);
  const inside = thread.filter((event) => event !== task && event.ts >= task.ts && event.ts + (event.dur ?? 0) <= end);
  const totals = new Map<string, { wall: number; cpu: number; n: number }>();
  for (const event of inside) {
    const key = label(event);
    const total = totals.get(key) ?? { wall: 0, cpu: 0, n: 0 };
    total.wall += ms(event.dur);
    total.cpu += ms(event.tdur);
    total.n++;
    totals.set(key, total);
  }
  const messages = inside.filter((event) => event.name === "EventDispatch" && event.args?.data?.type === "message").length;
  console.log(
    `task at +${Math.round(ms(task.ts - start))} ms: wall ${ms(task.dur).toFixed(1)} ms, CPU ${ms(task.tdur).toFixed(1)} ms, ${messages} message events`,
  );
  const rows = [...totals].sort((a, b) => b[1].cpu - a[1].cpu).slice(0, 14);
  for (const [name, total] of rows) console.log(`  ${total.cpu.toFixed(1).padStart(7)} ms CPU ${total.wall.toFixed(1).padStart(7)} ms wall  ×${String(total.n).padEnd(5)} ${name}`);
}

// Layouts forced by a script (read after a write): where the script was, when the trace recorded the stack.
const forced = thread.filter((event) => event.name === "Layout" && (event.args as { beginData?: { stackTrace?: unknown[] } })?.beginData?.stackTrace);
if (forced.length) console.log(`\nforced layouts (script stack recorded): ${forced.length}`);
for (const event of forced.sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, 5)) {
  const stack = (event.args as { beginData: { stackTrace: Array<{ functionName: string; url: string; lineNumber: number; columnNumber: number }> } }).beginData.stackTrace;
  console.log(`  ${ms(event.tdur).toFixed(1)} ms: ${stack.slice(0, 6).map((frame) => `${frame.functionName || "(anonymous)"} ${frame.url.split("/").pop()}:${frame.lineNumber}:${frame.columnNumber}`).join(" ← ")}`);
}
