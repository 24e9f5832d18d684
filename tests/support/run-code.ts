/** Runs learner code in a real sandbox, end to end: the owner sends it, real clients act, the trace comes back. */
import type { Socket as ClientSocket } from "socket.io-client";
import type { AckResult, Delivery, FeedEntry, ProgramName, SandboxState, SandboxTicket, SocketInfo } from "../../contract/protocol.ts";
import { connectOwner, createSandbox, joinSandbox, once, settle, type Live, type Owner } from "./live.ts";

export interface CodeRunOptions {
  /** The lesson program whose editable region `code` replaces; default "chat". */
  program?: ProgramName;
  /** Simulated clients to connect once the code runs, by name, with their namespace and auth. */
  clients?: Array<string | { name: string; namespace?: string; auth?: Record<string, unknown> }>;
}

export interface CodeRun {
  ticket: SandboxTicket;
  owner: Owner;
  /** What the control channel answered to `code`. */
  answer: AckResult<SandboxState>;
  /** The connected clients, by name (those refused by a middleware are absent; see `refused`). */
  clients: Record<string, ClientSocket>;
  /** `connect_error` messages of clients a middleware refused, by name. */
  refused: Record<string, string>;
  /** Deliveries and console lines of the run the code started (earlier runs left out). */
  trace(): Delivery[];
  feed(): FeedEntry[];
  sockets(): SocketInfo[];
}

/**
 * Starts a sandbox running `code` in place of a lesson program's editable region and connects clients to it.
 * When the code is refused (a syntax error), `answer` says why and no client connects.
 *
 * @example
 * const run = await runCode(live, 'io.on("connection", (socket) => socket.emit("hi"));', { clients: ["A"] });
 * await once(run.clients.A, "hi");
 */
export async function runCode(live: Live, code: string | null, options: CodeRunOptions = {}): Promise<CodeRun> {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  if (options.program && options.program !== "chat") {
    const switched = await owner.emitWithAck("settings", { program: options.program });
    if (!switched.ok) throw new Error(switched.error);
  }
  const answer = await owner.timeout(10_000).emitWithAck("code", { code });
  const run = answer.ok ? answer.data.run : -1;
  const clients: Record<string, ClientSocket> = {};
  const refused: Record<string, string> = {};
  if (answer.ok) {
    for (const entry of options.clients ?? []) {
      const { name, namespace, auth } = typeof entry === "string" ? { name: entry, namespace: undefined, auth: undefined } : entry;
      const client = joinSandbox(live.url, ticket, { as: name, namespace, auth });
      const outcome = await Promise.race([
        once(client, "connect").then(() => undefined),
        once(client, "connect_error").then(([error]) => (error as Error).message),
      ]);
      if (outcome === undefined) clients[name] = client;
      else refused[name] = outcome;
    }
    await settle();
  }
  return {
    ticket,
    owner,
    answer,
    clients,
    refused,
    trace: () => owner.trace.filter((delivery) => delivery.run === run),
    feed: () => owner.feed.filter((entry) => entry.run === run),
    sockets: () => owner.sockets,
  };
}
