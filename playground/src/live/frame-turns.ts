/** Which of the commits waiting for an animation frame run in it: the frame batch's turn-taking, without the DOM. */

/** Rows a frame may replace in the logs and the Deliveries table (a commit weighs the rows it changes). */
export const rowsPerFrame = 30;

/**
 * The commits to run this frame, in the order they were asked for: every one without a weight, and the weighed
 * ones that fit in `budget` rows together — the first always, so a flood's logs move on; one left out stays
 * first in line for the next frame (`waiting` keeps the order of asking).
 *
 * @example
 * takeTurns(new Map([[logA, () => 24], [logB, () => 24], [table, undefined]])); // [logA, table]
 */
export function takeTurns<Commit>(waiting: ReadonlyMap<Commit, (() => number) | undefined>, budget = rowsPerFrame): Commit[] {
  let spent = 0;
  const turn: Commit[] = [];
  for (const [commit, weight] of waiting) {
    if (weight) {
      const rows = Math.max(1, weight());
      if (spent > 0 && spent + rows > budget) continue;
      spent += rows;
    }
    turn.push(commit);
  }
  return turn;
}
