/** `npm run bench`: fan-out overhead, the learner-code path, sandbox density, the page under load; a table, then one JSON line. */
import { cpus, totalmem } from "node:os";
import { codePath, type CodePathResult } from "./code-path.ts";
import { density, type DensityResult } from "./density.ts";
import { fanOut, type FanOutResult } from "./fan-out.ts";
import { flooded, type FloodResult } from "./flooded.ts";
import { readFlags } from "./flags.ts";
import { pageUnderLoad, type PageResult } from "./page-load.ts";
import { printTable } from "./table.ts";

const flags = readFlags(process.argv.slice(2));
const started = Date.now();
const results: { fanOut?: FanOutResult; code?: CodePathResult; density?: DensityResult; flood?: FloodResult; page?: PageResult } = {};

if (flags.only.includes("fanout")) {
  console.error(`fan-out: ${flags.clients} clients, ${flags.messages} messages, ${flags.rounds} rounds each…`);
  results.fanOut = await fanOut({ clients: flags.clients, messages: flags.messages, rounds: flags.rounds });
}
if (flags.only.includes("code")) {
  console.error(`code: the chat program built in vs as learner code, ${flags.clients} clients, ${flags.messages} messages; memory of ${flags.codeSandboxes} engines…`);
  results.code = await codePath({ clients: flags.clients, messages: flags.messages, rounds: flags.rounds, sandboxes: flags.codeSandboxes });
}
if (flags.only.includes("density")) {
  console.error(`density: ${flags.sandboxes} sandboxes × ${flags.perSandbox} clients, ${flags.rate} msg/s for ${flags.seconds} s…`);
  results.density = await density({ sandboxes: flags.sandboxes, clientsPerSandbox: flags.perSandbox, rate: flags.rate, seconds: flags.seconds });
}
if (flags.only.includes("flood")) {
  console.error(`flood: ${flags.floodSandboxes} sandboxes, ${flags.floodMessages} messages each from client A, ${flags.floodRate}/s…`);
  results.flood = await flooded({ sandboxes: flags.floodSandboxes, messages: flags.floodMessages, perSecond: flags.floodRate });
}
if (flags.only.includes("page")) {
  console.error(`page: ${flags.pageClients} clients, ${flags.pageEvents} events in Chromium…`);
  results.page = await pageUnderLoad({ clients: flags.pageClients, events: flags.pageEvents, distDir: flags.dist });
}

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
printTable(results);
console.log(JSON.stringify({ machine, flags, seconds: Math.round((Date.now() - started) / 100) / 10, ...results }));
process.exit(0); // the load client and Chromium are closed; leftover keep-alive handles must not hold the process
