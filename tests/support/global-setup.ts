/**
 * The global setup of the projects that serve the built page: builds it once per test run into a temporary
 * folder, or uses the one `npm test` built for all its vitest processes (named in the environment).
 */
import type { TestProject } from "vitest/node";
import { buildPageOnce, builtPageVariable } from "../../scripts/build-page.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder this run built the page into (read it with `inject("distDir")`). */
    distDir: string;
  }
}

/** One build for every project of this vitest process that asks (the browser and page projects share it). */
const shared = globalThis as { socketPlaygroundPage?: ReturnType<typeof buildPageOnce> };

export default async function setup(project: TestProject): Promise<() => void> {
  const given = process.env[builtPageVariable];
  if (given) {
    project.provide("distDir", given);
    return () => {};
  }
  shared.socketPlaygroundPage ??= buildPageOnce();
  const page = await shared.socketPlaygroundPage;
  project.provide("distDir", page.dir);
  return page.remove;
}
