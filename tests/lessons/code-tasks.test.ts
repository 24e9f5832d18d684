/** Each lesson's code task on the real server running the learner's code: the model answer passes, the starting code and plausible wrong answers fail. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket as ClientSocket } from "socket.io-client";
import type { CompiledLesson, CompiledStep } from "../../contract/lesson-types.ts";
import type { SandboxState } from "../../contract/protocol.ts";
import { codeTaskChecks, type TaskClient, type TaskTrace } from "../../contract/code-tasks.ts";
import { editRegion, regionOf, type RegionEdit } from "../../contract/editable-region.ts";
import { NetworkLink } from "../../playground/src/live/network-link.ts";
import { connectOwner, connection, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live, type Owner } from "../support/live.ts";
import { lessons } from "./compiled-lessons.ts";

let live: Live;
let compiled: CompiledLesson[];

beforeAll(async () => {
  live = await startLive();
  compiled = await lessons();
});

afterAll(() => live?.close());

/** A connected (or refused) participant, named like the page's cards. */
interface Participant {
  socket: ClientSocket;
  view: TaskClient;
}

/** The step of `slug` that has the task `id`. */
function taskStep(slug: string, id: string): { lesson: CompiledLesson; step: CompiledStep } {
  const lesson = compiled.find((candidate) => candidate.slug === slug)!;
  const step = lesson.steps.find((candidate) => candidate.task?.id === id);
  if (!step) throw new Error(`no step of ${slug} has the task ${id}`);
  return { lesson, step };
}

/** The step's starting region with `edits` applied (a learner's attempt). */
function attempt(lesson: CompiledLesson, step: CompiledStep, edits: RegionEdit[]): string {
  const start = step.task!.start ?? regionOf(lesson.source.code, lesson.source.editable);
  const result = editRegion(start, edits);
  if (!("region" in result)) throw new Error(`attempt does not fit the starting code: ${result.problem}`);
  return result.region;
}

/** A fresh sandbox on the lesson's program, running `code`, with the step's clients connected as A, B, C… */
async function runAttempt(lesson: CompiledLesson, step: CompiledStep, code: string): Promise<{ owner: Owner; run: number; clients: Participant[] }> {
  const ticket = await createSandbox(live.url);
  const owner = await connectOwner(live.url, ticket);
  const switched = await owner.emitWithAck("settings", {
    program: lesson.program,
    ...(step.setup.broadcast === undefined ? {} : { broadcast: step.setup.broadcast }),
    ...(step.setup.recovery === undefined ? {} : { recovery: step.setup.recovery }),
  });
  expect(switched.ok).toBe(true);
  const ran = await owner.timeout(10_000).emitWithAck("code", { code });
  if (!ran.ok) throw new Error(`the server refused the code: ${ran.error} (line ${ran.line})`);
  const { run } = ran.data as SandboxState;
  const clients: Participant[] = [];
  for (const [index, setup] of step.setup.clients.entries()) {
    const name = String.fromCharCode(65 + index);
    const nsp = setup.namespace ?? "/";
    const socket = joinSandbox(live.url, ticket, { as: name, namespace: nsp, ...(setup.auth ? { auth: { token: setup.auth } } : {}) });
    const view: TaskClient = { name, nsp, auth: setup.auth ?? "" };
    const refusal = await connection(socket);
    if (refusal) view.refused = refusal.message;
    for (const room of setup.rooms ?? []) await socket.timeout(4000).emitWithAck("join", room);
    clients.push({ socket, view });
  }
  return { owner, run, clients };
}

/** The trace of the run, as the page gives it to the check, once A's action reached the server and what followed landed. */
async function traceOf(owner: Owner, run: number, clients: Participant[], acted: boolean): Promise<TaskTrace> {
  if (acted) await waitFor(() => owner.feed.some((entry) => entry.run === run && entry.kind === "event" && entry.client === "A"), "A's event in the feed", 10_000);
  await settle();
  return {
    deliveries: owner.trace.filter((delivery) => delivery.run === run),
    feed: owner.feed.filter((entry) => entry.run === run),
    sockets: owner.sockets,
    clients: clients.map((client) => client.view),
  };
}

interface TaskCase {
  slug: string;
  id: string;
  /** What the learner does once the code runs and the clients are in. */
  act: (clients: Participant[], owner: Owner) => Promise<void>;
  /** Plausible wrong answers, as edits to the starting code. */
  wrong: Record<string, RegionEdit[]>;
}

const sendFromA = async (clients: Participant[]) => {
  clients[0].socket.emit("chat message", "hi");
};

const cases: TaskCase[] = [
  {
    slug: "chat",
    id: "chat-no-echo",
    act: sendFromA,
    wrong: {
      "answers the sender only (socket.emit)": [{ replace: 'io.emit("chat message", msg);', with: 'socket.emit("chat message", msg);' }],
      "broadcasts but also echoes to the sender": [
        { replace: 'io.emit("chat message", msg);', with: 'socket.broadcast.emit("chat message", msg);\nsocket.emit("chat message", msg);' },
      ],
      "sends to the sender's own room (nobody)": [{ replace: 'io.emit("chat message", msg);', with: 'socket.to(socket.id).emit("chat message", msg);' }],
    },
  },
  {
    slug: "broadcast",
    id: "broadcast-but-sender",
    act: sendFromA,
    wrong: {
      "answers the sender only (socket.emit)": [{ replace: 'io.emit("chat message", msg);', with: 'socket.emit("chat message", msg);' }],
      "broadcasts a different message": [{ replace: 'io.emit("chat message", msg);', with: 'socket.broadcast.emit("chat message", "someone said something");' }],
    },
  },
  {
    slug: "rooms",
    id: "rooms-announce-leave",
    act: async (clients) => {
      await clients[0].socket.timeout(4000).emitWithAck("leave", "lobby");
    },
    wrong: {
      "tells everyone (io.emit)": [{ replace: "socket.leave(room);", with: 'socket.leave(room);\nio.emit("user left", socket.id);' }],
      "tells everyone but the sender (socket.broadcast)": [{ replace: "socket.leave(room);", with: 'socket.leave(room);\nsocket.broadcast.emit("user left", socket.id);' }],
      "tells the room before leaving, with io.to (the sender hears it too)": [
        { replace: "socket.leave(room);", with: 'io.to(room).emit("user left", socket.id);\nsocket.leave(room);' },
      ],
    },
  },
  {
    slug: "namespaces",
    id: "tenant-guard-greeting",
    act: async () => {},
    wrong: {
      "greets without a middleware": [
        {
          replace: 'console.log("a user connected to " + tenant.name);',
          with: 'socket.emit("welcome", "hello " + socket.handshake.auth.token + ", welcome to " + tenant.name);',
        },
      ],
      "refuses everyone": [
        { replace: "const tenants = io.of(/^\\/tenant-[a-z]+$/);", with: 'const tenants = io.of(/^\\/tenant-[a-z]+$/);\ntenants.use((socket, next) => next(new Error("closed")));' },
      ],
      "guards, but greets the whole tenant": [
        {
          replace: "const tenants = io.of(/^\\/tenant-[a-z]+$/);",
          with: 'const tenants = io.of(/^\\/tenant-[a-z]+$/);\ntenants.use((socket, next) => (socket.handshake.auth.token ? next() : next(new Error("name?"))));',
        },
        {
          replace: 'console.log("a user connected to " + tenant.name);',
          with: 'tenant.emit("welcome", "hello " + socket.handshake.auth.token + ", welcome to " + tenant.name);',
        },
      ],
    },
  },
  {
    slug: "acknowledgements",
    id: "poll-results",
    act: async (clients) => {
      for (const client of clients) client.socket.on("question", (_question: string, answer: (text: string) => void) => answer(`yes from ${client.view.name}`));
      await clients[0].socket.timeout(5000).emitWithAck("poll", "pizza?");
    },
    wrong: {
      "sends the answers to the asker only (socket.emit)": [
        { replace: "      callback?.({ answers: responses, everyone: !err });", with: '      socket.emit("poll results", responses);\n      callback?.({ answers: responses, everyone: !err });' },
      ],
      "sends everyone the question instead of the answers": [
        { replace: "      callback?.({ answers: responses, everyone: !err });", with: '      io.emit("poll results", question);\n      callback?.({ answers: responses, everyone: !err });' },
      ],
    },
  },
  {
    slug: "recovery",
    id: "welcome-back",
    act: async (clients, owner) => {
      // A loses the network, the server drops it (ping timeout), A comes back and says so
      const a = clients[0].socket;
      a.io.reconnection(true);
      a.io.reconnectionDelay(200);
      const link = new NetworkLink(a.io);
      const id = a.id;
      link.goOffline();
      await waitFor(() => owner.feed.some((entry) => entry.kind === "disconnection" && entry.socketId === id), "the server to drop A", 10_000);
      const back = once(a, "connect", 10_000);
      link.goOnline();
      await back;
      a.emit("chat message", "back");
    },
    wrong: {
      "greets every connection": [
        { replace: "io.on(\"connection\", (socket) => {", with: 'io.on("connection", (socket) => {\n  socket.emit("welcome back", socket.id);' },
      ],
      "greets everyone when one comes back (io.emit)": [
        {
          replace: 'console.log(`${socket.id} recovered, in rooms: ${[...socket.rooms]}`);',
          with: 'console.log(`${socket.id} recovered, in rooms: ${[...socket.rooms]}`);\nio.emit("welcome back", socket.id);',
        },
      ],
    },
  },
];

describe.each(cases)("$slug: $id", ({ slug, id, act, wrong }) => {
  async function passes(code: string): Promise<boolean> {
    const { lesson, step } = taskStep(slug, id);
    const { owner, run, clients } = await runAttempt(lesson, step, code);
    await act(clients, owner);
    const trace = await traceOf(owner, run, clients, slug !== "namespaces");
    for (const client of clients) client.socket.disconnect();
    owner.disconnect();
    return codeTaskChecks[id](trace);
  }

  it("passes with the model answer (Solve)", async () => {
    const { step } = taskStep(slug, id);
    expect(await passes(step.task!.solution)).toBe(true);
  });

  it("fails with the starting code, run unchanged", async () => {
    const { lesson, step } = taskStep(slug, id);
    expect(await passes(attempt(lesson, step, []))).toBe(false);
  });

  it.each(Object.entries(wrong))("fails when the code %s", async (_what, edits) => {
    const { lesson, step } = taskStep(slug, id);
    expect(await passes(attempt(lesson, step, edits))).toBe(false);
  });
});
