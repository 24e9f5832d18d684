/**
 * One DOM update per animation frame: the panel's logs, trace and timeline all commit in the same frame callback.
 * Under a flood the logs and the Deliveries table take turns: a frame commits them up to a budget of rows.
 */
import { takeTurns } from "./frame-turns.ts";

/** Commits waiting for the next frame, in the order they were asked for; a weight for those that take turns. */
const waiting = new Map<() => void, (() => number) | undefined>();
let scheduled = false;

function commitAll(): void {
  scheduled = false;
  const commits = takeTurns(waiting);
  for (const commit of commits) waiting.delete(commit);
  if (waiting.size) schedule();
  // Svelte flushes the state these set once, in the microtask after this callback: one render for all of them.
  for (const commit of commits) commit();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  if (document.hidden) setTimeout(commitAll, 100);
  else requestAnimationFrame(commitAll);
}

/**
 * Runs `commit` in the next animation frame, together with every other commit asked for before it; asking
 * twice for the same function runs it once. With `weight` (how many rows it would change), it takes its turn
 * (`takeTurns`): under a flood a frame runs such commits up to a budget of rows and leaves the rest for the next.
 * Returns a function that withdraws it. A hidden tab gets no animation frames: there a timer keeps the panel current.
 *
 * @example
 * const withdraw = nextFrame(() => (version++));
 * nextFrame(commitLog, () => added); // a log: waits its turn under a flood
 * withdraw(); // on dispose
 */
export function nextFrame(commit: () => void, weight?: () => number): () => void {
  if (!waiting.has(commit)) waiting.set(commit, weight);
  schedule();
  return () => waiting.delete(commit);
}
