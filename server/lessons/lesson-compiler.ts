/** Turns validated lessons into the page's `CompiledLesson`s: Markdown with markdown-it, code with shiki, all at build time. */
import markdownIt, { type MarkdownIt, type RendererRule } from "markdown-it";
import { createHighlighter, type Highlighter } from "shiki";
import type { CompiledLesson } from "../../contract/lesson-types.ts";
import type { LoadedLesson } from "./lesson-loader.ts";
import { isConsoleCommand } from "../../contract/console/lesson-commands.ts";

const themes = { light: "github-light-default", dark: "github-dark-default" } as const;
// No time limit per line: shiki's default (500 ms) gives up on a line of a busy machine and greys it out, so the
// same sources built differently (and failed the colour-contrast check) depending on the load.
const tokenizeTimeLimit = 0;
const languages = ["ts", "js", "json", "bash", "html"];

let highlighter: Promise<Highlighter> | undefined;

/** Passed to markdown-it's render: only a step's own text gets Run buttons (not hints, titles or answers). */
interface RenderEnv {
  runButtons?: boolean;
}

/** One shared shiki highlighter; creating it loads grammars, so it is made once per process. */
function getHighlighter(): Promise<Highlighter> {
  highlighter ??= createHighlighter({ themes: Object.values(themes), langs: languages });
  return highlighter;
}

/** Rendered inline HTML as plain text (for page titles and labels), so it reads exactly like the heading on screen. */
const plainText = (html: string): string =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Program source as one HTML string per line; each token carries `--shiki-light` / `--shiki-dark` colours. */
function highlightLines(shiki: Highlighter, code: string): string[] {
  const { tokens } = shiki.codeToTokens(code.replace(/\n$/, ""), { lang: "js", themes, defaultColor: false, tokenizeTimeLimit });
  return tokens.map((line) =>
    line
      .map((token) => {
        const style = Object.entries(token.htmlStyle ?? {}).map(([name, value]) => `${name}:${value}`).join(";");
        return `<span style="${style}">${escapeHtml(token.content)}</span>`;
      })
      .join(""),
  );
}

function markdownRenderer(shiki: Highlighter): MarkdownIt {
  const markdown = markdownIt({
    html: false,
    linkify: false,
    typographer: true,
    highlight: (code, lang) => {
      const known = languages.includes(lang) ? lang : lang === "typescript" ? "ts" : lang === "javascript" ? "js" : undefined;
      if (!known) return "";
      return shiki.codeToHtml(code.replace(/\n$/, ""), { lang: known, themes, defaultColor: false, tokenizeTimeLimit });
    },
  });
  // Links out of the playground open in a new tab, so the learner keeps their place.
  const renderToken: RendererRule = (tokens, index, options, _env, self) => self.renderToken(tokens, index, options);
  const defaultLinkOpen = markdown.renderer.rules.link_open ?? renderToken;
  markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const href = String(tokens[index].attrGet("href") ?? "");
    if (/^https?:/.test(href)) {
      tokens[index].attrSet("target", "_blank");
      tokens[index].attrSet("rel", "noopener");
    }
    return defaultLinkOpen(tokens, index, options, env, self);
  };
  // A server-console command in the text gets a Run button, so nobody copies 20-character ids by hand.
  const defaultCode = markdown.renderer.rules.code_inline ?? renderToken;
  markdown.renderer.rules.code_inline = (tokens, index, options, env, self) => {
    const code = defaultCode(tokens, index, options, env, self);
    const command = tokens[index].content;
    if (!(env as RenderEnv | undefined)?.runButtons || !isConsoleCommand(command)) return code;
    const attribute = escapeHtml(command);
    return `<span class="console-command">${code}<button type="button" class="run-command" data-command="${attribute}" aria-label="Run ${attribute}" title="Run in the server console">Run</button></span>`;
  };
  return markdown;
}

/**
 * Compiles loaded lessons for the page.
 *
 * @example
 * const compiled = await compileLessons(loadLessons(lessonsDir));
 */
export async function compileLessons(lessons: LoadedLesson[]): Promise<CompiledLesson[]> {
  const shiki = await getHighlighter();
  const markdown = markdownRenderer(shiki);
  const block = (text: string) => markdown.render(text);
  return lessons.map((lesson) => {
    const lines = highlightLines(shiki, lesson.source.code);
    return {
      slug: lesson.slug,
      order: lesson.order,
      title: lesson.title,
      summary: plainText(markdown.renderInline(lesson.summary)),
      summaryHtml: markdown.renderInline(lesson.summary),
      ...(lesson.part === undefined ? {} : { part: lesson.part }),
      panel: lesson.panel,
      program: lesson.program,
      event: lesson.event,
      ...(lesson.broadcast === undefined ? {} : { broadcast: lesson.broadcast }),
      namespaces: lesson.namespaces,
      events: lesson.events,
      introHtml: lesson.intro ? block(lesson.intro) : "",
      steps: lesson.steps.map((step) => ({
        title: plainText(markdown.renderInline(step.title)),
        titleHtml: markdown.renderInline(step.title),
        html: markdown.render(step.markdown, { runButtons: true } satisfies RenderEnv),
        commands: step.commands,
        setup: {
          clients: step.clients,
          ...(step.broadcast === undefined ? {} : { broadcast: step.broadcast }),
          ...(step.recovery === undefined ? {} : { recovery: step.recovery }),
          ...(step.network === undefined ? {} : { network: step.network }),
          ...(step.adapter === undefined ? {} : { adapter: step.adapter }),
          ...(step.sticky === undefined ? {} : { sticky: step.sticky }),
          ...(step.unique === undefined ? {} : { unique: step.unique }),
          ...(step.delivery === undefined ? {} : { delivery: step.delivery }),
          ...(step.highlight === undefined ? {} : { highlight: step.highlight }),
        },
        ...(step.task
          ? {
              task: {
                id: step.task.id,
                title: plainText(markdown.renderInline(step.task.title)),
                titleHtml: markdown.renderInline(step.task.title),
                hintHtml: block(step.task.hint),
                ...(step.task.start === undefined ? {} : { start: step.task.start }),
                solution: step.task.solution,
              },
            }
          : {}),
      })),
      questions: lesson.questions.map((question) => ({
        question: plainText(markdown.renderInline(question.question)),
        questionHtml: markdown.renderInline(question.question),
        answerHtml: block(question.answer),
      })),
      challenges: lesson.challenges.map((challenge) => ({
        id: challenge.id,
        step: challenge.step,
        title: plainText(markdown.renderInline(challenge.title)),
        titleHtml: markdown.renderInline(challenge.title),
        hintHtml: block(challenge.hint),
      })),
      source: {
        path: lesson.source.path,
        code: lesson.source.code,
        html: `<pre class="shiki"><code>${lines.map((line) => `<span class="line">${line}</span>`).join("\n")}</code></pre>`,
        lines,
        editable: lesson.source.editable,
      },
    };
  });
}
