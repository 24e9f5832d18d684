/** The shape of a compiled lesson, as the `virtual:lessons` module gives it to the page. */
import type { ProgramName } from "./protocol.ts";

/** The panels a lesson can pair with (one Svelte panel each). */
export type PanelName = "chat" | "broadcast" | "rooms" | "namespaces" | "acknowledgements" | "recovery" | "delivery" | "scaling";

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
  /** Connection state recovery on the sandbox's server (programs that offer it); unset keeps what the learner chose. */
  recovery?: boolean;
  /** The cards offer the network controls beyond Go offline: latency, volatile sends, the send buffer. */
  network?: boolean;
  /** Scaling lesson: the Adapter switch as the step's text expects it; unset keeps what the learner chose. */
  adapter?: boolean;
  /** Scaling lesson: the Sticky sessions switch as the step's text expects it; unset keeps what the learner chose. */
  sticky?: boolean;
  /** The delivery program's UNIQUE client_offset (a fresh database); unset keeps what the learner chose. */
  unique?: boolean;
  /** The cards offer the client's delivery options: retries, ackTimeout and sending auth.serverOffset. */
  delivery?: boolean;
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
  /**
   * Step text, compiled from Markdown at build time. Each server-console command in it is followed by a
   * `<button data-command="…">` named `Run <command>` (placeholders such as `<A's id>` left in).
   */
  html: string;
  /** The server-console commands of the step text, in order, as written (see `html`). */
  commands: string[];
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
  /** 0-based index of the step it belongs to: shown there, and checked only while that step is open. */
  step: number;
  title: string;
  /** The title compiled from inline Markdown. */
  titleHtml: string;
  /** Shown only when the learner asks for a hint; never the answer itself. */
  hintHtml: string;
}

/** A namespace the lesson's program serves, as the page offers it (Namespace box, snippets, completion). */
export interface LessonNamespace {
  /** "/", "/admin", "/tenant-acme". */
  name: string;
  /** The auth token its middleware wants, if it has one (the snippet for it sends `auth: { token }`). */
  token?: string;
}

export interface CompiledLesson {
  slug: string;
  order: number;
  title: string;
  summary: string;
  /** The summary compiled from inline Markdown. */
  summaryHtml: string;
  /** The part of the course path this lesson starts (e.g. "The foundations"); unset: it continues the part before. */
  part?: string;
  panel: PanelName;
  program: ProgramName;
  /** Default event name in each client's Event box. */
  event: string;
  /** The broadcast switch when a step does not set it; undefined: the lesson has no switch. */
  broadcast?: boolean;
  /** The namespaces the program serves; `/` first. */
  namespaces: LessonNamespace[];
  /** The events the program handles from clients (what a step's set-up may send, e.g. `join`). */
  events: string[];
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
