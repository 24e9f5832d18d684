/** The server console's terminal: prints the sandbox feed as `node index.js` would and runs typed commands. Loaded lazily. */
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import type { FeedEntry, FeedLevel } from "../../../contract/protocol.ts";
import type { LiveSession } from "../live/session.svelte.ts";
import { LineEditor } from "../live/line-editor.ts";
import { commonPrefix, complete, type CompletionNames } from "../../../contract/console/index.ts";
import { formatArg } from "../live/log-entry.ts";
import { displayText } from "../../../contract/display-text.ts";

const prompt = "\x1b[36m>\x1b[0m ";
const promptWidth = 2;
const colours: Record<FeedLevel, string> = { log: "", info: "", warn: "\x1b[33m", error: "\x1b[31m" };
const reset = "\x1b[0m";
const dim = "\x1b[90m";

/**
 * One feed line as the terminal shows it: the program's own output plain, the playground's notes dimmed.
 * Everything from the sandbox goes through `displayText`, so only this module's own colour codes reach xterm.
 *
 * @example
 * formatFeed({ seq: 1, at: 5, level: "warn", kind: "program", text: "careful", client: "A" });
 * // "\x1b[90m[A]\x1b[0m \x1b[33mcareful\x1b[0m"
 */
export function formatFeed(entry: FeedEntry): string {
  const who = entry.client ? `${dim}[${displayText(entry.client)}]${reset} ` : "";
  const text = displayText(entry.text);
  if (entry.kind === "event") {
    const args = (entry.args ?? []).map(formatArg).join(", ");
    return `${who}${dim}→ server: ${displayText(entry.event ?? "")}${args ? ` ${args}` : ""}${reset}`;
  }
  if (entry.kind === "connection" || entry.kind === "disconnection") return `${who}${dim}${text}${reset}`;
  const colour = colours[entry.level] || (entry.kind === "system" ? "\x1b[36m" : "");
  return `${who}${colour}${text}${colour ? reset : ""}`;
}

/**
 * Opens a terminal in `element` wired to `session`; returns the function that disposes everything.
 *
 * @example
 * const dispose = mountTerminal(div, getSession(), () => ["A", "B"]);
 */
export function mountTerminal(element: HTMLElement, session: LiveSession, clientNames: () => string[]): () => void {
  const term = new Terminal({
    convertEol: true,
    cursorBlink: true,
    fontFamily: 'ui-monospace, "Cascadia Mono", Menlo, Consolas, monospace',
    fontSize: 13,
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

  const redraw = () => {
    const back = editor.buffer.length - editor.cursor;
    term.write(`\r\x1b[2K${prompt}${editor.buffer}${back ? `\x1b[${back}D` : ""}`);
  };
  const printAbove = (text: string) => {
    term.write(`\r\x1b[2K${text}\r\n`);
    if (!busy) redraw();
  };

  term.writeln(`${dim}Server console: what the lesson program logs appears here. Type a Socket.IO call, e.g. io.emit("news", 1); "help" lists them.${reset}`);
  for (const entry of session.feed) printAbove(formatFeed(entry));
  const stopFeed = session.onFeed((entry) => printAbove(formatFeed(entry)));
  redraw();

  // Completion comes from the console grammar itself, so it offers only what the server would accept.
  // A name holding control characters is never offered: completing it would echo it raw into the prompt.
  const plain = (names: string[]) => [...new Set(names)].filter((name) => displayText(name) === name);
  const names = (): CompletionNames => ({
    clients: plain([...session.sockets.map((socket) => socket.client), ...clientNames()]),
    rooms: plain(session.sockets.flatMap((socket) => socket.rooms)),
    namespaces: plain(["/", "/admin", ...session.sockets.map((socket) => socket.nsp)]),
  });

  async function run(line: string) {
    term.write("\r\n");
    if (!line.trim()) return redraw();
    if (line.trim() === "clear") {
      term.clear();
      return redraw();
    }
    busy = true;
    const reply = await session.command(line);
    if (reply.ok) {
      if (reply.data.clear) term.clear();
      for (const out of reply.data.lines) term.writeln(`${colours[out.level]}${displayText(out.text)}${colours[out.level] ? reset : ""}`);
    } else {
      if (reply.position !== undefined) term.writeln(`\x1b[31m${" ".repeat(promptWidth + reply.position)}^${reset}`);
      term.writeln(`\x1b[31m${displayText(reply.error)}${reset}`);
    }
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
      redraw();
    } else if (action.kind === "clear-screen") {
      term.clear();
      redraw();
    } else if (action.kind === "complete") {
      completeAtCursor();
    }
  });

  function completeAtCursor() {
    const before = editor.buffer.slice(0, editor.cursor);
    const candidates = complete(before, names());
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
    stopFeed();
    input.dispose();
    resize.disconnect();
    term.dispose();
  };
}
