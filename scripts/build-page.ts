/** Builds the page with Vite, into `dist/` or a folder of the caller's (tests build into a fresh temporary one). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const configFile = fileURLToPath(new URL("../vite.config.ts", import.meta.url));

/** The environment variable naming a page already built for this test run (`npm test` builds once for all its vitest processes). */
export const builtPageVariable = "SOCKET_PLAYGROUND_TEST_PAGE";

/**
 * `vite build` of the page into `outDir` (absolute), emptied first.
 *
 * @example
 * await buildPage("/tmp/page");
 */
export async function buildPage(outDir: string): Promise<void> {
  const { build } = await import("vite");
  await build({ configFile, logLevel: "warn", build: { outDir, emptyOutDir: true } });
}

/**
 * Builds the page into a new temporary folder, so concurrent runs never serve each other's half-written files.
 *
 * @example
 * const page = await buildPageOnce();
 * try { … page.dir … } finally { page.remove(); }
 */
export async function buildPageOnce(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "socket-playground-page-"));
  try {
    await buildPage(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
