// An engine thread's first module: plain JavaScript, so that the worker starts the same way under `npm start` (tsx),
// vitest and the benchmark; it lets the thread load TypeScript (tsx's loader, a dependency of `npm start`), then
// loads the worker itself (server/runtime/worker/engine-worker.ts).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
