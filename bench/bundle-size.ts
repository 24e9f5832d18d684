/** First-load JavaScript of the built page, gzipped, against the lazily loaded terminal chunk. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface BundleSizes {
  /** Scripts and module preloads `index.html` names, gzipped (level 9), in bytes. */
  firstLoadJsGzip: number;
  firstLoadFiles: string[];
  /** The xterm terminal chunk, fetched only when the console opens. */
  terminalJsGzip: number;
  terminalFiles: string[];
  /** True when index.html neither loads nor preloads the terminal chunk. */
  terminalLazy: boolean;
}

const gzipped = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/**
 * Reads `dist/index.html` and `dist/assets`.
 *
 * @example
 * bundleSizes("dist").firstLoadJsGzip; // 118000
 */
export function bundleSizes(distDir: string): BundleSizes {
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) throw new Error(`No ${indexFile}: build the page first (npm run build).`);
  const html = readFileSync(indexFile, "utf8");
  const firstLoadFiles = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/?([^"]+\.js)"/g)].map((match) => match[1]);
  const terminalFiles = readdirSync(join(distDir, "assets")).filter((name) => /terminal.*\.js$/.test(name)).map((name) => `assets/${name}`);
  return {
    firstLoadJsGzip: firstLoadFiles.reduce((sum, file) => sum + gzipped(join(distDir, file)), 0),
    firstLoadFiles,
    terminalJsGzip: terminalFiles.reduce((sum, file) => sum + gzipped(join(distDir, file)), 0),
    terminalFiles,
    terminalLazy: terminalFiles.length > 0 && terminalFiles.every((file) => !html.includes(file)),
  };
}
