/** Chromium for browser tests: the launcher lives in scripts/, where the benchmark and the screenshot tool use it too. */
export { chromePath, launchBrowser } from "../../scripts/chromium.ts";
