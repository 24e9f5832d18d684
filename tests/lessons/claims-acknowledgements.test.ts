/** Every claim of lessons/05-acknowledgements.md, shown on a real sandbox running the acknowledgements program, with real clients. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket as ClientSocket } from "socket.io-client";
import { editRegion, regionOf } from "../../contract/editable-region.ts";
import { programs } from "../../server/programs/index.ts";
import { runCode } from "../support/run-code.ts";
import { gotEvents, once, sandboxWith, settle, startLive, waitFor, type Live, type RecordingClient, type SandboxBox } from "../support/live.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

type Answering = "now" | "never" | number;

/** A simulated client that answers the server's `question` as a card would: `yes from <name>`, at once, late, or never. */
async function card(box: SandboxBox, name: string, answering: Answering = "now"): Promise<RecordingClient & { answering: Answering }> {
  const client = Object.assign(box.open({ as: name }), { answering });
  client.on("question", (_question: string, callback: (answer: string) => void) => {
    if (client.answering === "never") return;
    if (client.answering === "now") callback(`yes from ${name}`);
    else setTimeout(() => callback(`yes from ${name}`), client.answering);
  });
  await once(client, "connect");
  return client;
}

/** Socket.IO ACK packets (`3…`) a client received, from its engine. */
function acksReceived(client: ClientSocket): string[] {
  const acks: string[] = [];
  client.io.engine.on("packet", (packet: { type: string; data?: unknown }) => {
    if (packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith("3")) acks.push(packet.data);
  });
  return acks;
}

const { text: code, editable } = programs.acknowledgements.source;
const region = regionOf(code, editable);
/** The program's editable region with one edit, as a learner would make it in the editor. */
function edited(replace: string, by: string): string {
  const result = editRegion(region, [{ replace, with: by }]);
  if (!("region" in result)) throw new Error(result.problem);
  return result.region;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("lesson 5: acknowledgements", () => {
  it("step 1: the handler's callback answers the client that passed it, and only that one; B gets the chat message but no ack", async () => {
    const box = await sandboxWith("acknowledgements");
    const [a, b] = [await card(box, "A"), await card(box, "B")];
    const [aAcks, bAcks] = [acksReceived(a), acksReceived(b)];
    const answer = await a.timeout(3000).emitWithAck("chat message", "hello");
    expect(answer).toEqual({ status: "ok" });
    await once(b, "chat message").catch(() => undefined);
    await settle();
    expect(gotEvents(b, "chat message")).toEqual([["hello"]]);
    expect(gotEvents(a, "chat message")).toEqual([]); // socket.broadcast.emit
    expect(aAcks).toEqual(['30[{"status":"ok"}]']); // after the engine's 4: a Socket.IO ack (3) for A's emit number 0
    expect(bAcks).toEqual([]);
    expect(box.logs).toContain("message: hello");
  });

  it("step 2: without the callback line, the client's timeout(ms) callback gets `operation has timed out` and no response; the message still goes out", async () => {
    const run = await runCode(live, edited('    callback?.({ status: "ok" }); // ?. because a client may send without a callback\n', ""), {
      program: "acknowledgements",
      clients: ["A", "B"],
    });
    expect(run.answer.ok).toBe(true);
    const { A: a, B: b } = run.clients;
    const got = once(b, "chat message");
    const answer = await new Promise<unknown[]>((resolve) => a.timeout(500).emit("chat message", "hello", (...args: unknown[]) => resolve(args)));
    expect(answer).toHaveLength(1);
    expect((answer[0] as Error).message).toBe("operation has timed out");
    expect(await got).toEqual(["hello"]);
    expect(run.feed().map((entry) => entry.text)).toContain("message: hello");
  });

  it("step 2: an answer that arrives after the client's timeout is ignored: the callback runs once, with the error", async () => {
    const run = await runCode(live, edited('    callback?.({ status: "ok" });', '    setTimeout(() => callback?.({ status: "ok" }), 600);'), {
      program: "acknowledgements",
      clients: ["A"],
    });
    const calls: unknown[][] = [];
    const a = run.clients.A;
    const acks = acksReceived(a);
    a.timeout(300).emit("chat message", "slow", (...args: unknown[]) => calls.push(args));
    await waitFor(() => acks.length === 1, "the late ack frame reaching A");
    await sleep(50);
    expect(calls).toHaveLength(1);
    expect((calls[0][0] as Error).message).toBe("operation has timed out");
  });

  it("step 3: each newcomer is asked `ready?` with emitWithAck; its answer is logged; the listener's last argument is the callback", async () => {
    const box = await sandboxWith("acknowledgements");
    const a = await card(box, "A");
    await waitFor(() => box.logs.includes("ready? answered: yes from A"), "A's answer in the console");
    const [question] = gotEvents(a, "question");
    expect(question[0]).toBe("ready?");
    expect(typeof question.at(-1)).toBe("function");
  });

  it("step 3: the console's socket(\"B\").timeout(2000).emit prints who was asked and B's answer", async () => {
    const box = await sandboxWith("acknowledgements");
    await card(box, "A");
    await card(box, "B");
    const reply = await box.command('socket("B").timeout(2000).emit("question", "still there?")');
    expect(reply).toMatchObject({ ok: true, data: { lines: [{ text: "→ B" }, { text: 'B answered: "yes from B"' }] } });
  });

  it("step 3: without timeout, emitWithAck has no limit: it still waits after 2 s of silence, and after the client disconnected", async () => {
    const box = await sandboxWith("acknowledgements");
    const a = await card(box, "A", "never");
    const socket = box.io.of("/").sockets.get(a.id!)!;
    let settled = false;
    void socket.emitWithAck("question", "anyone?").then(
      () => (settled = true),
      () => (settled = true),
    );
    await sleep(2100);
    expect(settled).toBe(false);
    a.disconnect();
    await sleep(200);
    expect(settled).toBe(false);
  });

  it("step 4: a card that never answers: the console reports it after 2 s, and the program's emitWithAck rejects with `operation has timed out`", async () => {
    const box = await sandboxWith("acknowledgements");
    await card(box, "A");
    const b = await card(box, "B", "never");
    const reply = await box.command('socket("B").timeout(2000).emit("question", "still there?")');
    expect(reply).toMatchObject({ ok: true, data: { lines: [{ text: "→ B" }, { text: "B did not answer within 2000 ms." }] } });
    expect(gotEvents(b, "question").map((args) => args[0])).toContain("still there?");
    await waitFor(() => box.logs.includes("ready? got no answer: operation has timed out"), "the program's catch", 4000);
  });

  it("step 4: a late answer reaches the server after the timeout and is dropped: the callback does not run a second time", async () => {
    const box = await sandboxWith("acknowledgements");
    const b = await card(box, "B", 600);
    await waitFor(() => box.logs.includes("ready? answered: yes from B"), "B's late answer to ready?");
    const sent: string[] = [];
    b.io.engine.on("packetCreate", (packet: { type: string; data?: unknown }) => {
      if (packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith("3")) sent.push(packet.data);
    });
    const socket = box.io.of("/").sockets.get(b.id!)!;
    const calls: unknown[][] = [];
    socket.timeout(300).emit("question", "quick?", (...args: unknown[]) => calls.push(args));
    await waitFor(() => sent.length === 1, "B's late ack frame");
    await settle();
    await sleep(50);
    expect(calls).toHaveLength(1);
    expect((calls[0][0] as Error).message).toBe("operation has timed out");
  });

  it("step 5: a poll reaches everyone, A too; the callback runs once with one answer per client; A's send gets the answers as its ack", async () => {
    const box = await sandboxWith("acknowledgements");
    const clients = [await card(box, "A"), await card(box, "B"), await card(box, "C")];
    await waitFor(() => box.logs.filter((line) => line.startsWith("ready? answered")).length === 3, "the three ready? answers");
    const ack = (await clients[0].timeout(3000).emitWithAck("poll", "pizza?")) as { answers: string[]; everyone: boolean };
    expect(ack.everyone).toBe(true);
    expect([...ack.answers].sort()).toEqual(["yes from A", "yes from B", "yes from C"]);
    for (const client of clients) expect(gotEvents(client, "question").map((args) => args[0])).toContain("pizza?");
    const line = await waitFor(() => box.logs.find((text) => text.startsWith("everyone answered: ")), "the poll's log line");
    expect(line.slice("everyone answered: ".length).split(", ").sort()).toEqual(["yes from A", "yes from B", "yes from C"]);
  });

  it("step 5: responses come in the order the answers arrived; io.timeout().emitWithAck resolves with the list", async () => {
    const box = await sandboxWith("acknowledgements");
    await card(box, "A", 300);
    await card(box, "B");
    const responses = await new Promise<unknown[]>((resolve) => box.io.timeout(2000).emit("question", "order?", (_err: Error | null, answers: unknown[]) => resolve(answers)));
    expect(responses).toEqual(["yes from B", "yes from A"]);
    expect(await box.io.timeout(2000).emitWithAck("question", "promise?")).toHaveLength(2);
  });

  it("step 5: without timeout, a broadcast waits zero ms: the callback runs with the timeout error, without answers on their way", async () => {
    const box = await sandboxWith("acknowledgements");
    await card(box, "A", 100);
    const result = await new Promise<[Error | null, unknown[]]>((resolve) =>
      (box.io.emit as (...args: unknown[]) => boolean)("question", "no timeout?", (err: Error | null, responses: unknown[]) => resolve([err, responses])),
    );
    expect(result[0]?.message).toBe("operation has timed out");
    expect(result[1]).toEqual([]);
  });

  it("step 6: one silent client makes the poll an error after 2 s; the answers that came are still there", async () => {
    const box = await sandboxWith("acknowledgements");
    const [a] = [await card(box, "A"), await card(box, "B"), await card(box, "C", "never")];
    const ack = (await a.timeout(3000).emitWithAck("poll", "pizza?")) as { answers: string[]; everyone: boolean };
    expect(ack.everyone).toBe(false);
    expect([...ack.answers].sort()).toEqual(["yes from A", "yes from B"]);
    const line = await waitFor(() => box.logs.find((text) => text.startsWith("timed out: ")), "the timeout's log line");
    expect(line).toMatch(/^timed out: 2 answered: (yes from A, yes from B|yes from B, yes from A)$/);
  });

  it("step 6: the console's io.timeout(2000).emit names everyone, then how many answered, or the timeout", async () => {
    const box = await sandboxWith("acknowledgements");
    const [, , c] = [await card(box, "A"), await card(box, "B"), await card(box, "C", "never")];
    const timedOut = await box.command('io.timeout(2000).emit("question", "coffee?")');
    if (!timedOut.ok) throw new Error(timedOut.error);
    expect(timedOut.data.lines[0].text).toBe("→ A, B, C");
    expect(timedOut.data.lines[1].text).toMatch(/^Timed out after 2000 ms: 2 of 3 answered: ("yes from A", "yes from B"|"yes from B", "yes from A")\.$/);
    c.answering = "now";
    const everyone = await box.command('io.timeout(2000).emit("question", "coffee?")');
    if (!everyone.ok) throw new Error(everyone.error);
    expect(everyone.data.lines[1].text).toMatch(/^3 of 3 answered: /);
  });
});
