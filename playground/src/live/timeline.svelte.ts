/** The timeline's record: every frame that crossed the wire, in order, each server call before the frames it caused; and its playback. */
import type { Delivery, FeedEntry } from "../../../contract/protocol.ts";
import { compareClientNames, isClientName } from "../../../contract/client-names.ts";
import { deliveryKey, rawFrame } from "./log-entry.ts";
import { eventFrame, frameKind, parseEventFrame } from "./frame-text.ts";
import { CallMatcher } from "./call-matcher.ts";
import { nextFrame } from "./frame-batch.ts";

/** One row of the timeline: a frame between a client's lane and the server's, or a call made on the server. */
export interface TimelineItem {
  id: number;
  kind: "frame" | "call" | "note";
  /** The client's lane ("A", "External 1"); "server" for a call. */
  lane: string;
  /** `up`: client → server; `down`: server → client. */
  direction: "up" | "down" | "none";
  /** The raw frame (`42["chat message","hi"]`) or the call (`io.emit("chat message", "hi")`). */
  text: string;
  /** `event`, `ping`, `connect`… for a frame; `call` for a call. */
  label: string;
  nsp: string;
  /** For a frame: the id of the call that sent it. */
  callId?: number;
  /** For a call: the clients it reached. */
  reached?: string[];
  /** For a call in the scaling lesson: the server (1-based) it ran on. */
  node?: number;
  /** Known from the server's trace: a frame of a client outside the page, which the page cannot see. */
  inferred?: boolean;
}

export type PlaybackMode = "live" | "paused" | "playing";

/** Frames wait this long before they show, so the call that caused them (it travels separately) can go first. */
const holdMs = 120;
/** One row per this many ms at speed 1 while replaying. */
const replayStepMs = 500;
const maxItems = 20_000;
/** A call is placed before its frames when they are among this many newest rows; a call later than that (a flood) is shown where it arrives. */
const searchRows = 2000;

/**
 * Records frames and calls, and plays them back: `live` follows what arrives, `paused` holds the view
 * (recording goes on), `playing` reveals the recorded rows one by one at `speed`.
 *
 * @example
 * const timeline = new Timeline();
 * client.onFrame = (direction, packet, nsp) => timeline.frame("A", direction, packet, nsp);
 * session.onDelivery((delivery) => timeline.call(delivery));
 * timeline.replay();
 */
export class Timeline {
  #items: TimelineItem[] = [];
  #pending: Array<{ item: TimelineItem; due: number }> = [];
  #version = $state(0);
  #cursor = $state(0);
  #nextId = 1;
  #lanes = new Set<string>();
  #matcher = new CallMatcher<TimelineItem, TimelineItem>();
  #withdraw: (() => void) | undefined;
  readonly #tickNow = () => this.#tick(performance.now());
  #lastTick = 0;
  #owed = 0;
  /** The rows revealed by the latest update, to animate: `[from, to)`. */
  revealed = $state.raw<{ from: number; to: number }>({ from: 0, to: 0 });
  mode = $state<PlaybackMode>("live");
  /** Replay speed: 0.25 to 4. */
  speed = $state(1);

  /** Every recorded row, oldest first (reading it subscribes to changes). */
  get items(): readonly TimelineItem[] {
    void this.#version;
    return this.#items;
  }

  /** How many rows are shown: all of them while live, up to the playhead otherwise. */
  get cursor(): number {
    void this.#version;
    return this.#cursor;
  }

  /** Every lane that has a row, in order of first appearance. */
  get lanes(): string[] {
    void this.#version;
    return [...this.#lanes];
  }

  /** A frame seen by a page client's own connection. */
  frame(lane: string, direction: "in" | "out", packet: { type: string; data?: unknown }, nsp: string): void {
    const text = rawFrame(packet);
    const item = this.#item({ kind: "frame", lane, direction: direction === "in" ? "down" : "up", text, label: frameKind(text), nsp });
    const event = direction === "in" ? parseEventFrame(text) : undefined;
    if (event) {
      const key = deliveryKey(event.nsp === "/" ? nsp : event.nsp, event.event, event.args);
      item.callId = this.#matcher.frame(lane, key, item)?.id;
    }
    this.#hold(item);
  }

  /** What a page client's connection did besides frames: going offline, a reconnection attempt and its failure. */
  note(lane: string, text: string): void {
    this.#hold(this.#item({ kind: "note", lane, direction: "none", text, label: "note", nsp: "/" }));
  }

  /** A server call from the trace: shown before the frames it caused. */
  call(delivery: Delivery): void {
    const call = this.#item({
      kind: "call",
      lane: "server",
      direction: "none",
      text: delivery.call,
      label: "call",
      nsp: delivery.nsp,
      reached: delivery.reached.map((recipient) => recipient.client).sort(compareClientNames),
      ...(delivery.node === undefined ? {} : { node: delivery.node }),
    });
    const key = deliveryKey(delivery.nsp, delivery.event, delivery.args);
    const linked: TimelineItem[] = [];
    const inferred: TimelineItem[] = [];
    for (const { client } of delivery.reached) {
      if (!isClientName(client)) {
        const text = eventFrame(delivery.nsp, delivery.event, delivery.args);
        inferred.push(this.#item({ kind: "frame", lane: client, direction: "down", text, label: "event", nsp: delivery.nsp, callId: call.id, inferred: true }));
        continue;
      }
      const frame = this.#matcher.call(client, key, call);
      if (frame) {
        frame.callId = call.id;
        linked.push(frame);
      }
    }
    this.#placeBefore(call, linked);
    for (const item of inferred) this.#hold(item);
  }

  /** Frames of clients outside the page, from the server's feed (what they sent). */
  feed(entry: FeedEntry): void {
    if (entry.kind !== "event" || !entry.client || isClientName(entry.client)) return;
    const text = eventFrame(entry.nsp ?? "/", entry.event ?? "", entry.args ?? []);
    this.#hold(this.#item({ kind: "frame", lane: entry.client, direction: "up", text, label: "event", nsp: entry.nsp ?? "/", inferred: true }));
  }

  /** Plays every recorded row again from the first, at `speed`. */
  replay(): void {
    this.#cursor = 0;
    this.revealed = { from: 0, to: 0 };
    this.mode = "playing";
    this.#owed = 0;
    this.#bump();
  }

  pause(): void {
    this.mode = "paused";
  }

  /** Continues from the playhead at `speed` until it catches up, then follows live. */
  play(): void {
    this.mode = this.#cursor >= this.#items.length ? "live" : "playing";
    this.#owed = 0;
    this.#bump();
  }

  /** One row forward (pausing first). */
  step(): void {
    this.mode = "paused";
    if (this.#cursor >= this.#items.length) return;
    this.revealed = { from: this.#cursor, to: this.#cursor + 1 };
    this.#cursor++;
    this.#version++;
  }

  /** Forgets every row. */
  clear(): void {
    this.#items = [];
    this.#pending = [];
    this.#matcher.clear();
    this.#cursor = 0;
    this.revealed = { from: 0, to: 0 };
    this.#version++;
  }

  dispose(): void {
    this.#withdraw?.();
    this.#withdraw = undefined;
  }

  #item(fields: Omit<TimelineItem, "id">): TimelineItem {
    return { id: this.#nextId++, ...fields };
  }

  #hold(item: TimelineItem): void {
    this.#pending.push({ item, due: performance.now() + holdMs });
    this.#bump();
  }

  /** Puts a call before the earliest of its frames, wherever that one is (waiting or already shown). */
  #placeBefore(call: TimelineItem, frames: TimelineItem[]): void {
    const ids = new Set(frames.map((frame) => frame.id));
    let waiting = -1;
    let waitingCount = 0;
    // Oldest first, and done once every frame is found: under a flood a call's frames are among the oldest waiting.
    for (let index = 0; index < this.#pending.length && waitingCount < ids.size; index++) {
      if (!ids.has(this.#pending[index].item.id)) continue;
      if (waiting < 0) waiting = index;
      waitingCount++;
    }
    const shown = earliestFromEnd(this.#items, ids, ids.size - waitingCount);
    if (shown >= 0) {
      this.#items.splice(shown, 0, call);
      this.#lanes.add(call.lane);
      if (shown < this.#cursor) this.#cursor++;
      this.#version++;
    } else if (waiting >= 0) {
      this.#pending.splice(waiting, 0, { item: call, due: this.#pending[waiting].due });
    } else {
      this.#hold(call);
    }
  }

  #bump(): void {
    if (this.#withdraw) return;
    this.#lastTick = performance.now();
    this.#withdraw = nextFrame(this.#tickNow);
  }

  /** One DOM update per animation frame: commit due rows, move the playhead. */
  #tick(now: number): void {
    this.#withdraw = undefined;
    const elapsed = now - this.#lastTick;
    this.#lastTick = now;
    let changed = false;
    let due = 0;
    while (due < this.#pending.length && this.#pending[due].due <= now) due++;
    if (due > 0) {
      for (const { item } of this.#pending.splice(0, due)) {
        this.#items.push(item);
        this.#lanes.add(item.lane);
      }
      changed = true;
    }
    if (this.#items.length > maxItems) {
      const dropped = this.#items.length - maxItems;
      this.#items.splice(0, dropped);
      this.#cursor = Math.max(0, this.#cursor - dropped);
      changed = true;
    }
    const before = this.#cursor;
    if (this.mode === "live") this.#cursor = this.#items.length;
    else if (this.mode === "playing") {
      this.#owed += elapsed;
      const stepMs = replayStepMs / this.speed;
      while (this.#owed >= stepMs && this.#cursor < this.#items.length) {
        this.#cursor++;
        this.#owed -= stepMs;
      }
      if (this.#cursor >= this.#items.length) this.mode = "live";
    }
    if (this.#cursor !== before) {
      this.revealed = { from: before, to: this.#cursor };
      changed = true;
    }
    if (changed) this.#version++;
    if (this.#pending.length || this.mode === "playing") this.#withdraw = nextFrame(this.#tickNow);
  }
}

/**
 * The index of the earliest item whose id is in `ids`, searching from the newest end and stopping once
 * `count` were found: a call's frames are among the newest rows, so a flood does not scan the whole record per call.
 */
function earliestFromEnd(items: readonly TimelineItem[], ids: ReadonlySet<number>, count: number): number {
  let earliest = -1;
  let found = 0;
  for (let index = items.length - 1; index >= Math.max(0, items.length - searchRows) && found < count; index--) {
    if (ids.has(items[index].id)) {
      earliest = index;
      found++;
    }
  }
  return earliest;
}
