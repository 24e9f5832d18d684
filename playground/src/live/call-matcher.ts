/** Pairs each frame a page client received with the server call that sent it: they travel separately, in either order. */

/** Something waiting for its partner, under the key both share (namespace, event and arguments). */
interface Waiting<T> {
  value: T;
  key: string;
}

/** How many unpaired items a lane keeps; the oldest are given up first. */
const maxWaiting = 200;

/**
 * Per lane, frames waiting for their call and calls waiting for their frame; the first of the other kind
 * with the same key pairs with it (a lane receives its frames in the order the server sent them).
 *
 * @example
 * const matcher = new CallMatcher<number, number>();
 * matcher.frame("A", key, frameId); // undefined: its call has not come yet
 * matcher.call("A", key, callId); // frameId
 */
export class CallMatcher<Frame, Call> {
  #frames = new Map<string, Waiting<Frame>[]>();
  #calls = new Map<string, Waiting<Call>[]>();

  /** A received frame: returns its call if that came first, else waits for it. */
  frame(lane: string, key: string, frame: Frame): Call | undefined {
    const call = take(this.#calls, lane, key);
    if (call === undefined) push(this.#frames, lane, { value: frame, key });
    return call;
  }

  /** A call's delivery to a lane: returns the frame if that came first, else waits for it. */
  call(lane: string, key: string, call: Call): Frame | undefined {
    const frame = take(this.#frames, lane, key);
    if (frame === undefined) push(this.#calls, lane, { value: call, key });
    return frame;
  }

  clear(): void {
    this.#frames.clear();
    this.#calls.clear();
  }
}

function take<T>(map: Map<string, Waiting<T>[]>, lane: string, key: string): T | undefined {
  const list = map.get(lane);
  const index = list?.findIndex((entry) => entry.key === key) ?? -1;
  return index >= 0 ? list!.splice(index, 1)[0].value : undefined;
}

function push<T>(map: Map<string, Waiting<T>[]>, lane: string, waiting: Waiting<T>): void {
  const list = map.get(lane) ?? [];
  list.push(waiting);
  if (list.length > maxWaiting) list.shift();
  map.set(lane, list);
}
