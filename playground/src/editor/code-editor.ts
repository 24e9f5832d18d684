/** The CodeMirror 6 editor of the Server code region, imported only when that region mounts (it is most of the editor's bytes). */
import { EditorState, StateEffect, StateField, type Extension, type Range } from "@codemirror/state";
import { Decoration, EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers, type DecorationSet } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript, javascriptLanguage } from "@codemirror/lang-javascript";
import { bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { highlightCode, tagHighlighter, tags } from "@lezer/highlight";
import type { EditableFile as StepFile } from "../../../contract/editable-region.ts";

/** The step's line and the line that ran last, both 1-based in whole-file numbering. */
export interface LineMarks {
  highlight?: number;
  ran?: number;
}

/** An error in the learner's code, for the editor's diagnostic. */
export interface CodeProblem {
  line: number;
  column?: number;
  message: string;
}

/** The editable region as document offsets, carried through every change. */
interface Region {
  from: number;
  to: number;
}

const setMarks = StateEffect.define<LineMarks>();

/** Where the editable region is (set per state with `init`): inserts at either end grow it. */
const regionField = StateField.define<Region>({
  create: () => ({ from: 0, to: 0 }),
  update: (region, transaction) =>
    transaction.docChanged ? { from: transaction.changes.mapPos(region.from, -1), to: transaction.changes.mapPos(region.to, 1) } : region,
});

/** How often the line that ran is redrawn at most. */
const ranEveryMs = 250;

const marksField = StateField.define<LineMarks>({
  create: () => ({}),
  update: (marks, transaction) => transaction.effects.reduce((current, effect) => (effect.is(setMarks) ? effect.value : current), marks),
});

const locked = Decoration.line({ class: "cm-locked-line" });
const highlighted = Decoration.line({ class: "cm-step-line" });
const ran = Decoration.line({ class: "cm-ran-line" });

/** Line decorations: read-only lines shaded, the step's line and the line that ran marked. */
const lineDecorations = (() => {
  const build = (state: EditorState): DecorationSet => {
    const { from, to } = state.field(regionField);
    const [first, last] = [state.doc.lineAt(from).number, state.doc.lineAt(to).number];
    const marks = state.field(marksField);
    const ranges: Array<Range<Decoration>> = [];
    for (let number = 1; number <= state.doc.lines; number++) {
      const start = state.doc.line(number).from;
      if (number < first || number > last) ranges.push(locked.range(start));
      if (number === marks.highlight) ranges.push(highlighted.range(start));
      if (number === marks.ran) ranges.push(ran.range(start));
    }
    return Decoration.set(ranges, true);
  };
  return StateField.define<DecorationSet>({
    create: build,
    update: (decorations, transaction) =>
      transaction.docChanged || transaction.effects.some((effect) => effect.is(setMarks)) ? build(transaction.state) : decorations,
    provide: (field) => EditorView.decorations.from(field),
  });
})();

// Tokens get classes; their colours are in code-tokens.css, shared with the Client code.
const tokenClasses = tagHighlighter([
  { tag: [tags.keyword, tags.operatorKeyword, tags.modifier, tags.controlKeyword, tags.definitionKeyword], class: "tok-keyword" },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], class: "tok-string" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], class: "tok-comment" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], class: "tok-literal" },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], class: "tok-function" },
  { tag: [tags.definition(tags.variableName), tags.definition(tags.propertyName)], class: "tok-definition" },
  { tag: tags.propertyName, class: "tok-property" },
  { tag: tags.invalid, class: "tok-invalid" },
]);

const tone = (light: string, dark: string) => `light-dark(${light}, ${dark})`;

const theme = EditorView.theme({
  "&": { backgroundColor: "var(--color-code-bg)", color: "var(--color-text)", fontSize: "0.8rem", height: "100%" },
  "&.cm-focused": { outline: "2px solid var(--color-accent)", outlineOffset: "-1px" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.5" },
  ".cm-content": { caretColor: "var(--color-text)", padding: "0.35rem 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--color-text)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: tone("#b6d3ff", "#264f78") + " !important",
  },
  ".cm-gutters": { backgroundColor: "var(--color-code-bg)", color: "var(--color-text-muted)", border: "none" },
  ".cm-lineNumbers .cm-gutterElement": { minWidth: "2.4rem", paddingRight: "0.6rem" },
  ".cm-activeLine": { backgroundColor: "transparent" },
  "&.cm-focused .cm-activeLine": { backgroundColor: tone("#f3f5f8", "#161b22") },
  ".cm-locked-line": { backgroundColor: "var(--color-surface-sunken)", color: "var(--color-text-muted)" },
  ".cm-step-line": {
    backgroundColor: "var(--color-line-highlight)",
    boxShadow: "inset 3px 0 0 var(--color-line-highlight-edge)",
  },
  ".cm-ran-line": {
    backgroundColor: "var(--color-line-ran)",
    boxShadow: "inset 3px 0 0 var(--color-line-ran-edge)",
    animation: "cm-ran 0.8s ease-out",
  },
  // A short flash of the edge only: the text keeps its contrast while it plays (a background flash did not).
  "@keyframes cm-ran": { from: { boxShadow: "inset 12px 0 0 var(--color-line-ran-edge)" } },
  "@media (prefers-reduced-motion: reduce)": { ".cm-ran-line": { animation: "none" } },
  ".cm-tooltip": { backgroundColor: "var(--color-surface)", color: "var(--color-text)", border: "1px solid var(--color-border)" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--color-danger)" },
  ".cm-lintRange-error": { backgroundImage: "none", textDecoration: "underline wavy var(--color-danger)" },
});

/** What the view and every step's state share. */
function extensions(file: StepFile, onchange: (state: EditorState) => void): Extension {
  return [
    regionField.init((state) => ({ from: state.doc.line(file.editable.start).from, to: state.doc.line(file.editable.end).to })),
    marksField,
    lineDecorations,
    // The preamble and `server.listen` stay as they are: typing there does nothing, a deletion that
    // reaches into them keeps only its part inside the region.
    EditorState.changeFilter.of((transaction) => {
      const { from, to } = transaction.startState.field(regionField);
      let typedOutside = false;
      transaction.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
        if (inserted.length > 0 && (fromA < from || toA > to)) typedOutside = true;
      });
      return typedOutside ? false : [0, from, to, transaction.startState.doc.length];
    }),
    lineNumbers(),
    lintGutter(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    indentOnInput(),
    bracketMatching(),
    EditorState.tabSize.of(2),
    javascript(),
    syntaxHighlighting(tokenClasses),
    theme,
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    // tabindex: axe counts a contenteditable as the scroller's focusable content only with it (scrollable-region-focusable).
    EditorView.contentAttributes.of({ "aria-label": "Server code editor", "aria-describedby": "server-code-help", tabindex: "0" }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onchange(update.state);
    }),
  ];
}

/**
 * A fresh editor state for one step's file: keep it per step so its undo history survives switching.
 *
 * @example
 * const state = createCodeState(fileWith(code, editable, draft), (state) => save(regionText(state)));
 */
export function createCodeState(file: StepFile, onchange: (state: EditorState) => void): EditorState {
  return EditorState.create({ doc: file.text, extensions: extensions(file, onchange) });
}


/** The text of a state's editable region (what Run code sends). */
export function regionText(state: EditorState): string {
  const { from, to } = state.field(regionField);
  return state.sliceDoc(from, to);
}

/** The 1-based line numbers of a state's editable region. */
export function regionLines(state: EditorState): { start: number; end: number } {
  const { from, to } = state.field(regionField);
  return { start: state.doc.lineAt(from).number, end: state.doc.lineAt(to).number };
}

/** The one editor view of the Server code region. */
export interface CodeEditor {
  readonly view: EditorView;
  /** Shows another step's state (its own document, undo history and selection). */
  show(state: EditorState): void;
  /** Marks the step's line and the line that ran last. */
  marks(marks: LineMarks): void;
  /** Shows an error of the learner's code as a diagnostic on its line, or clears it. */
  problem(problem: CodeProblem | undefined): void;
  /** Replaces the editable region (Reset code, Solve); undoable like any edit. */
  replaceRegion(text: string): void;
  /** Scrolls the editor, and only the editor, so `line` sits a third of the way down. */
  scrollToLine(line: number): void;
  destroy(): void;
}

/**
 * Makes the editor view in `parent`; destroy it in the cleanup of whatever mounted it.
 *
 * @example
 * const editor = mountCodeEditor(element, createCodeState(file, save));
 * editor.marks({ highlight: 12, ran: 14 });
 * editor.destroy();
 */
export function mountCodeEditor(parent: HTMLElement, state: EditorState): CodeEditor {
  const view = new EditorView({ parent, state });
  let marks: LineMarks = {};
  let problem: CodeProblem | undefined;

  // During a flood the line that ran changes with nearly every emit: it is redrawn at most every `ranEveryMs`, the last always.
  let applied: LineMarks = {};
  let appliedAt = 0;
  let pendingMarks: ReturnType<typeof setTimeout> | undefined;
  const applyMarks = () => {
    clearTimeout(pendingMarks);
    pendingMarks = undefined;
    applied = marks;
    appliedAt = performance.now();
    view.dispatch({ effects: setMarks.of(marks) });
  };
  const applyProblem = () => {
    const diagnostics: Diagnostic[] = [];
    if (problem) {
      const line = view.state.doc.line(Math.min(Math.max(problem.line, 1), view.state.doc.lines));
      const from = Math.min(line.from + Math.max((problem.column ?? 1) - 1, 0), line.to);
      diagnostics.push({ from, to: Math.max(line.to, from), severity: "error", message: problem.message });
    }
    view.dispatch(setDiagnostics(view.state, diagnostics));
  };

  return {
    view,
    show(next) {
      if (next === view.state) return;
      view.setState(next);
      applyMarks();
      applyProblem();
    },
    marks(next) {
      // The newest line changes with every emit of a flood, mostly to the same line: only a change is dispatched.
      if (next.highlight === marks.highlight && next.ran === marks.ran) return;
      marks = next;
      const wait = appliedAt + ranEveryMs - performance.now();
      if (next.highlight !== applied.highlight) applyMarks();
      // Not inside the panel's render: a dispatch reads the selection, which would lay the page out mid-frame.
      else pendingMarks ??= setTimeout(applyMarks, Math.max(0, wait));
    },
    problem(next) {
      problem = next;
      applyProblem();
    },
    replaceRegion(text) {
      const { from, to } = view.state.field(regionField);
      view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from }, userEvent: "input.replace" });
    },
    scrollToLine(line) {
      if (line < 1 || line > view.state.doc.lines) return;
      const block = view.lineBlockAt(view.state.doc.line(line).from);
      view.scrollDOM.scrollTop = Math.max(0, block.top - view.scrollDOM.clientHeight / 3);
    },
    destroy() {
      clearTimeout(pendingMarks);
      view.destroy();
    },
  };
}

/** One highlighted piece of a line: its text and the token classes (code-tokens.css), "" for plain text. */
export interface CodeToken {
  text: string;
  classes: string;
}

/**
 * JavaScript split into lines of highlighted tokens, for code shown as text (the Client code), where every
 * line must be in the page for screen readers and search, not only the ones an editor has drawn.
 *
 * @example
 * highlightLines('io("/")'); // [[{ text: "io", classes: "tok-function" }, { text: "(", classes: "" }, …]]
 */
export function highlightLines(text: string): CodeToken[][] {
  const lines: CodeToken[][] = [[]];
  highlightCode(
    text,
    javascriptLanguage.parser.parse(text),
    tokenClasses,
    (piece, classes) => lines.at(-1)!.push({ text: piece, classes }),
    () => lines.push([]),
  );
  return lines;
}
