/** The shape of a compiled lesson, as the `virtual:lessons` module gives it to the page. */
import type { ProgramName } from "./protocol.ts";

/** The panels a lesson can pair with (one Svelte panel each). */
export type PanelName = "chat" | "broadcast" | "rooms" | "namespaces";

/** One simulated client a step asks for. */
export interface ClientSetup {
  /** Namespace the client connects to; default "/". */
  namespace?: string;
  /** Auth token the client sends (`auth: { token }`), for namespaces with a middleware. */
  auth?: string;
  /** Rooms the client asks the server to join once connected. */
  rooms?: string[];
}

/** How a step sets up the panel; going back to a step restores it. */
export interface StepSetup {
  clients: ClientSetup[];
  /** The broadcast flag; unset keeps what the learner chose. */
  broadcast?: boolean;
  /** 1-based line of the program source to highlight (resolved at build time from a text). */
  highlight?: number;
}

/** A code task: the learner edits the step's server code until the live trace passes its check. */
export interface CompiledCodeTask {
  /** Id of a check in `code-tasks.ts`. */
  id: string;
  title: string;
  /** The title compiled from inline Markdown. */
  titleHtml: string;
  hintHtml: string;
  /** The editable region the step starts with; unset: the program's own. */
  start?: string;
  /** The model answer: the editable region that passes the check (the **Solve** button). */
  solution: string;
}

export interface CompiledStep {
  /** Plain text of the step heading (page title, lesson list). */
  title: string;
  /** The step heading compiled from inline Markdown (code spans). */
  titleHtml: string;
  /** Step text, compiled from Markdown at build time. */
  html: string;
  setup: StepSetup;
  /** The code task of this step, if it has one. */
  task?: CompiledCodeTask;
}

export interface CompiledQuestion {
  /** Plain text of the question. */
  question: string;
  /** The question compiled from inline Markdown. */
  questionHtml: string;
  /** The answer, compiled from Markdown; revealed once the learner has tried. */
  answerHtml: string;
}

export interface CompiledChallenge {
  /** Id of a check in `challenge-checks.ts`. */
  id: string;
  title: string;
  /** The title compiled from inline Markdown. */
  titleHtml: string;
  hintHtml: string;
}

export interface CompiledLesson {
  slug: string;
  order: number;
  title: string;
  summary: string;
  /** The summary compiled from inline Markdown. */
  summaryHtml: string;
  panel: PanelName;
  program: ProgramName;
  /** Default event name in each client's Event box. */
  event: string;
  /** Text above the first step's heading, compiled from Markdown ("" when there is none). */
  introHtml: string;
  steps: CompiledStep[];
  questions: CompiledQuestion[];
  challenges: CompiledChallenge[];
  /**
   * The lesson program's real source, as the server runs it: a whole `index.js`. `lines` holds the highlighted
   * HTML of each source line (index 0 = line 1); `editable` is the 1-based, inclusive range of lines a learner
   * may edit (the handlers), between two marker comments; the lines around it are shown read-only.
   */
  source: { path: string; code: string; html: string; lines: string[]; editable: { start: number; end: number } };
}
