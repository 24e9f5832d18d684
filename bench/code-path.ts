/**
 * The learner-code path: fan-out of the chat program run as learner code (QuickJS, bridged) against the same program
 * built in (native), in one server, alternating rounds; and the memory one QuickJS sandbox costs.
 */
import { programs } from "../server/programs/index.ts";
import { editableCode } from "../server/runtime/program-source.ts";
import { round1, type FanOutOptions } from "./fan-out.ts";
import { connectOwner, startPlaygroundServer, type Owner, type PlaygroundServer } from "./servers.ts";
import { median, round, settledMemory } from "./stats.ts";

export interface CodePathOptions extends FanOutOptions {
  /** Sandboxes running learner code for the memory figure. */
  sandboxes: number;
}

export interface CodePathResult extends CodePathOptions {
  /** Deliveries per second, median over rounds: the built-in chat program, and the same program as learner code. */
  builtInPerSecond: number;
  editedPerSecond: number;
  /** editedPerSecond / builtInPerSecond. */
  ratio: number;
  builtInRounds: number[];
  editedRounds: number[];
  memory: {
    /** Per sandbox running learner code, minus a sandbox running the built-in program: RSS, and JS heap + external. */
    rssPerEngine: number;
    heapPerEngine: number;
    /** QuickJS's own accounting per engine: its heap in use, and the WebAssembly memory reserved for it. */
    quickjsHeapPerEngine: number;
    wasmPerEngine: number;
  };
}

/** The chat lesson's own handlers, sent as learner code: the same program, through the engine and the bridge. */
const chatCode = editableCode(programs.chat.source);

async function sandboxes(server: PlaygroundServer, count: number, code: string | undefined): Promise<Array<{ owner: Owner; id: string }>> {
  const made: Array<{ owner: Owner; id: string }> = [];
  for (let index = 0; index < count; index++) {
    const ticket = await server.sandbox();
    const owner = await connectOwner(server.url, ticket, { feed: 0, trace: 0 });
    if (code !== undefined) {
      const answer = await owner.emitWithAck("code", { code });
      if (!answer.ok) throw new Error(`${answer.error} (${JSON.stringify(answer)})`);
    }
    made.push({ owner, id: ticket.id });
  }
  return made;
}

/** Memory of `count` sandboxes with learner code against `count` with the built-in program, per sandbox. */
async function memory(count: number): Promise<CodePathResult["memory"]> {
  const measure = async (code: string | undefined) => {
    const server = await startPlaygroundServer({ maxSandboxes: count + 1 });
    const base = await settledMemory();
    const made = await sandboxes(server, count, code);
    const used = await settledMemory();
    let quickjs = { heapBytes: 0, wasmBytes: 0 };
    for (const { id } of made) {
      const engine = await server.playground.registry.get(id)?.codeMemory();
      if (engine) quickjs = { heapBytes: quickjs.heapBytes + engine.heapBytes, wasmBytes: quickjs.wasmBytes + engine.wasmBytes };
    }
    for (const { owner } of made) owner.disconnect();
    await server.close();
    return { rss: (used.rss - base.rss) / count, heap: (used.heap - base.heap) / count, quickjs };
  };
  const builtIn = await measure(undefined);
  const edited = await measure(chatCode);
  return {
    rssPerEngine: Math.round(edited.rss - builtIn.rss),
    heapPerEngine: Math.round(edited.heap - builtIn.heap),
    quickjsHeapPerEngine: Math.round(edited.quickjs.heapBytes / count),
    wasmPerEngine: Math.round(edited.quickjs.wasmBytes / count),
  };
}

/**
 * Runs the learner-code comparison.
 *
 * @example
 * const result = await codePath({ clients: 20, messages: 20_000, rounds: 3, sandboxes: 50 });
 */
export async function codePath(options: CodePathOptions): Promise<CodePathResult> {
  // As the fan-out benchmark lifts the rate limit, this lifts the CPU budget of learner code: a flood is the point.
  const server = await startPlaygroundServer({ maxEventsPerSecond: 1e9, maxSocketsPerSandbox: options.clients + 1, codeCpuMs: 1e9 });
  const builtInTicket = await server.sandbox();
  const editedTicket = await server.sandbox();
  const owners = [await connectOwner(server.url, builtInTicket, { feed: 0, trace: 0 }), await connectOwner(server.url, editedTicket, { feed: 0, trace: 0 })];
  for (const owner of owners) {
    const settings = await owner.emitWithAck("settings", { broadcast: true });
    if (!settings.ok) throw new Error(settings.error);
  }
  const code = await owners[1].emitWithAck("code", { code: chatCode });
  if (!code.ok) throw new Error(code.error);
  const builtIn = server.target(builtInTicket);
  const edited = server.target(editedTicket);
  const builtInRounds: number[] = [];
  const editedRounds: number[] = [];
  try {
    await round1(builtIn, options); // warm-up: JIT (V8's and the WebAssembly's), buffers
    await round1(edited, options);
    for (let index = 0; index < options.rounds; index++) {
      const builtInFirst = index % 2 === 0;
      for (const which of builtInFirst ? ["built-in", "edited"] : ["edited", "built-in"]) {
        if (which === "built-in") builtInRounds.push((await round1(builtIn, options)).perSecond);
        else editedRounds.push((await round1(edited, options)).perSecond);
      }
    }
    const sandbox = server.playground.registry.get(editedTicket.id);
    if (!sandbox?.settings.edited || !(await sandbox.codeMemory())) throw new Error("The learner code stopped during the benchmark; its feed says why.");
  } finally {
    for (const owner of owners) owner.disconnect();
    await server.close();
  }
  const builtInPerSecond = median(builtInRounds);
  const editedPerSecond = median(editedRounds);
  return {
    ...options,
    builtInPerSecond: Math.round(builtInPerSecond),
    editedPerSecond: Math.round(editedPerSecond),
    ratio: round(editedPerSecond / builtInPerSecond, 3),
    builtInRounds: builtInRounds.map(Math.round),
    editedRounds: editedRounds.map(Math.round),
    memory: await memory(options.sandboxes),
  };
}
