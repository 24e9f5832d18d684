/** The server console's terminal: prints the console's transcript as `node index.js` would and takes typed commands. Loaded lazily. */
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import type { FeedLevel } from "../../../contract/protocol.ts";
import { commonPrefix, complete, type CompletionNames } from "../../../contract/console/index.ts";
import { displayText } from "../../../contract/display-text.ts";
import { LineEditor } from "../live/line-editor.ts";
import type { ConsoleLine, ServerConsole } from "../live/server-console.svelte.ts";

const prompt = "\x1b[36m>\x1b[0m ";
const promptWidth = 2;
const colours: Record<FeedLevel, string> = { log: "", info: "", warn: "\x1b[33m", error: "\x1b[31m" };
const reset = "\x1b[0m";
const dim = "\x1b[90m";

/**
 * One transcript line as the terminal shows it: the program's own output plain, the playground's notes
 * dimmed, commands after a prompt, errors in red with a caret under the bad token.
 *
 * @example
 * formatLine({ id: 1, kind: "note", level: "info", text: "[A] connected" }); // "\x1b[90m[A] connected\x1b[0m"
 */
export function formatLine(line: ConsoleLine): string {
  switch (line.kind) {
    case "note":
      return `${dim}${line.text}${reset}`;
    case "input":
      return `${prompt}${line.text}`;
    case "error": {
      const caret = line.position === undefined ? "" : `\x1b[31m${" ".repeat(promptWidth + line.position)}^${reset}\r\n`;
      return `${caret}\x1b[31m${line.text}${reset}`;
    }
    default: {
      const colour = colours[line.level] || (line.kind === "system" ? "\x1b[36m" : "");
      return `${colour}${line.text}${colour ? reset : ""}`;
    }
  }
}

/**
 * Opens a terminal in `element` on the page's server console; returns the function that disposes everything.
 *
 * @example
 * const dispose = mountTerminal(div, getServerConsole(), () => ({ clients: ["A"], rooms: [], namespaces: ["/"] }));
 */
export function mountTerminal(element: HTMLElement, serverConsole: ServerConsole, names: () => CompletionNames): () => void {
  const term = new Terminal({
    convertEol: true,
    cursorBlink: true,
    fontFamily: 'ui-monospace, "Cascadia Mono", Menlo, Consolas, monospace',
    fontSize: 12,
    scrollback: 3000,
    // Dim notes (bright black), errors and warnings lightened to keep 4.5:1 contrast on the dark background.
    theme: { background: "#15171c", foreground: "#e4e6eb", cursor: "#e4e6eb", selectionBackground: "#3a4a66", brightBlack: "#9aa2b1", red: "#ff7b72", yellow: "#e3b341", cyan: "#56d4dd" },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(element);
  fit.fit();
  const editor = new LineEditor();
  let busy = false;

  // A long input wraps over several rows: clearing it starts from the row the prompt is on, not the cursor's.
  let cursorRow = 0;
  const clearInput = () => {
    term.write(`${cursorRow ? `\x1b[${cursorRow}A` : ""}\r\x1b[0J`);
    cursorRow = 0;
  };
  const redraw = () => {
    clearInput();
    const cols = Math.max(term.cols, 1);
    const end = promptWidth + editor.buffer.length;
    const at = promptWidth + editor.cursor;
    // At an exact multiple of the width the terminal waits to wrap: end the row so the cursor has one to go to.
    const wrap = end % cols === 0 ? "\r\n" : "";
    const up = Math.floor(end / cols) - Math.floor(at / cols);
    term.write(`${prompt}${editor.buffer}${wrap}${up ? `\x1b[${up}A` : ""}\x1b[${(at % cols) + 1}G`);
    cursorRow = Math.floor(at / cols);
  };
  const printAbove = (text: string) => {
    clearInput();
    term.write(`${text}\r\n`);
    if (!busy) redraw();
  };

  term.writeln(`${dim}Server console: what the lesson program logs appears here. Type a Socket.IO call, e.g. io.emit("news", 1); "help" lists them.${reset}`);
  for (const line of serverConsole.lines) printAbove(formatLine(line));
  const stopLines = serverConsole.onLine((line) => printAbove(formatLine(line)));
  const stopClear = serverConsole.onClear(() => {
    term.clear();
    cursorRow = 0;
    redraw();
  });
  redraw();

  async function run(line: string) {
    clearInput();
    busy = true;
    await serverConsole.run(line);
    busy = false;
    redraw();
  }

  const input = term.onData((data) => {
    if (busy) return;
    const action = editor.input(data);
    if (action.kind === "redraw") redraw();
    else if (action.kind === "submit") void run(action.line);
    else if (action.kind === "cancel") {
      term.write("^C\r\n");
      cursorRow = 0;
      redraw();
    } else if (action.kind === "clear-screen") {
      serverConsole.clear();
    } else if (action.kind === "complete") {
      completeAtCursor();
    }
  });

  // Completion comes from the console grammar itself, so it offers only what the server would accept.
  // A name holding control characters is never offered: completing it would echo it raw into the prompt.
  const plain = (list: string[]) => [...new Set(list)].filter((name) => displayText(name) === name);
  function completeAtCursor() {
    const before = editor.buffer.slice(0, editor.cursor);
    const { clients, rooms, namespaces } = names();
    const candidates = complete(before, { clients: plain(clients), rooms: plain(rooms), namespaces: plain(namespaces) });
    const common = commonPrefix(candidates);
    if (common.length > before.length) editor.replaceBeforeCursor(common);
    else if (candidates.length > 1) {
      const start = Math.max(before.lastIndexOf(".") + 1, before.lastIndexOf("(") + 1);
      printAbove(candidates.map((candidate) => displayText(candidate.slice(start))).join("   "));
    }
    redraw();
  }

  const resize = new ResizeObserver(() => fit.fit());
  resize.observe(element);

  return () => {
    stopLines();
    stopClear();
    input.dispose();
    resize.disconnect();
    term.dispose();
  };
}
