/** The console's command tree, and its canonical text: double quotes, `, ` between arguments. */
import type { StepName } from "./console-grammar.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ChainStep =
  | { name: "of" | "to" | "in" | "except" | "join" | "leave" | "socketsJoin" | "socketsLeave"; arg: string }
  | { name: "sockets" | "broadcast" | "volatile" | "local" | "rooms" | "id" }
  | { name: "compress"; on: boolean }
  | { name: "disconnect" | "fetchSockets" | "disconnectSockets" }
  | { name: "timeout"; ms: number }
  | { name: "emit"; event: string; args: JsonValue[] };

export type ChainTarget = { kind: "io" } | { kind: "socket"; name: string };

export type ConsoleCommand =
  | { kind: "help" }
  | { kind: "clear" }
  | { kind: "clients" }
  | { kind: "chain"; target: ChainTarget; steps: ChainStep[] };

/**
 * Writes a command back as canonical text; parsing the result gives the same command.
 *
 * @example
 * printCommand({ kind: "chain", target: { kind: "io" }, steps: [{ name: "to", arg: "lobby" }, { name: "emit", event: "news", args: [1] }] });
 * // 'io.to("lobby").emit("news", 1)'
 */
export function printCommand(command: ConsoleCommand): string {
  if (command.kind !== "chain") return command.kind;
  return printChain(command.target, command.steps);
}

/**
 * A target and its steps as text.
 *
 * @example
 * printChain({ kind: "socket", name: "A" }, [{ name: "broadcast" }]); // 'socket("A").broadcast'
 */
export function printChain(target: ChainTarget, steps: readonly ChainStep[]): string {
  const head = target.kind === "io" ? "io" : `socket(${JSON.stringify(target.name)})`;
  return head + steps.map(printStep).join("");
}

function printStep(step: ChainStep): string {
  const name: StepName = step.name;
  if ("arg" in step) return `.${name}(${JSON.stringify(step.arg)})`;
  if ("ms" in step) return `.${name}(${step.ms})`;
  if ("on" in step) return `.${name}(${step.on})`;
  if ("event" in step) return `.${name}(${[step.event, ...step.args].map((value) => JSON.stringify(value)).join(", ")})`;
  if (name === "disconnect" || name === "fetchSockets" || name === "disconnectSockets") return `.${name}()`;
  return `.${name}`;
}
