/** Light or dark: follows `prefers-color-scheme` until the learner picks one, and remembers the pick. */
import { readStored, writeStored } from "./persisted.ts";

export type ThemeName = "light" | "dark";

const storageKey = "socket-playground:theme";

/**
 * The page theme, applied as `color-scheme` on `<html>` (every colour in theme.css uses `light-dark()`).
 *
 * @example
 * theme.toggle(); // switches and remembers
 * theme.current;  // "light" | "dark"
 */
export class Theme {
  #chosen = $state<ThemeName | undefined>();
  #systemDark = $state(false);

  constructor() {
    const stored = readStored<unknown>(storageKey, undefined);
    this.#chosen = stored === "light" || stored === "dark" ? stored : undefined;
    const query = matchMedia("(prefers-color-scheme: dark)");
    this.#systemDark = query.matches;
    query.addEventListener("change", (event) => {
      this.#systemDark = event.matches;
      this.#apply();
    });
    this.#apply();
  }

  get current(): ThemeName {
    return this.#chosen ?? (this.#systemDark ? "dark" : "light");
  }

  /** Switches to the other theme and remembers it. */
  toggle(): void {
    this.#chosen = this.current === "dark" ? "light" : "dark";
    writeStored(storageKey, this.#chosen);
    this.#apply();
  }

  #apply(): void {
    document.documentElement.dataset.theme = this.current;
  }
}

/** The page's one theme. */
export const theme = new Theme();
