/**
 * The folder rule of docs/architecture.md, enforced: every import specifier of every .ts and .svelte file outside
 * tests/ (static, `export … from`, dynamic `import()`, `import("…")` types, `require`) must point where its folder may.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseSvelte } from "svelte/compiler";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Which top-level folders each folder's code may import from (its own included). tests/ may import anything. */
export const allowed: Record<string, readonly string[]> = {
  contract: ["contract"],
  server: ["server", "contract"],
  playground: ["playground", "contract"],
  scripts: ["scripts", "server", "contract"],
  bench: ["bench", "server", "contract", "scripts"],
  "(root)": ["server", "scripts", "contract"], // vite.config.ts
};

/** Folders whose code runs in the browser: no Node built-ins. */
const browserSide = new Set(["contract", "playground"]);

/** Every module specifier in `text`, with the line it is on; `undefined` for a dynamic import of a computed name. */
export function specifiers(file: string, text: string): Array<{ specifier: string | undefined; line: number }> {
  if (extname(file) === ".svelte") return svelteSpecifiers(text);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ specifier: string | undefined; line: number }> = [];
  const add = (node: ts.Node, argument: ts.Node | undefined) =>
    found.push({
      specifier: argument && ts.isStringLiteralLike(argument) ? argument.text : undefined,
      line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
    });
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
      add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A .svelte file's specifiers, from Svelte's own parser: scripts and markup expressions alike. */
function svelteSpecifiers(text: string): Array<{ specifier: string | undefined; line: number }> {
  const found: Array<{ specifier: string | undefined; line: number }> = [];
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  const seen = new Set<object>();
  const walk = (node: unknown): void => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    const { type, source, argument, start } = node as { type?: string; source?: { value?: unknown }; argument?: unknown; start?: number };
    if (type === "ImportDeclaration" || type === "ExportNamedDeclaration" || type === "ExportAllDeclaration" || type === "ImportExpression") {
      if (source) found.push({ specifier: typeof source.value === "string" ? source.value : undefined, line: lineOf(start ?? 0) });
    }
    if (type === "TSImportType") {
      const literal = (argument as { literal?: { value?: unknown } } | undefined)?.literal ?? argument;
      found.push({ specifier: String((literal as { value?: unknown }).value), line: lineOf(start ?? 0) });
    }
    for (const value of Object.values(node)) walk(value);
  };
  walk(parseSvelte(text, { modern: true }));
  return found.sort((a, b) => a.line - b.line);
}

/** The top-level folder of a path relative to the project, "(root)" for files at the top. */
function folderOf(path: string): string {
  return path.includes(sep) || path.includes("/") ? path.split(/[\\/]/)[0] : "(root)";
}

/** What is wrong with the imports of one file (a path relative to the project), one line each. */
export function violations(file: string, text: string): string[] {
  const folder = folderOf(file);
  const rule = allowed[folder];
  if (!rule) return [];
  return specifiers(file, text).flatMap(({ specifier, line }) => {
    const at = `${file}:${line}`;
    if (specifier === undefined) return [`${at}: a dynamic import of a computed name cannot be checked; import a literal path`];
    if (specifier.startsWith("node:") && browserSide.has(folder)) return [`${at}: ${specifier} is Node's; ${folder}/ runs in the browser`];
    if (!specifier.startsWith(".")) return [];
    const target = relative(root, resolve(root, dirname(file), specifier));
    const targetFolder = folderOf(target);
    return rule.includes(targetFolder) ? [] : [`${at}: ${folder}/ may not import ${targetFolder}/ (${specifier})`];
  });
}

/** Every .ts and .svelte file under the folders the rule covers, and the ones at the top. */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return dir === "" && !Object.hasOwn(allowed, entry.name) ? [] : walk(path);
      return /\.(ts|svelte)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
    });
  return walk("");
}

describe("the folder rule (docs/architecture.md)", () => {
  it("holds for every file: contract/ imports nothing of ours, server/ and playground/ only contract/, bench/ no tests/", () => {
    const files = sourceFiles();
    expect(files.filter((file) => file.startsWith("playground/") && file.endsWith(".svelte")).length).toBeGreaterThan(10);
    expect(files.filter((file) => file.startsWith("server/")).length).toBeGreaterThan(10);
    expect(files.flatMap((file) => violations(file, readFileSync(join(root, file), "utf8")))).toEqual([]);
  });

  it("catches each kind of import that breaks it", () => {
    expect(violations("server/lessons/x.ts", 'import type { Foo } from "../../playground/src/foo.ts";')).toEqual([
      "server/lessons/x.ts:1: server/ may not import playground/ (../../playground/src/foo.ts)",
    ]);
    expect(violations("playground/src/x.ts", '\nconst app = await import("../../server/app.ts");')).toEqual([
      "playground/src/x.ts:2: playground/ may not import server/ (../../server/app.ts)",
    ]);
    expect(violations("contract/x.ts", 'export { a } from "../server/a.ts";\ntype B = typeof import("../tests/b.ts");\nimport "node:fs";')).toHaveLength(3);
    expect(violations("bench/x.ts", 'import { launchBrowser } from "../tests/support/browser.ts";')).toHaveLength(1);
    expect(violations("bench/x.ts", 'const m = await import(name);')).toEqual([
      "bench/x.ts:1: a dynamic import of a computed name cannot be checked; import a literal path",
    ]);
    const component = '<script lang="ts">\n  import type { X } from "../../../server/x.ts";\n</script>\n{#await import("../../../server/y.ts") then m}{m}{/await}\n';
    expect(violations("playground/src/shell/X.svelte", component)).toEqual([
      "playground/src/shell/X.svelte:2: playground/ may not import server/ (../../../server/x.ts)",
      "playground/src/shell/X.svelte:4: playground/ may not import server/ (../../../server/y.ts)",
    ]);
    expect(violations("tests/x.test.ts", 'import "../server/app.ts"; import "../playground/src/x.ts";')).toEqual([]);
    expect(violations("server/x.ts", 'import { Server } from "socket.io"; import "../contract/protocol.ts"; import "./y.ts";')).toEqual([]);
  });
});
