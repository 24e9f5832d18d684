/** One DOM update per animation frame: the panel's logs, trace and timeline all commit in the same frame callback. */

const waiting = new Set<() => void>();
let scheduled = false;

function commitAll(): void {
  scheduled = false;
  const commits = [...waiting];
  waiting.clear();
  // Svelte flushes the state these set once, in the microtask after this callback: one render for all of them.
  for (const commit of commits) commit();
}

/**
 * Runs `commit` in the next animation frame, together with every other commit asked for before it; asking
 * twice for the same function runs it once. Returns a function that withdraws it. A hidden tab gets no
 * animation frames: there a timer keeps the panel current.
 *
 * @example
 * const withdraw = nextFrame(() => (version++));
 * withdraw(); // on dispose
 */
export function nextFrame(commit: () => void): () => void {
  waiting.add(commit);
  if (!scheduled) {
    scheduled = true;
    if (document.hidden) setTimeout(commitAll, 100);
    else requestAnimationFrame(commitAll);
  }
  return () => waiting.delete(commit);
}
