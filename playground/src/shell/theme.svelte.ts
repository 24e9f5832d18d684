/** Light or dark: follows `prefers-color-scheme` until the learner picks one, and remembers the pick. */
import { MediaQuery } from "svelte/reactivity";
import { Persisted } from "./Persisted.svelte.ts";

export type ThemeName = "light" | "dark";

/**
 * The page theme, applied as `data-theme` on `<html>` (every colour in theme.css uses `light-dark()`).
 *
 * @example
 * theme.toggle(); // switches and remembers
 * theme.current;  // "light" | "dark"
 */
export class Theme {
  #chosen = new Persisted<ThemeName | undefined>("socket-playground:theme", undefined, (stored) =>
    stored === "light" || stored === "dark" ? stored : undefined,
  );
  #systemDark = new MediaQuery("(prefers-color-scheme: dark)");

  constructor() {
    document.documentElement.dataset.theme = this.current; // before the first paint
    $effect.root(() => {
      $effect(() => {
        document.documentElement.dataset.theme = this.current;
      });
    });
  }

  get current(): ThemeName {
    return this.#chosen.current ?? (this.#systemDark.current ? "dark" : "light");
  }

  /** Switches to the other theme and remembers it. */
  toggle(): void {
    this.#chosen.current = this.current === "dark" ? "light" : "dark";
  }
}

/** The page's one theme. */
export const theme = new Theme();
