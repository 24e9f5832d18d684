// An engine thread's first module: plain JavaScript, so that the worker starts the same way under `npm start` (tsx),
// vitest and the benchmark. First it lowers this thread's scheduling priority (Linux: a thread id is a valid
// `setpriority` target), so that learner code, and this thread's own start-up (TypeScript loading through tsx and its
// esbuild process, which inherits the priority), never compete on equal terms with the thread that serves every
// sandbox; then it lets the thread load TypeScript and loads the worker itself (server/runtime/worker/engine-worker.ts).
import { readFileSync } from "node:fs";
import { setPriority } from "node:os";
import { workerData } from "node:worker_threads";

try {
  const tid = Number.parseInt(readFileSync("/proc/thread-self/stat", "latin1"), 10);
  if (tid > 0) setPriority(tid, workerData.nice);
} catch {
  // No per-thread priority here (not Linux): the engine thread runs at the process's.
}
const { register } = await import("tsx/esm/api");
register();
await import(workerData.entry);
