/** Learner code through the control channel: it runs isolated yet drives the real server, traced like a lesson program. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { programs } from "../../server/programs/index.ts";
import { editableCode } from "../../server/runtime/program-source.ts";
import { once, settle, startLive, waitFor, type Live } from "../support/live.ts";
import { runCode } from "../support/run-code.ts";

let live: Live;
beforeAll(async () => {
  live = await startLive();
});
afterAll(() => live.close());

/** The 1-based whole-file line of the first line containing `text` in a program with `code` in its region. */
function lineOf(program: keyof typeof programs, code: string, text: string): number {
  const { editable } = programs[program].source;
  return editable.start + code.split("\n").findIndex((line) => line.includes(text));
}

describe("running learner code", () => {
  it("answers a syntax error with its whole-file line and column, and changes nothing", async () => {
    const code = 'io.on("connection", (socket) => {\n  socket.emit("hi",);\n  socket.emit(;\n});';
    const run = await runCode(live, code);
    expect(run.answer).toMatchObject({ ok: false, line: programs.chat.source.editable.start + 2, column: 15 });
    expect(!run.answer.ok && run.answer.error).toMatch(/^Syntax error on line \d+, column 15: Unexpected token/);
    const sandbox = live.playground.registry.get(run.ticket.id)!;
    expect(sandbox.settings).toMatchObject({ run: 1, edited: false });
    // The server console says it too, with the line; nothing restarted.
    const said = await waitFor(() => run.owner.feed.find((entry) => entry.level === "error"), "the syntax error on the feed");
    expect(said).toMatchObject({ kind: "program", run: 1, line: programs.chat.source.editable.start + 2 });
    expect(said.text).toMatch(/^Your code did not run: Syntax error on line \d+, column 15/);
  });

  it("runs each lesson's own region as learner code with the same deliveries, lines and console as the built-in", async () => {
    const code = editableCode(programs.broadcast.source);
    const run = await runCode(live, code, { program: "broadcast", clients: ["A", "B", "C"] });
    expect(run.answer).toMatchObject({ ok: true, data: { program: "broadcast", edited: true, run: 3 } });
    const welcome = run.trace().find((delivery) => delivery.event === "welcome");
    expect(welcome?.line).toBe(lineOf("broadcast", code, 'socket.emit("welcome"'));
    const gotByB = once(run.clients.B, "chat message");
    run.clients.A.emit("chat message", "same");
    expect(await gotByB).toEqual(["same"]);
    const everyone = await waitFor(() => run.trace().find((delivery) => delivery.event === "chat message"), "io.emit");
    expect(everyone).toMatchObject({ call: 'io.emit("chat message", "same")', trigger: { client: "A", event: "chat message" }, source: "program" });
    expect(everyone.reached.map((recipient) => recipient.client).sort()).toEqual(["A", "B", "C"]);
    expect(everyone.line).toBe(lineOf("broadcast", code, 'io.emit("chat message", msg);'));
    const log = run.feed().find((entry) => entry.text === "message: same");
    expect(log).toMatchObject({ kind: "program", level: "log", client: "A", line: lineOf("broadcast", code, 'console.log("message: " + msg);') });

    // The broadcast switch reaches the code as settings.broadcast, live.
    expect((await run.owner.emitWithAck("settings", { broadcast: true })).ok).toBe(true);
    const gotByC = once(run.clients.C, "chat message");
    run.clients.A.emit("chat message", "others");
    expect(await gotByC).toEqual(["others"]);
    const others = await waitFor(() => run.trace().find((delivery) => delivery.args[0] === "others"), "broadcast");
    expect(others.call).toBe('socket.broadcast.emit("chat message", "others")');
    expect(others.reached.map((recipient) => recipient.client).sort()).toEqual(["B", "C"]);
  });

  it("keeps socket.data per socket and walks io.of('/').sockets, as the chat homework does", async () => {
    const run = await runCode(live, editableCode(programs.chat.source), { clients: ["A", "B"] });
    const online = once(run.clients.B, "online");
    run.clients.A.emit("nickname", "ada");
    expect(await online).toEqual([["ada"]]);
    const joined = await waitFor(() => run.trace().find((delivery) => delivery.event === "user joined"), "user joined");
    expect(joined.reached.map((recipient) => recipient.client)).toEqual(["B"]);
  });

  it("joins rooms, hears adapter events and answers acks (the rooms lesson's own code)", async () => {
    const code = editableCode(programs.rooms.source);
    const run = await runCode(live, code, { program: "rooms", clients: ["A", "B"] });
    const answer = await run.clients.A.timeout(3000).emitWithAck("join", "lobby");
    expect(answer).toEqual({ ok: true, data: [run.clients.A.id, "lobby"] });
    await waitFor(() => run.feed().some((entry) => entry.text === "room lobby was created"), "create-room");
    const got = once(run.clients.A, "chat message");
    run.clients.B.emit("chat message", "to the lobby", "lobby");
    expect(await got).toEqual(["to the lobby"]);
    const delivery = await waitFor(() => run.trace().find((entry) => entry.args[0] === "to the lobby"), "room emit");
    expect(delivery.call).toBe('io.to("lobby").emit("chat message", "to the lobby")');
    expect(delivery.line).toBe(lineOf("rooms", code, 'io.to(room).emit("chat message", msg);'));
  });

  it("runs namespace middlewares and a namespace family from code (the namespaces lesson's own code)", async () => {
    const run = await runCode(live, editableCode(programs.namespaces.source), {
      program: "namespaces",
      clients: [
        { name: "A", namespace: "/admin", auth: { token: "let-me-in" } },
        { name: "B", namespace: "/admin", auth: { token: "wrong" } },
        { name: "C", namespace: "/tenant-acme" },
      ],
    });
    expect(Object.keys(run.clients).sort()).toEqual(["A", "C"]);
    expect(run.refused.B).toBe("Not authorized: wrong or missing auth token");
    const got = once(run.clients.C, "chat message");
    run.clients.C.emit("chat message", "hello acme");
    expect(await got).toEqual(["hello acme"]);
    expect(run.feed().map((entry) => entry.text)).toEqual(expect.arrayContaining(["an admin connected", "a user connected to /tenant-acme"]));
  });

  it("runs timers, acks to clients and fetchSockets, and reports a throw with its line while the server keeps running", async () => {
    const code = [
      'io.on("connection", async (socket) => {',
      '  const found = await io.fetchSockets();',
      '  socket.emit("count", found.length, found.every((s) => typeof s.data === "object"));',
      '  socket.on("ask", async () => {',
      '    const answer = await socket.timeout(2000).emitWithAck("question", 1);',
      '    socket.emit("answered", answer);',
      '  });',
      '  socket.on("later", () => {',
      '    const timer = setTimeout(() => socket.emit("never"), 50);',
      '    clearTimeout(timer);',
      '    setTimeout(() => socket.emit("tick", "late"), 20);',
      '  });',
      '  socket.on("boom", () => {',
      '    null.boom;',
      '  });',
      "});",
    ].join("\n");
    const run = await runCode(live, code, { clients: [] });
    const { joinSandbox } = await import("../support/live.ts");
    const a = joinSandbox(live.url, run.ticket, { as: "A" });
    a.on("question", (value: number, ack: (answer: number) => void) => ack(value + 41));
    const counted = once(a, "count");
    await once(a, "connect");
    expect(await counted).toEqual([1, true]);
    const answered = once(a, "answered");
    a.emit("ask");
    expect(await answered).toEqual([42]);
    const never: unknown[] = [];
    a.on("never", () => never.push(1));
    const tick = once(a, "tick");
    a.emit("later");
    expect(await tick).toEqual(["late"]);
    a.emit("boom");
    const error = await waitFor(() => run.feed().find((entry) => entry.level === "error"), "the error");
    expect(error).toMatchObject({ kind: "program", line: lineOf("chat", code, "null.boom") });
    expect(error.text).toMatch(/^Uncaught TypeError: .* \(line \d+\); the server keeps running\.$/);
    const again = once(a, "answered");
    a.emit("ask");
    expect(await again).toEqual([42]);
    await settle();
    expect(never).toEqual([]);
  });

  it("runs a function namespace matcher, onAny and socket middlewares; a program switch drops the code", async () => {
    const code = [
      'const rooms = io.of((name, auth, next) => next(null, name.startsWith("/room-") && auth.ok === true));',
      'rooms.on("connection", (socket) => socket.emit("in", socket.nsp.name));',
      'io.on("connection", (socket) => {',
      '  socket.onAny((event, ...args) => console.log("any", event, args.length));',
      '  socket.use(([event], next) => (event === "blocked" ? next(new Error("blocked by a middleware")) : next()));',
      '  socket.on("blocked", () => console.log("never"));',
      '  socket.on("open", (ack) => ack("opened"));',
      "});",
    ].join("\n");
    const run = await runCode(live, code, { clients: ["A", { name: "B", namespace: "/room-1", auth: { ok: true } }, { name: "C", namespace: "/room-2" }] });
    expect(Object.keys(run.clients).sort()).toEqual(["A", "B"]);
    expect(run.refused.C).toMatch(/Invalid namespace/);
    expect(await run.clients.A.timeout(2000).emitWithAck("open")).toBe("opened");
    run.clients.A.emit("blocked");
    await waitFor(() => run.feed().some((entry) => entry.text === "any open 1") && run.feed().some((entry) => entry.text === "any blocked 0"), "onAny lines");
    await settle();
    expect(run.feed().some((entry) => entry.text === "never")).toBe(false);
    expect(await run.owner.emitWithAck("settings", { program: "rooms" })).toMatchObject({ ok: true, data: { program: "rooms", edited: false } });
  });

  it("returns to the lesson's own program with code null", async () => {
    const run = await runCode(live, 'io.on("connection", (socket) => socket.emit("edited"));', { clients: ["A"] });
    const back = await run.owner.emitWithAck("code", { code: null });
    expect(back).toMatchObject({ ok: true, data: { edited: false } });
    await waitFor(() => run.owner.feed.some((entry) => entry.text.startsWith("Back to the chat lesson's own program")), "the restart line");
  });
});
