/** The learner's server code: a draft and an editor state per step, what runs in the sandbox, and the last error. */
import type { EditorState } from "@codemirror/state";
import type { FeedEntry } from "../../../contract/protocol.ts";
import type { LiveSession } from "../live/session.svelte.ts";
import { Persisted } from "../shell/Persisted.svelte.ts";

/** An error in the learner's code: refused by the parser when run, or thrown by a handler while running. */
export interface CodeError {
  kind: "syntax" | "runtime";
  /** 1-based, whole-file numbering (the editor's). */
  line?: number;
  column?: number;
  message: string;
}

const draftKey = (key: string) => `socket-playground:code:${key}`;
const saveDelay = 300;

/**
 * Per-step drafts (kept in localStorage) and editor states (kept for the page's life, so undo survives
 * switching steps), and the sandbox's side: Run code, back to the built-in program, errors.
 *
 * @example
 * const workspace = new CodeWorkspace(getSession());
 * workspace.draft("broadcast/0") ?? start;
 * await workspace.run("broadcast/0", regionText(view.state));
 */
export class CodeWorkspace {
  /** The last error of the learner's code, until the next run or reset. */
  error = $state<CodeError | undefined>();
  /** True while a Run code or Reset code waits for the sandbox. */
  busy = $state(false);
  /** The step whose code the sandbox runs, and the text it ran (while `session.settings.edited`). */
  running = $state<{ key: string; code: string } | undefined>();
  #session: LiveSession;
  #states = new Map<string, EditorState>();
  #drafts = new Map<string, Persisted<string | undefined>>();
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(session: LiveSession) {
    this.#session = session;
  }

  /** True while the sandbox runs learner code rather than the lesson's program. */
  get edited(): boolean {
    return this.#session.settings.edited === true;
  }

  /** The learner's saved text of a step's region, if they changed it. */
  draft(key: string): string | undefined {
    return this.#stored(key).current;
  }

  /** Saves a step's region a moment after the last keystroke; the starting code itself is not stored. */
  saveDraft(key: string, region: string, start: string): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        this.#stored(key).current = region === start ? undefined : region;
      }, saveDelay),
    );
  }

  /** The editor state a step had when the learner left it. */
  state(key: string): EditorState | undefined {
    return this.#states.get(key);
  }

  keepState(key: string, state: EditorState): void {
    this.#states.set(key, state);
  }

  /** Runs `code` (the region's text) in the sandbox; true on success, else `error` says why. */
  async run(key: string, code: string): Promise<boolean> {
    this.busy = true;
    const result = await this.#session.runCode(code);
    this.busy = false;
    if (!result.ok) {
      this.error = { kind: "syntax", line: result.line, column: result.column, message: result.error };
      return false;
    }
    this.error = undefined;
    this.running = { key, code };
    return true;
  }

  /** Goes back to the lesson's built-in program; true when the sandbox restarted. */
  async builtIn(): Promise<boolean> {
    this.error = undefined;
    if (!this.edited) {
      this.running = undefined;
      return false;
    }
    this.busy = true;
    const result = await this.#session.runCode(null);
    this.busy = false;
    if (!result.ok) {
      this.error = { kind: "syntax", message: result.error };
      return false;
    }
    this.running = undefined;
    return true;
  }

  /** Forgets a step's draft (Reset code); the caller puts the starting code back in the editor. */
  forget(key: string): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    this.#stored(key).current = undefined;
  }

  #stored(key: string): Persisted<string | undefined> {
    let draft = this.#drafts.get(key);
    if (!draft) {
      draft = new Persisted<string | undefined>(draftKey(key), undefined, (stored) => (typeof stored === "string" ? stored : undefined));
      this.#drafts.set(key, draft);
    }
    return draft;
  }

  /** Errors thrown by the learner's handlers, from the feed of the run that executes their code. */
  watchErrors(): () => void {
    return this.#session.onFeed((entry: FeedEntry) => {
      const { settings } = this.#session;
      if (!settings.edited || entry.run !== settings.run || entry.kind !== "program" || entry.level !== "error") return;
      this.error = { kind: "runtime", line: entry.line, message: entry.text };
    });
  }
}
