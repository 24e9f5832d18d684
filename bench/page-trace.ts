/** Reads a Chromium trace of the page's main thread: its tasks by thread (CPU) time, which a busy machine does not inflate. */

/** One complete ("X") event of a Chromium trace. */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread time: what the main thread itself ran, without the time it waited for a core. */
  tdur?: number;
  args?: { name?: string; data?: { type?: string; functionName?: string; url?: string } };
}

export interface MainThreadTasks {
  /** The longest main-thread task by its own CPU time, in ms. */
  longestTaskCpuMs: number;
  tasksOver50MsCpu: number;
  /** Animation frames the page ran its callbacks in (each one DOM update at most). */
  frames: number;
  /** Layout, style and paint CPU time over all tasks, in ms. */
  renderingCpuMs: number;
}

const taskNames = new Set(["RunTask", "ThreadControllerImpl::RunTask"]);
const renderingNames = new Set(["Layout", "UpdateLayoutTree", "Paint", "PrePaint", "Layerize"]);

/**
 * Summarises the renderer main thread of a trace taken with the `devtools.timeline` category. With several
 * renderers (an extension, a second page), the one that ran the most tasks is the page.
 *
 * @example
 * mainThreadTasks(JSON.parse(buffer.toString()).traceEvents).longestTaskCpuMs; // 38
 */
export function mainThreadTasks(events: TraceEvent[]): MainThreadTasks {
  const mains = events.filter((event) => event.name === "thread_name" && event.args?.name === "CrRendererMain");
  const onThread = (main: TraceEvent) => events.filter((event) => event.ph === "X" && event.pid === main.pid && event.tid === main.tid);
  const busiest = mains.map(onThread).sort((a, b) => b.length - a.length)[0] ?? [];
  const tasks = busiest.filter((event) => taskNames.has(event.name)).map((event) => (event.tdur ?? event.dur ?? 0) / 1000);
  return {
    longestTaskCpuMs: Math.round(Math.max(0, ...tasks)),
    tasksOver50MsCpu: tasks.filter((ms) => ms > 50).length,
    frames: busiest.filter((event) => event.name === "FireAnimationFrame").length,
    renderingCpuMs: Math.round(busiest.filter((event) => renderingNames.has(event.name)).reduce((sum, event) => sum + (event.tdur ?? 0), 0) / 1000),
  };
}
