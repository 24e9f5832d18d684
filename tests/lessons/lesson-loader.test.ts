/** The lesson loader over the real lessons/ folder and over broken fixtures, and the compiler that turns lessons into HTML. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LessonError, loadLessons, panelNames } from "../../server/lessons/lesson-loader.ts";
import { compileLessons } from "../../server/lessons/lesson-compiler.ts";
import { programs } from "../../server/programs/index.ts";
import { challengeChecks } from "../../contract/challenge-checks.ts";
import { regionOf } from "../../contract/editable-region.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => `${root}tests/fixtures/lessons-${name}`;

/** The LessonError thrown by loading a fixture folder. */
function loadError(name: string): LessonError {
  try {
    loadLessons(fixture(name));
  } catch (error) {
    if (error instanceof LessonError) return error;
    throw error;
  }
  throw new Error(`fixture lessons-${name} loaded without an error`);
}

describe("the real lessons/ folder", () => {
  const lessons = loadLessons(`${root}lessons`);

  it("holds the four lessons in numeric order, slugs without the prefix", () => {
    expect(lessons.map((lesson) => lesson.slug).slice(0, 4)).toEqual(["chat", "broadcast", "rooms", "namespaces"]);
    expect(lessons.map((lesson) => lesson.order)).toEqual([...lessons.map((lesson) => lesson.order)].sort((a, b) => a - b));
  });

  it("has one step per ## heading, each with a title and text", () => {
    for (const lesson of lessons) {
      const text = readFileSync(`${root}lessons/${lesson.file}`, "utf8");
      expect(lesson.steps.length, lesson.file).toBe(text.split("\n").filter((line) => line.startsWith("## ")).length);
      for (const step of lesson.steps) {
        expect(step.title, lesson.file).not.toBe("");
        expect(step.markdown, `${lesson.file}: ${step.title}`).not.toBe("");
      }
    }
  });

  it("names known panels, programs and challenge checks", () => {
    for (const lesson of lessons) {
      expect(panelNames).toContain(lesson.panel);
      expect(Object.keys(programs)).toContain(lesson.program);
      for (const challenge of lesson.challenges) expect(Object.keys(challengeChecks)).toContain(challenge.id);
    }
  });

  it("resolves each highlight to the program line that holds its text, reading the file the server runs", () => {
    for (const lesson of lessons) {
      const lines = readFileSync(programs[lesson.program].file, "utf8").split("\n");
      expect(lesson.source.code).toBe(lines.join("\n"));
      expect(lesson.source.path).toBe(`server/programs/${lesson.program}.js`);
      const front = parse(/^---\n([\s\S]*?)\n---/.exec(readFileSync(`${root}lessons/${lesson.file}`, "utf8"))![1]);
      front.steps.forEach((declared: { highlight?: string }, index: number) => {
        const resolved = lesson.steps[index].highlight;
        if (declared.highlight === undefined) return expect(resolved).toBeUndefined();
        expect(lines[resolved! - 1], `${lesson.file}: steps[${index}]`).toContain(declared.highlight.trim());
      });
    }
  });
});

describe("Run buttons in the real lessons", () => {
  it("give every console command of a step's text a button, and nothing else one", async () => {
    const lessons = await compileLessons(loadLessons(`${root}lessons`));
    const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    let buttons = 0;
    for (const lesson of lessons) {
      for (const step of lesson.steps) {
        const shown = [...step.html.matchAll(/data-command="([^"]*)"/g)].map((match) => unescape(match[1]));
        expect(shown, `${lesson.slug}: ${step.title}`).toEqual(step.commands);
        buttons += shown.length;
      }
    }
    expect(buttons).toBeGreaterThan(10);
  });
});

describe("broken lessons fail with the file and the field", () => {
  const cases: Array<[fixture: string, file: string, field: string, problem: RegExp]> = [
    ["missing-field", "01-first.md", "summary", /missing/],
    ["unknown-panel", "01-first.md", "panel", /unknown panel "chatroom"/],
    ["unknown-program", "01-first.md", "program", /unknown program "echo"/],
    ["duplicate-slug", "02-first.md", "slug", /"first" is already the slug of 01-first\.md/],
    ["step-count", "01-first.md", "steps", /2 entries but 1 "## " headings/],
    ["bad-highlight", "01-first.md", "steps[0].highlight", /"io\.emit\("nothing like this"\);" is not found in server\/programs\/chat\.js/],
    ["unknown-challenge", "01-first.md", "challenges[0].id", /unknown challenge "no-such-check"/],
    ["bad-clients", "01-first.md", "steps[1].clients[1].namespace", /must start with "\/"/],
    ["unknown-field", "01-first.md", "layout", /unknown field/],
    ["unknown-task", "01-first.md", "steps[1].task.id", /unknown code task "no-such-task"/],
    ["bad-task-edit", "01-first.md", "steps[1].task.solution[0].replace", /"io\.emit\("no such line"\);" is not in the code/],
    ["bad-challenge-step", "01-first.md", "challenges[0].step", /must be a step number from 1 to 2/],
    ["bad-namespaces", "01-first.md", "namespaces[1].name", /must start with "\/"/],
  ];
  it.each(cases)("lessons-%s → %s: %s", (name, file, field, problem) => {
    const error = loadError(name);
    expect(error.file).toBe(file);
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${file}: ${field}: `)).toBe(true);
    expect(error.message).toMatch(problem);
  });

  it("accepts a code task id only when the given list has it", () => {
    expect(() => loadLessons(fixture("valid"), { taskIds: ["something-else"] })).toThrow(/01-first\.md: steps\[1\]\.task\.id/);
  });

  it("accepts a challenge id only when the given list has it", () => {
    expect(() => loadLessons(fixture("valid"), { challengeIds: ["something-else"] })).toThrow(/01-first\.md: challenges\[0\]\.id/);
  });
});

describe("the compiler", () => {
  it("loads NN-slug.md and NN-slug/index.md, skipping other files, and compiles Markdown and code to HTML", async () => {
    const loaded = loadLessons(fixture("valid"));
    expect(loaded.map((lesson) => [lesson.file, lesson.slug])).toEqual([
      ["01-first.md", "first"],
      ["02-second/index.md", "second"],
    ]);
    const [lesson] = await compileLessons(loaded);
    expect(lesson.introHtml).toBe("<p>Intro with <code>code</code>.</p>\n");
    expect(lesson.steps[0].title).toBe("First step: io.on");
    expect(lesson.steps[0].titleHtml).toBe("First step: <code>io.on</code>");
    expect(lesson.steps[0].html).toContain("<em>step one</em>");
    expect(lesson.steps[0].html).toMatch(/<pre class="shiki[^"]*"[^>]*><code>.*--shiki-light:/s);
    const emitLine = lesson.source.code.split("\n").findIndex((line) => line.includes('io.emit("chat message", msg);')) + 1;
    expect(lesson.steps[0].setup).toEqual({ clients: [{}, {}], highlight: emitLine });
    expect(lesson.steps[1].setup).toEqual({ clients: [{}, { namespace: "/admin", auth: "let-me-in", rooms: ["lobby"] }], broadcast: true });
    expect(lesson.questions[0]).toMatchObject({ question: "What does io.emit reach?", answerHtml: expect.stringContaining("<strong>the sender too</strong>") });
    expect(lesson.challenges[0]).toMatchObject({ step: 0, hintHtml: "<p>Press <strong>Send</strong>.</p>\n" });
    expect(lesson).toMatchObject({ broadcast: false, namespaces: [{ name: "/" }, { name: "/admin", token: "let-me-in" }] });
    expect(lesson.events).toEqual(["chat message", "nickname", "typing"]);
    // A console command in the step text gets a Run button named after it; program code does not.
    expect(lesson.steps[1].commands).toEqual(['io.to("<A\'s id>").emit("x", 1)']);
    expect(lesson.steps[1].html).toContain('<button type="button" class="run-command" data-command="io.to(&quot;&lt;A\'s id&gt;&quot;).emit(&quot;x&quot;, 1)" aria-label="Run io.to(&quot;&lt;A\'s id&gt;&quot;).emit(&quot;x&quot;, 1)"');
    expect(lesson.steps[1].html.match(/data-command/g)).toHaveLength(1);
    expect(lesson.steps[0].commands).toEqual([]);
    const [, second] = await compileLessons(loaded);
    expect(second).toMatchObject({ namespaces: [{ name: "/" }], challenges: [{ step: 1 }] });
    expect(second.broadcast).toBeUndefined();
    expect(second.challenges[0].hintHtml).not.toContain("<button"); // hints never run anything
    const sourceLines = lesson.source.code.replace(/\n$/, "").split("\n");
    expect(lesson.source.lines).toHaveLength(sourceLines.length);
    const plain = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    expect(lesson.source.lines.map(plain)).toEqual(sourceLines);
    expect(plain(lesson.source.lines[emitLine - 1])).toContain('io.emit("chat message", msg);');
    // A code task: its title compiled, its starting code and model answer worked out from the program's handlers.
    expect(lesson.steps[0].task).toBeUndefined();
    const task = lesson.steps[1].task!;
    expect(task).toMatchObject({ id: "chat-no-echo", title: "Stop the echo", titleHtml: "Stop the <code>echo</code>" });
    const handlers = regionOf(lesson.source.code, lesson.source.editable);
    expect(handlers).toContain('io.on("connection", (socket) => {');
    expect(task.start).toBe(handlers.replace('console.log("message: " + msg);', ""));
    const indent = /\n( *)io\.emit\("chat message", msg\);/.exec(handlers)![1];
    expect(task.solution).toBe(
      task.start!.replace('io.emit("chat message", msg);', `// the sender shows its own message\n${indent}socket.broadcast.emit("chat message", msg);`),
    );
  });
});
