/** Reads a `node --cpu-prof` profile and prints where the time went: by function, and by file. */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time per function and per file, largest first, as shares of all samples.
 *
 * @example
 * summarize(JSON.parse(readFileSync("CPU.cpuprofile", "utf8")), 15);
 */
export function summarize(profile: CpuProfile, top = 20): { functions: [string, number][]; files: [string, number][]; inclusive: [string, number][] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...self.values()].reduce((sum, time) => sum + time, 0);
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, time] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*?\/(server|bench)\//, "$1/") || "(native)";
    const name = `${functionName || "(anonymous)"} ${file}${url ? `:${lineNumber + 1}` : ""}`;
    functions.set(name, (functions.get(name) ?? 0) + time);
    const group = file.startsWith("server/") || file.startsWith("bench/") || file.includes("/assets/") ? file : file.split("/").slice(0, 2).join("/");
    files.set(group, (files.get(group) ?? 0) + time);
  }
  // Inclusive time of the playground's own functions (server/**): the time spent in them and what they call.
  const inclusive = new Map<string, number>();
  for (const [id, time] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (!/\/server\//.test(url) || url.includes("node_modules")) continue;
      const name = `${functionName || "(anonymous)"} ${url.replace(/^.*\/server\//, "server/")}:${lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + time);
    }
  }
  const share = (entries: Map<string, number>): [string, number][] =>
    [...entries].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, time]) => [name, Math.round((1000 * time) / total) / 10]);
  return { functions: share(functions), files: share(files), inclusive: share(inclusive) };
}

if (process.argv[1]?.includes("cpu-profile-summary")) {
  const profile = JSON.parse(readFileSync(process.argv[2], "utf8")) as CpuProfile;
  const { functions, files, inclusive } = summarize(profile, Number(process.argv[3] ?? 25));
  console.log("self time by file or package (% of samples):");
  for (const [name, pct] of files) console.log(`  ${String(pct).padStart(5)} %  ${name}`);
  console.log("time inside the playground's own functions, callees included:");
  for (const [name, pct] of inclusive) console.log(`  ${String(pct).padStart(5)} %  ${name}`);
  console.log("self time by function:");
  for (const [name, pct] of functions) console.log(`  ${String(pct).padStart(5)} %  ${name}`);
}
