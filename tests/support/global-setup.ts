/** The page project's global setup: builds the page once per test run into a temporary folder, served by its tests. */
import type { TestProject } from "vitest/node";
import { buildPageOnce } from "../../scripts/build-page.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder this run built the page into (read it with `inject("distDir")`). */
    distDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const page = await buildPageOnce();
  project.provide("distDir", page.dir);
  return page.remove;
}
