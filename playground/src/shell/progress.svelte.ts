/** The learner's progress, kept in localStorage: visited steps and finished challenges, per lesson. */
import { readStored, writeStored } from "./persisted.ts";

const storageKey = "socket-playground:progress";

interface StoredProgress {
  visited: Record<string, number[]>;
  challenges: Record<string, string[]>;
}

/**
 * Visited steps (0-based indices) and finished challenge ids per lesson slug; every change is saved at once.
 *
 * @example
 * progress.visit("chat", 0);
 * progress.isVisited("chat", 0); // true, also after a reload
 * progress.completeChallenge("chat", "chat-everyone");
 * progress.resetLesson("chat");
 */
export class Progress {
  #visited = $state<Record<string, number[]>>({});
  #challenges = $state<Record<string, string[]>>({});

  constructor() {
    const stored = readStored<Partial<StoredProgress>>(storageKey, {});
    this.#visited = isMapOf(stored.visited, "number") ? stored.visited : {};
    this.#challenges = isMapOf(stored.challenges, "string") ? stored.challenges : {};
  }

  /** Marks a step as visited. */
  visit(slug: string, stepIndex: number): void {
    const steps = this.#visited[slug] ?? [];
    if (steps.includes(stepIndex)) return;
    this.#visited[slug] = [...steps, stepIndex].sort((a, b) => a - b);
    this.#save();
  }

  isVisited(slug: string, stepIndex: number): boolean {
    return this.#visited[slug]?.includes(stepIndex) ?? false;
  }

  /** How many steps of a lesson were visited. */
  visitedCount(slug: string): number {
    return this.#visited[slug]?.length ?? 0;
  }

  /** Marks a challenge as done. */
  completeChallenge(slug: string, id: string): void {
    const done = this.#challenges[slug] ?? [];
    if (done.includes(id)) return;
    this.#challenges[slug] = [...done, id];
    this.#save();
  }

  isChallengeDone(slug: string, id: string): boolean {
    return this.#challenges[slug]?.includes(id) ?? false;
  }

  /** Forgets a lesson's visited steps and finished challenges. */
  resetLesson(slug: string): void {
    delete this.#visited[slug];
    delete this.#challenges[slug];
    this.#save();
  }

  #save(): void {
    writeStored(storageKey, { visited: $state.snapshot(this.#visited), challenges: $state.snapshot(this.#challenges) });
  }
}

function isMapOf<T extends "number" | "string">(value: unknown, type: T): value is Record<string, Array<T extends "number" ? number : string>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((list) => Array.isArray(list) && list.every((item) => typeof item === type));
}

/** The page's one progress record. */
export const progress = new Progress();
