/** Reads `lessons/`, validates every lesson against its program and the challenge checks, and throws naming the file and field. */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parse } from "yaml";
import type { ProgramName } from "../../contract/protocol.ts";
import type { ClientSetup, LessonNamespace, PanelName } from "../../contract/lesson-types.ts";
import { isConsoleCommand } from "../../contract/console/lesson-commands.ts";
import { programs, isProgramName } from "../programs/index.ts";
import { challengeChecks } from "../../contract/challenge-checks.ts";
import { codeTaskChecks } from "../../contract/code-tasks.ts";
import { fileWith, regionOf, type LineRange } from "../../contract/editable-region.ts";
import { clientsOf, isRecord, listOf, namespacesOf, taskOf, unknownFields, type LoadedTask } from "./lesson-fields.ts";

/** The panels a lesson may name in `panel:`. */
export const panelNames: readonly PanelName[] = ["chat", "broadcast", "rooms", "namespaces", "acknowledgements", "recovery", "delivery", "scaling"];

/** One step as the file declares it; `highlight` already resolved to a 1-based program line. */
export interface LoadedStep {
  title: string;
  markdown: string;
  clients: ClientSetup[];
  broadcast?: boolean;
  highlight?: number;
  /** Connection state recovery for this step (programs that offer it). */
  recovery?: boolean;
  /** The cards show latency, volatile sends and the send buffer. */
  network?: boolean;
  /** The scaling lesson's switches for this step. */
  adapter?: boolean;
  sticky?: boolean;
  /** The delivery program's UNIQUE client_offset for this step. */
  unique?: boolean;
  /** The cards show the client's delivery options: retries, ackTimeout, auth.serverOffset. */
  delivery?: boolean;
  /** The step's code task, its code files read. */
  task?: LoadedTask;
  /** The server-console commands in its text (code spans the console would run), in order. */
  commands: string[];
}

/** A validated lesson, still in Markdown; the Vite plugin compiles it. */
export interface LoadedLesson {
  /** Path of the lesson file, relative to the lessons folder (for messages). */
  file: string;
  slug: string;
  order: number;
  title: string;
  summary: string;
  /** The part of the course path this lesson starts (e.g. "The foundations"); unset: it continues the part before. */
  part?: string;
  panel: PanelName;
  program: ProgramName;
  event: string;
  /** The broadcast switch where a step does not set it; undefined: no switch in this lesson. */
  broadcast?: boolean;
  namespaces: LessonNamespace[];
  /** Events the program handles from clients (its inbound `accepts`). */
  events: string[];
  intro: string;
  steps: LoadedStep[];
  questions: Array<{ question: string; answer: string }>;
  /** `step`: 0-based index of the step the challenge belongs to (the last one unless the file says). */
  challenges: Array<{ id: string; step: number; title: string; hint: string }>;
  /** The program file as shown: its text and the 1-based, inclusive lines a learner may edit (the handlers). */
  source: { path: string; code: string; editable: LineRange };
}

/** A lesson that cannot be built; the message starts with the file and the field. */
export class LessonError extends Error {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = "LessonError";
    this.file = file;
    this.field = field;
  }
}

export interface LoadOptions {
  /** Challenge ids a lesson may use; defaults to the keys of `challengeChecks`. */
  challengeIds?: readonly string[];
  /** Code task ids a step may use; defaults to the keys of `codeTaskChecks`. */
  taskIds?: readonly string[];
  /** Root the program source path is shown relative to; defaults to the lessons folder's parent. */
  projectRoot?: string;
}

const entryPattern = /^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)(\.md)?$/;
const topFields = ["title", "summary", "panel", "program", "event", "broadcast", "namespaces", "steps", "questions", "challenges", "part"];
const stepFields = ["clients", "broadcast", "highlight", "task", "recovery", "network", "adapter", "sticky", "unique", "delivery"];

/** The lesson files of `dir` (`NN-slug.md` or `NN-slug/index.md`), in numeric order. */
export function lessonFiles(dir: string): Array<{ path: string; order: number; slug: string }> {
  return readdirSync(dir)
    .flatMap((name) => {
      const match = entryPattern.exec(name);
      if (!match) return [];
      const isFile = match[3] !== undefined;
      const path = isFile ? join(dir, name) : join(dir, name, "index.md");
      if (isFile ? !statSync(path).isFile() : !existsSync(path)) return [];
      return [{ path, order: Number(match[1]), slug: match[2] }];
    })
    .sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
}

/**
 * Loads and validates every lesson of `dir`.
 *
 * @example
 * const lessons = loadLessons("/repo/lessons"); // throws LessonError("01-chat.md: steps[2].highlight: …")
 */
export function loadLessons(dir: string, options: LoadOptions = {}): LoadedLesson[] {
  const challengeIds = options.challengeIds ?? Object.keys(challengeChecks);
  const taskIds = options.taskIds ?? Object.keys(codeTaskChecks);
  const projectRoot = options.projectRoot ?? join(dir, "..");
  const files = lessonFiles(dir);
  if (files.length === 0) throw new LessonError(dir, "lessons", "no lesson files (expected NN-slug.md)");
  const seen = new Map<string, string>();
  return files.map(({ path, order, slug }) => {
    const file = relative(dir, path);
    const earlier = seen.get(slug);
    if (earlier) throw new LessonError(file, "slug", `"${slug}" is already the slug of ${earlier}`);
    seen.set(slug, file);
    return loadLesson(readFileSync(path, "utf8"), { file, order, slug, challengeIds, taskIds, projectRoot });
  });
}

interface LessonContext {
  file: string;
  order: number;
  slug: string;
  challengeIds: readonly string[];
  taskIds: readonly string[];
  projectRoot: string;
}

function loadLesson(text: string, context: LessonContext): LoadedLesson {
  const { file } = context;
  const fail = (field: string, problem: string): never => {
    throw new LessonError(file, field, problem);
  };
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return fail("frontmatter", "the file must start with a --- YAML block ---");
  let front: unknown;
  try {
    front = parse(match[1]);
  } catch (error) {
    return fail("frontmatter", `invalid YAML (${(error as Error).message.split("\n")[0]})`);
  }
  if (!isRecord(front)) return fail("frontmatter", "must be a mapping of fields");
  unknownFields(front, topFields, "", fail);

  const text_ = (value: unknown, field: string): string =>
    typeof value === "string" && value.trim() !== "" ? value : fail(field, value === undefined ? "missing" : "must be non-empty text");
  const title = text_(front.title, "title");
  const summary = text_(front.summary, "summary");
  const panel = text_(front.panel, "panel");
  if (!(panelNames as readonly string[]).includes(panel)) fail("panel", `unknown panel "${panel}" (expected one of ${panelNames.join(", ")})`);
  const program = text_(front.program, "program");
  if (!isProgramName(program)) fail("program", `unknown program "${program}" (expected one of ${Object.keys(programs).join(", ")})`);
  const event = text_(front.event, "event");
  const { file: sourcePath, text: code, editable } = programs[program as ProgramName].source;
  const region = regionOf(code, editable);

  const sections = match[2].split(/^## /m);
  const intro = sections[0].trim();
  const bodies = sections.slice(1).map((section) => {
    const newline = section.indexOf("\n");
    return newline === -1 ? { title: section.trim(), markdown: "" } : { title: section.slice(0, newline).trim(), markdown: section.slice(newline + 1).trim() };
  });

  if (!Array.isArray(front.steps) || front.steps.length === 0) fail("steps", front.steps === undefined ? "missing" : "must be a non-empty list");
  const rawSteps = front.steps as unknown[];
  if (rawSteps.length !== bodies.length) {
    fail("steps", `${rawSteps.length} entries but ${bodies.length} "## " headings; there must be one entry per heading`);
  }
  const steps = rawSteps.map((raw, index): LoadedStep => {
    const field = `steps[${index}]`;
    if (!isRecord(raw)) return fail(field, "must be a mapping");
    unknownFields(raw, stepFields, `${field}.`, fail);
    if (!bodies[index].title) fail(`${field}`, `the "## " heading has no title`);
    const step: LoadedStep = { ...bodies[index], clients: clientsOf(raw.clients, `${field}.clients`, fail), commands: commandsIn(bodies[index].markdown) };
    if (raw.broadcast !== undefined) {
      step.broadcast = typeof raw.broadcast === "boolean" ? raw.broadcast : fail(`${field}.broadcast`, "must be true or false");
    }
    for (const flag of ["recovery", "network", "adapter", "sticky", "unique", "delivery"] as const) {
      if (raw[flag] !== undefined) step[flag] = typeof raw[flag] === "boolean" ? raw[flag] : fail(`${field}.${flag}`, "must be true or false");
    }
    for (const flag of ["adapter", "sticky"] as const) {
      if (step[flag] !== undefined && program !== "scaling") fail(`${field}.${flag}`, `only the scaling program runs several servers; the ${program} program has no ${flag} switch`);
    }
    if (step.recovery !== undefined && !programs[program as ProgramName].server?.recovery) {
      fail(`${field}.recovery`, `the ${program} program has no connectionStateRecovery option to turn on or off`);
    }
    if (step.unique !== undefined && !programs[program as ProgramName].database) {
      fail(`${field}.unique`, `the ${program} program has no database whose client_offset could be UNIQUE`);
    }
    if (raw.task !== undefined) step.task = taskOf(raw.task, `${field}.task`, fail, { taskIds: context.taskIds, region });
    if (raw.highlight !== undefined) {
      // The line is looked up in the file the step shows: the program, with the task's starting code if it has one.
      const shown = step.task?.start === undefined ? code : fileWith(code, editable, step.task.start).text;
      const wanted = text_(raw.highlight, `${field}.highlight`).trim();
      const line = shown.split("\n").findIndex((codeLine) => codeLine.includes(wanted));
      const where = step.task?.start === undefined ? `server/programs/${basename(sourcePath)}` : "the task's starting code";
      if (line === -1) fail(`${field}.highlight`, `"${wanted}" is not found in ${where}`);
      step.highlight = line + 1;
    }
    return step;
  });

  const questions = listOf(front.questions, "questions", fail).map((raw, index) => {
    const field = `questions[${index}]`;
    if (!isRecord(raw)) return fail(field, "must be a mapping");
    unknownFields(raw, ["question", "answer"], `${field}.`, fail);
    return { question: text_(raw.question, `${field}.question`), answer: text_(raw.answer, `${field}.answer`) };
  });
  const ids = new Set<string>();
  const challenges = listOf(front.challenges, "challenges", fail).map((raw, index) => {
    const field = `challenges[${index}]`;
    if (!isRecord(raw)) return fail(field, "must be a mapping");
    unknownFields(raw, ["id", "step", "title", "hint"], `${field}.`, fail);
    const id = text_(raw.id, `${field}.id`);
    const step = raw.step === undefined ? steps.length : raw.step;
    if (!Number.isInteger(step) || (step as number) < 1 || (step as number) > steps.length) fail(`${field}.step`, `must be a step number from 1 to ${steps.length}`);
    if (!context.challengeIds.includes(id)) fail(`${field}.id`, `unknown challenge "${id}" (no such check in contract/challenge-checks.ts)`);
    if (ids.has(id)) fail(`${field}.id`, `"${id}" appears twice`);
    ids.add(id);
    return { id, step: (step as number) - 1, title: text_(raw.title, `${field}.title`), hint: text_(raw.hint, `${field}.hint`) };
  });
  if (front.broadcast !== undefined && typeof front.broadcast !== "boolean") fail("broadcast", "must be true or false");
  const namespaces = namespacesOf(front.namespaces, "namespaces", fail);

  // Progress is kept per lesson by id: a task id names one task, and no challenge.
  steps.forEach((step, index) => {
    const id = step.task?.id;
    if (id === undefined) return;
    if (ids.has(id) || steps.findIndex((other) => other.task?.id === id) !== index) fail(`steps[${index}].task.id`, `"${id}" is already used in this lesson`);
  });

  return {
    file,
    slug: context.slug,
    order: context.order,
    title,
    summary,
    ...(front.part === undefined ? {} : { part: text_(front.part, "part") }),
    panel: panel as PanelName,
    program: program as ProgramName,
    event,
    ...(front.broadcast === undefined ? {} : { broadcast: front.broadcast as boolean }),
    namespaces,
    events: Object.keys(programs[program as ProgramName].accepts),
    intro,
    steps,
    questions,
    challenges,
    source: { path: relative(context.projectRoot, sourcePath), code, editable },
  };
}

/** The code spans of a step's Markdown that are server-console commands, e.g. `io.to("lobby").emit("news", 1)`. */
function commandsIn(markdown: string): string[] {
  const withoutBlocks = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return [...withoutBlocks.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]).filter(isConsoleCommand);
}
