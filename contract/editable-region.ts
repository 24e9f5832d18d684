/** A program's editable region (the handlers): its text, the file with another text in it, and edits to it. */

/** A 1-based, inclusive line range. */
export interface LineRange {
  start: number;
  end: number;
}

/** A whole file and the lines of it the learner may edit. */
export interface EditableFile {
  text: string;
  editable: LineRange;
}

/** One change to a region: the only occurrence of `replace` becomes `with`. */
export interface RegionEdit {
  replace: string;
  with: string;
}

/**
 * The text of the editable region of a file.
 *
 * @example
 * regionOf("a\nb\nc\nd", { start: 2, end: 3 }); // "b\nc"
 */
export function regionOf(text: string, editable: LineRange): string {
  return text.split("\n").slice(editable.start - 1, editable.end).join("\n");
}

/**
 * The file with its editable region replaced by `region`; the range grows or shrinks with it.
 *
 * @example
 * fileWith("a\nb\nc", { start: 2, end: 2 }, "x\ny"); // { text: "a\nx\ny\nc", editable: { start: 2, end: 3 } }
 */
export function fileWith(text: string, editable: LineRange, region: string): EditableFile {
  const lines = text.split("\n");
  const inserted = region.split("\n");
  const joined = [...lines.slice(0, editable.start - 1), ...inserted, ...lines.slice(editable.end)];
  return { text: joined.join("\n"), editable: { start: editable.start, end: editable.start + inserted.length - 1 } };
}

/**
 * Applies edits in order. Each `replace` must occur exactly once; the lines of a multi-line `with` after its
 * first are indented like the line the replaced text starts on. Returns the region, or which edit failed.
 *
 * @example
 * editRegion("  io.emit(x);", [{ replace: "io.emit", with: "socket.broadcast.emit" }]); // { region: "  socket.broadcast.emit(x);" }
 */
export function editRegion(region: string, edits: readonly RegionEdit[]): { region: string } | { failed: number; problem: string } {
  let text = region;
  for (const [index, edit] of edits.entries()) {
    const at = text.indexOf(edit.replace);
    if (at === -1) return { failed: index, problem: `"${edit.replace}" is not in the code` };
    if (text.indexOf(edit.replace, at + 1) !== -1) return { failed: index, problem: `"${edit.replace}" is in the code more than once; quote more of it` };
    const lineStart = text.lastIndexOf("\n", at) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    const replacement = edit.with.replace(/\n$/, "").split("\n").map((line, i) => (i === 0 || line === "" ? line : indent + line)).join("\n");
    text = text.slice(0, at) + replacement + text.slice(at + edit.replace.length);
  }
  return { region: text };
}
