/** The benchmark's command-line flags: sizes with defaults that finish in about four minutes on two cores. */
import { parseArgs } from "node:util";

export const parts = ["fanout", "code", "density", "flood", "page"] as const;
export type Part = (typeof parts)[number];

export interface BenchFlags {
  only: Part[];
  clients: number;
  messages: number;
  rounds: number;
  sandboxes: number;
  perSandbox: number;
  rate: number;
  seconds: number;
  floodSandboxes: number;
  floodMessages: number;
  floodRate: number;
  pageClients: number;
  pageEvents: number;
  codeSandboxes: number;
  /** page: the built page to serve (default dist/, built when missing). */
  dist?: string;
}

const numbers = {
  clients: { default: 20, help: "fan-out: clients, each broadcast to the others" },
  messages: { default: 20_000, help: "fan-out: messages per round, over all clients" },
  rounds: { default: 3, help: "fan-out: measured rounds per server (alternating, after a warm-up)" },
  sandboxes: { default: 1000, help: "density: sandboxes (and plain servers)" },
  "per-sandbox": { default: 4, help: "density: clients per sandbox" },
  rate: { default: 1000, help: "density: messages per second over all sandboxes" },
  seconds: { default: 5, help: "density: seconds of steady load" },
  "flood-sandboxes": { default: 500, help: "flood: sandboxes flooded inside every limit" },
  "flood-messages": { default: 80, help: "flood: chat messages from each sandbox's client A" },
  "flood-rate": { default: 10, help: "flood: messages per second from each A (≤ 200, the rate limit)" },
  "page-clients": { default: 12, help: "page: simulated clients in Chromium" },
  "page-events": { default: 5000, help: "page: events spread across them" },
  "code-sandboxes": { default: 50, help: "code: sandboxes running learner code, for memory per engine" },
} as const;

export const usage = [
  "npm run bench -- [--only=fanout,code,density,flood,page] [--dist=folder] [--name=N …]",
  ...Object.entries(numbers).map(([name, { default: value, help }]) => `  --${name}=${value}`.padEnd(24) + help),
].join("\n");

/**
 * Reads the flags; an unknown flag or a bad number is an error that shows the usage.
 *
 * @example
 * readFlags(["--sandboxes=50", "--only=density"]).sandboxes; // 50
 */
export function readFlags(argv: string[]): BenchFlags {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { only: { type: "string" }, dist: { type: "string" }, help: { type: "boolean" }, ...Object.fromEntries(Object.keys(numbers).map((name) => [name, { type: "string" }])) },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const number = (name: keyof typeof numbers): number => {
    const raw = (values as Record<string, unknown>)[name] as string | undefined;
    if (raw === undefined) return numbers[name].default;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}=${raw} is not a whole number ≥ 1.\n${usage}`);
    return value;
  };
  const only = values.only === undefined ? [...parts] : String(values.only).split(",");
  const unknown = only.find((part) => !(parts as readonly string[]).includes(part));
  if (unknown) throw new Error(`--only takes ${parts.join(", ")}; not ${unknown}.\n${usage}`);
  return {
    only: only as Part[],
    clients: Math.max(2, number("clients")),
    messages: number("messages"),
    rounds: number("rounds"),
    sandboxes: number("sandboxes"),
    perSandbox: number("per-sandbox"),
    rate: number("rate"),
    seconds: number("seconds"),
    floodSandboxes: number("flood-sandboxes"),
    floodMessages: number("flood-messages"),
    floodRate: number("flood-rate"),
    pageClients: number("page-clients"),
    pageEvents: number("page-events"),
    codeSandboxes: number("code-sandboxes"),
    dist: values.dist === undefined ? undefined : String(values.dist),
  };
}
