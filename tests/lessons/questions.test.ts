/** Issue 5's questions: each is asked in some lesson's "Check yourself" and answered there, with the facts that make the answer. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { challengeChecks } from "../../contract/challenge-checks.ts";
import { loadLessons } from "../../server/lessons/lesson-loader.ts";

/** The questions the course must answer, where, and words a right answer cannot do without. */
const required: Array<{ lesson: string; question: string; mustMention: RegExp[] }> = [
  { lesson: "chat", question: "What does the chat example do — explained so that a non-technical person gets it?", mustMention: [/io\.emit/, /every/] },
  { lesson: "chat", question: "What proof of life does the backend give?", mustMention: [/a user connected/, /user disconnected/, /`connection`/, /`disconnect`/] },
  { lesson: "broadcast", question: "Which flag sends an event to everyone except the emitting socket?", mustMention: [/socket\.broadcast\.emit/, /io\.emit/] },
  { lesson: "rooms", question: "What is a room, and what is it useful for?", mustMention: [/server/, /io\.to\(/] },
  { lesson: "rooms", question: "How do you join a room?", mustMention: [/socket\.join\(/] },
  { lesson: "rooms", question: "How do you leave a room?", mustMention: [/socket\.leave\(/, /[Dd]isconnect/] },
  { lesson: "namespaces", question: "What is a namespace, and what does it let you do?", mustMention: [/multiplexing/, /io\.of\("\/"\)/] },
  { lesson: "namespaces", question: "Each namespace has its own… what three things?", mustMention: [/event handlers/, /rooms/, /middlewares/] },
  { lesson: "namespaces", question: "What is a use case for separate namespaces?", mustMention: [/tenant/, /io\.of\(\/\^/] },
];

const lessons = loadLessons(fileURLToPath(new URL("../../lessons", import.meta.url)));

describe("the course answers issue 5's questions", () => {
  it("has the four foundations first, then the later lessons of the course path that exist, in order", () => {
    const slugs = lessons.map((lesson) => lesson.slug);
    expect(slugs.slice(0, 4)).toEqual(["chat", "broadcast", "rooms", "namespaces"]);
    const path = ["acknowledgements", "recovery", "delivery", "scaling"];
    expect(slugs.slice(4)).toEqual(path.filter((slug) => slugs.includes(slug)));
  });

  for (const { lesson: slug, question, mustMention } of required) {
    it(`${slug} asks and answers: ${question}`, () => {
      const lesson = lessons.find((candidate) => candidate.slug === slug);
      const entry = lesson?.questions.find((candidate) => candidate.question === question);
      expect(entry, `${slug} must ask "${question}" in its questions`).toBeDefined();
      expect(entry!.answer.trim().length).toBeGreaterThan(80);
      for (const fact of mustMention) expect(entry!.answer, `${question} → ${fact}`).toMatch(fact);
    });
  }

  it("every question of every lesson has a non-empty answer", () => {
    for (const lesson of lessons) {
      for (const { question, answer } of lesson.questions) {
        expect(typeof answer === "string" && answer.trim().length > 0, `${lesson.file}: "${question}"`).toBe(true);
      }
    }
  });

  it("a lesson that names a required question in its text also answers it in its questions", () => {
    for (const lesson of lessons) {
      const text = lesson.steps.map((step) => step.markdown).join("\n");
      for (const { question } of required) {
        if (!text.includes(question)) continue;
        expect(lesson.questions.map((entry) => entry.question), lesson.file).toContain(question);
      }
    }
  });
});

describe("lesson steps and challenges fit the code they point at", () => {
  for (const lesson of lessons) {
    it(`${lesson.file}: every step highlights a line of ${lesson.program}'s source`, () => {
      const lines = lesson.source.code.split("\n");
      for (const [index, step] of lesson.steps.entries()) {
        // The loader resolves a highlight to the first line containing its text, and fails when none does.
        expect(step.highlight, `${lesson.file} step ${index + 1} highlights a line`).toBeDefined();
        expect(lines[step.highlight! - 1]?.trim(), `${lesson.file} step ${index + 1}`).not.toBe("");
      }
    });

    it(`${lesson.file}: ends with questions and at least one challenge that has a check`, () => {
      expect(lesson.questions.length).toBeGreaterThan(0);
      expect(lesson.challenges.length).toBeGreaterThan(0);
      for (const challenge of lesson.challenges) expect(Object.keys(challengeChecks)).toContain(challenge.id);
    });
  }

  it("the chat lesson ends with the tutorial's homework steps", () => {
    const chat = lessons.find((lesson) => lesson.slug === "chat")!;
    const headings = chat.steps.map((step) => step.title);
    const homework = headings.filter((heading) => heading.startsWith("Homework"));
    expect(homework.map((heading) => heading.toLowerCase()).join(" | ")).toMatch(/echo.*nicknames.*comes and goes.*typing.*online/);
    expect(headings.slice(-homework.length)).toEqual(homework);
  });

  it("the namespaces lesson names the admin token the program checks", () => {
    const namespaces = lessons.find((lesson) => lesson.slug === "namespaces")!;
    const token = /auth\.token === "([^"]+)"/.exec(namespaces.source.code)![1];
    expect(namespaces.steps.map((step) => step.markdown).join("\n")).toContain(token);
    expect(namespaces.steps.some((step) => step.clients.some((client) => client.auth === token))).toBe(true);
  });
});
