/** A terminal input line with cursor and history, driven by the raw key data xterm hands over. */

/** What the terminal should do after a key. */
export type LineAction =
  | { kind: "redraw" }
  | { kind: "submit"; line: string }
  | { kind: "complete" }
  | { kind: "cancel" }
  | { kind: "clear-screen" }
  | { kind: "none" };

/**
 * Line editing: typing, ←/→, Home/End, Backspace/Delete, ↑/↓ history, Enter, Tab, Ctrl+C, Ctrl+L.
 *
 * @example
 * const editor = new LineEditor();
 * editor.input("io.emit('x')"); // { kind: "redraw" }
 * editor.input("\r"); // { kind: "submit", line: "io.emit('x')" }
 */
export class LineEditor {
  buffer = "";
  cursor = 0;
  #history: string[] = [];
  #historyIndex = 0;
  #draft = "";

  /** Handles one chunk of xterm `onData`; pasted text arrives as one chunk. */
  input(data: string): LineAction {
    switch (data) {
      case "\r":
        return this.#submit();
      case "\t":
        return { kind: "complete" };
      case "\x03":
        this.#reset();
        return { kind: "cancel" };
      case "\x0c":
        return { kind: "clear-screen" };
      case "\x7f":
      case "\b":
        if (this.cursor === 0) return { kind: "none" };
        this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor);
        this.cursor--;
        return { kind: "redraw" };
      case "\x1b[3~":
        this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
        return { kind: "redraw" };
      case "\x1b[D":
        this.cursor = Math.max(0, this.cursor - 1);
        return { kind: "redraw" };
      case "\x1b[C":
        this.cursor = Math.min(this.buffer.length, this.cursor + 1);
        return { kind: "redraw" };
      case "\x1b[H":
      case "\x1bOH":
      case "\x01":
        this.cursor = 0;
        return { kind: "redraw" };
      case "\x1b[F":
      case "\x1bOF":
      case "\x05":
        this.cursor = this.buffer.length;
        return { kind: "redraw" };
      case "\x1b[A":
        return this.#recall(-1);
      case "\x1b[B":
        return this.#recall(1);
    }
    if (data.startsWith("\x1b")) return { kind: "none" };
    // Pasted text may hold several lines: keep the first, as a one-line console would.
    const text = data.replace(/[\r\n].*$/s, "").replace(/[\x00-\x1f]/g, "");
    if (!text) return data.includes("\r") || data.includes("\n") ? this.#submit() : { kind: "none" };
    this.insert(text);
    return { kind: "redraw" };
  }

  /** Inserts text at the cursor (typing, pasting, completing). */
  insert(text: string): void {
    this.buffer = this.buffer.slice(0, this.cursor) + text + this.buffer.slice(this.cursor);
    this.cursor += text.length;
  }

  /** Replaces the text before the cursor (a completion), keeping what follows it. */
  replaceBeforeCursor(text: string): void {
    this.buffer = text + this.buffer.slice(this.cursor);
    this.cursor = text.length;
  }

  #submit(): LineAction {
    const line = this.buffer;
    if (line.trim() && this.#history.at(-1) !== line) this.#history.push(line);
    this.#historyIndex = this.#history.length;
    this.#reset();
    return { kind: "submit", line };
  }

  #recall(direction: -1 | 1): LineAction {
    const next = this.#historyIndex + direction;
    if (next < 0 || next > this.#history.length) return { kind: "none" };
    if (this.#historyIndex === this.#history.length) this.#draft = this.buffer;
    this.#historyIndex = next;
    this.buffer = next === this.#history.length ? this.#draft : this.#history[next];
    this.cursor = this.buffer.length;
    return { kind: "redraw" };
  }

  #reset(): void {
    this.buffer = "";
    this.cursor = 0;
    this.#draft = "";
  }
}
