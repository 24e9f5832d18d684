/**
 * `node --import ./bench/experiments/swap-modules.ts`: loads experimental versions of server modules in place of the real ones,
 * `SOURCE_LINE=callsites` (default), `none` or `as-is`, to measure line attribution's share of the overhead.
 */
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        if (result.url.endsWith("/server/sandbox/source-line.ts") && ${JSON.stringify(process.env.SOURCE_LINE !== "as-is")}) {
          return { ...result, url: new URL(${JSON.stringify(`./source-line-${process.env.SOURCE_LINE ?? "callsites"}.ts`)}, ${JSON.stringify(import.meta.url)}).href };
        }
        return result;
      }
    `),
);
