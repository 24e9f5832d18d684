/** The console's line editor: typing, cursor moves, history, submit, as xterm hands over key data. */
import { describe, expect, it } from "vitest";
import { LineEditor } from "../../playground/src/live/line-editor.ts";

function typeAll(editor: LineEditor, ...chunks: string[]) {
  return chunks.map((chunk) => editor.input(chunk));
}

describe("LineEditor", () => {
  it("submits what was typed and starts a fresh line", () => {
    const editor = new LineEditor();
    typeAll(editor, "io.", "emit", '("x")');
    expect(editor.input("\r")).toEqual({ kind: "submit", line: 'io.emit("x")' });
    expect(editor.buffer).toBe("");
  });

  it("edits in the middle of the line with arrows, backspace and delete", () => {
    const editor = new LineEditor();
    typeAll(editor, "io.emt", "\x1b[D", "i", "\x1b[H", "\x1b[3~", "I", "\x1b[F", "\x7f", "t");
    expect(editor.buffer).toBe("Io.emit");
    expect(editor.cursor).toBe(7);
  });

  it("recalls history with up and down, keeping the unfinished line", () => {
    const editor = new LineEditor();
    typeAll(editor, "first", "\r", "second", "\r", "draft");
    editor.input("\x1b[A");
    expect(editor.buffer).toBe("second");
    editor.input("\x1b[A");
    expect(editor.buffer).toBe("first");
    expect(editor.input("\x1b[A")).toEqual({ kind: "none" });
    editor.input("\x1b[B");
    editor.input("\x1b[B");
    expect(editor.buffer).toBe("draft");
  });

  it("keeps the first line of a paste and drops control characters", () => {
    const editor = new LineEditor();
    editor.input("io.emit('a')\x07\nio.emit('b')");
    expect(editor.buffer).toBe("io.emit('a')");
  });

  it("asks for completion on Tab and cancels on Ctrl+C", () => {
    const editor = new LineEditor();
    editor.input("so");
    expect(editor.input("\t")).toEqual({ kind: "complete" });
    expect(editor.input("\x03")).toEqual({ kind: "cancel" });
    expect(editor.buffer).toBe("");
  });

  it("replaces the text before the cursor with a completion, keeping the rest", () => {
    const editor = new LineEditor();
    typeAll(editor, 'io.em"x")', "\x1b[D", "\x1b[D", "\x1b[D", "\x1b[D");
    editor.replaceBeforeCursor('io.emit(');
    expect(editor.buffer).toBe('io.emit("x")');
    expect(editor.cursor).toBe(8);
  });
});
