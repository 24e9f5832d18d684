/** Serves `@socket.io/admin-ui`'s own built UI under `/admin-ui/`, from the installed package: no CDN, no internet. */
import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, relative, sep } from "node:path";
import { sendJson } from "../http/json-answers.ts";
import { adminUiUrl } from "./admin-access.ts";

const require = createRequire(import.meta.url);
const uiDir = join(dirname(require.resolve("@socket.io/admin-ui/package.json")), "ui", "dist");
const iconsDir = dirname(require.resolve("@mdi/font/package.json"));
const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".eot": "application/vnd.ms-fontobject",
};

/**
 * The UI's page as the package ships it, except its two stylesheets from CDNs: the Roboto font (the UI falls back
 * to the system's sans-serif) and the Material Design icons, which come from the `@mdi/font` package instead.
 */
function page(): Buffer {
  const html = readFileSync(join(uiDir, "index.html"), "utf8")
    .replace(/<link rel="stylesheet" href="https:\/\/fonts\.googleapis\.com[^>]*>/, "")
    .replace(/<link rel="stylesheet" href="https:\/\/cdn\.jsdelivr\.net\/npm\/@mdi\/font@latest\/css\/materialdesignicons\.min\.css">/, '<link rel="stylesheet" href="mdi/css/materialdesignicons.min.css">');
  if (html.includes("https://")) throw new Error("@socket.io/admin-ui's index.html still loads something from the internet: update server/admin/admin-ui-files.ts");
  return Buffer.from(html);
}

/** Every file the UI may ask for, by its path under `/admin-ui/`: a fixed list, so no request can name another file. */
function fileTable(): Map<string, () => Buffer> {
  const table = new Map<string, () => Buffer>();
  const add = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !(extname(entry.name) in types)) continue;
      const file = join(entry.parentPath, entry.name);
      let kept: Buffer | undefined;
      // Read once when first asked for; source maps (most of the bytes) are read each time instead of kept.
      const read = extname(file) === ".map" ? () => readFileSync(file) : () => (kept ??= readFileSync(file));
      table.set(prefix + relative(dir, file).split(sep).join("/"), read);
    }
  };
  add(uiDir, "");
  add(join(iconsDir, "css"), "mdi/css/");
  add(join(iconsDir, "fonts"), "mdi/fonts/");
  const html = page();
  table.set("", () => html);
  table.set("index.html", () => html);
  return table;
}

let files: Map<string, () => Buffer> | undefined;

/** True for the paths this module answers: `/admin-ui` and everything under it. */
export function isAdminUiPath(path: string): boolean {
  return path === adminUiUrl.slice(0, -1) || path.startsWith(adminUiUrl);
}

/**
 * Answers a request under `/admin-ui/` with the UI's file, a redirect to the folder, or a JSON 404/405.
 *
 * @example
 * if (isAdminUiPath(path)) return serveAdminUi(req, res);
 */
export function serveAdminUi(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?", 1)[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    return sendJson(res, 405, { error: "The Admin UI's files are read with GET." }, { allow: "GET, HEAD" });
  }
  if (path === adminUiUrl.slice(0, -1)) {
    res.writeHead(308, { location: adminUiUrl, "cache-control": "no-store" });
    return void res.end();
  }
  files ??= fileTable();
  const name = path.slice(adminUiUrl.length);
  const read = files.get(name);
  if (!read) return sendJson(res, 404, { error: `The Admin UI has no file ${JSON.stringify(name.slice(0, 80))}: open it with the Open Admin UI button.` });
  const body = read();
  res.writeHead(200, {
    "content-type": types[extname(name) || ".html"],
    "content-length": body.length,
    // The UI's page is looked at each time; its files carry content hashes (the icons a version query).
    "cache-control": name === "" || name === "index.html" ? "no-cache" : "public, max-age=86400",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
