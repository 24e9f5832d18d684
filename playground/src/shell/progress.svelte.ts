/** The learner's progress, kept in localStorage: visited steps and finished challenges, per lesson. */
import { Persisted } from "./Persisted.svelte.ts";

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
  #stored = new Persisted<StoredProgress>("socket-playground:progress", { visited: {}, challenges: {} }, (stored) => {
    const { visited, challenges } = (stored ?? {}) as Partial<StoredProgress>;
    return { visited: isMapOf(visited, "number") ? visited : {}, challenges: isMapOf(challenges, "string") ? challenges : {} };
  });

  /** Marks a step as visited. */
  visit(slug: string, stepIndex: number): void {
    const { visited, challenges } = this.#stored.current;
    const steps = visited[slug] ?? [];
    if (steps.includes(stepIndex)) return;
    this.#stored.current = { visited: { ...visited, [slug]: [...steps, stepIndex].sort((a, b) => a - b) }, challenges };
  }

  isVisited(slug: string, stepIndex: number): boolean {
    return this.#stored.current.visited[slug]?.includes(stepIndex) ?? false;
  }

  /** How many steps of a lesson were visited. */
  visitedCount(slug: string): number {
    return this.#stored.current.visited[slug]?.length ?? 0;
  }

  /** Marks a challenge as done. */
  completeChallenge(slug: string, id: string): void {
    const { visited, challenges } = this.#stored.current;
    const done = challenges[slug] ?? [];
    if (done.includes(id)) return;
    this.#stored.current = { visited, challenges: { ...challenges, [slug]: [...done, id] } };
  }

  isChallengeDone(slug: string, id: string): boolean {
    return this.#stored.current.challenges[slug]?.includes(id) ?? false;
  }

  /** Forgets a lesson's visited steps and finished challenges. */
  resetLesson(slug: string): void {
    const { [slug]: _visited, ...visited } = this.#stored.current.visited;
    const { [slug]: _done, ...challenges } = this.#stored.current.challenges;
    this.#stored.current = { visited, challenges };
  }
}

function isMapOf<T extends "number" | "string">(value: unknown, type: T): value is Record<string, Array<T extends "number" ? number : string>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((list) => Array.isArray(list) && list.every((item) => typeof item === type));
}

/** The page's one progress record. */
export const progress = new Progress();
