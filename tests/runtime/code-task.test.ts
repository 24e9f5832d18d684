/**
 * A code task checked end to end on the server: learner code runs in a real sandbox, real clients act, and the
 * task's check reads the live trace. Chat: "don't echo a message to its sender". The model answer passes; two
 * plausible wrong answers fail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Delivery, SocketInfo } from "../../contract/protocol.ts";
import { challengeChecks } from "../../contract/challenge-checks.ts";
import { startLive, waitFor, type Live } from "../support/live.ts";
import { runCode } from "../support/run-code.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

/** The handler the task asks the learner to change, with `answer` as its emit. */
const withEmit = (answer: string) => `io.on("connection", (socket) => {
  socket.on("chat message", (msg) => {
    ${answer}
  });
});`;

/** The task's check: some delivery of A's "chat message" reached everyone but A (the broadcast switch stays off). */
const noEcho = (trace: Delivery[], sockets: SocketInfo[]) =>
  trace.some(
    (delivery) => delivery.trigger?.client === "A" && delivery.event === "chat message" && challengeChecks["everyone-but-sender"](delivery, { sockets, broadcast: false }),
  );

/** Runs an answer: A, B and C connect, A sends "hi", and the check reads what the server traced. */
async function attempt(answer: string): Promise<{ passed: boolean; trace: Delivery[] }> {
  const run = await runCode(live, withEmit(answer), { clients: ["A", "B", "C"] });
  expect(run.answer.ok, answer).toBe(true);
  await waitFor(() => run.sockets().length === 3, "the socket list");
  run.clients.A.emit("chat message", "hi");
  await waitFor(() => run.trace().some((delivery) => delivery.event === "chat message"), "a delivery of the message");
  return { passed: noEcho(run.trace(), run.sockets()), trace: run.trace() };
}

describe("code task: chat, don't echo to the sender", () => {
  it("passes the model answer, socket.broadcast.emit", async () => {
    const { passed, trace } = await attempt('socket.broadcast.emit("chat message", msg);');
    expect(passed).toBe(true);
    expect(trace[0].reached.map((recipient) => recipient.client).sort()).toEqual(["B", "C"]);
  });

  it("passes an equivalent answer, io.except(socket.id).emit", async () => {
    expect((await attempt('io.except(socket.id).emit("chat message", msg);')).passed).toBe(true);
  });

  it("fails io.emit, which echoes the message to A", async () => {
    const { passed, trace } = await attempt('io.emit("chat message", msg);');
    expect(passed).toBe(false);
    expect(trace[0].reached.map((recipient) => recipient.client)).toContain("A");
  });

  it("fails socket.emit, which answers only A", async () => {
    const { passed, trace } = await attempt('socket.emit("chat message", msg);');
    expect(passed).toBe(false);
    expect(trace[0].reached.map((recipient) => recipient.client)).toEqual(["A"]);
  });
});
