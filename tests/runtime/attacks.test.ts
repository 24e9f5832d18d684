/**
 * Learner code as an attacker would write it, on the real server: each attack is contained with a clear error,
 * the host process keeps serving, and a second learner's sandbox keeps delivering throughout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Socket as ClientSocket } from "socket.io-client";
import type { FeedEntry } from "../../contract/protocol.ts";
import { programs } from "../../server/programs/index.ts";
import { connectOwner, createSandbox, joinSandbox, once, settle, startLive, waitFor, type Live } from "../support/live.ts";
import { runCode, type CodeRun } from "../support/run-code.ts";

let live: Live;
/** A second server whose learner code may take only 50 ms of CPU per second (see "busy code"). */
let busyLive: Live;
let bystander: { a: ClientSocket; b: ClientSocket };
let pings = 0;

beforeAll(async () => {
  (globalThis as Record<string, unknown>).__hostSecret = "host only";
  live = await startLive();
  busyLive = await startLive({ codeCpuMs: 50 });
  const ticket = await createSandbox(live.url);
  await connectOwner(live.url, ticket);
  bystander = { a: joinSandbox(live.url, ticket, { as: "A" }), b: joinSandbox(live.url, ticket, { as: "B" }) };
  await Promise.all([once(bystander.a, "connect"), once(bystander.b, "connect")]);
});
afterAll(async () => {
  await busyLive.close();
  await live.close();
});

afterEach(async () => {
  // Another learner's sandbox still delivers, and the process still answers HTTP.
  const text = `ping ${++pings}`;
  const got = once(bystander.b, "chat message");
  bystander.a.emit("chat message", text);
  expect(await got).toEqual([text]);
  await createSandbox(live.url); // 201, or it throws
});

/** The whole-file line of the first line of `code` containing `text` (chat program). */
function line(code: string, text: string): number {
  return programs.chat.source.editable.start + code.split("\n").findIndex((row) => row.includes(text));
}

/** Waits for an error line in the code's feed matching `pattern`. */
function errorLine(run: CodeRun, pattern: RegExp): Promise<FeedEntry> {
  return waitFor(() => run.feed().find((entry) => entry.level === "error" && pattern.test(entry.text)), `an error matching ${pattern}`, 15_000);
}

/** The attacked sandbox's own server is still up: the console still runs a real emit on it, which reaches `client`. */
async function serverStillUp(run: CodeRun, client: ClientSocket | undefined = Object.values(run.clients)[0]): Promise<void> {
  const got = client && once(client, "still");
  const reply = await run.owner.emitWithAck("command", 'io.emit("still", "up")');
  expect(reply.ok).toBe(true);
  if (got) expect(await got).toEqual(["up"]);
}

describe("escapes", () => {
  it("reaches no require, process, host global, eval or Function outside QuickJS, from any object or value", async () => {
    const code = String.raw`const probes = {};
function probe(name, fn) {
  try { probes[name] = String(fn()); } catch (error) { probes[name] = "threw " + error.message; }
}
const escape = (value) => {
  // No string becomes code here; walk the prototypes instead and look for anything of the host on the way.
  const seen = [];
  for (let object = value; object !== null && object !== undefined; object = Object.getPrototypeOf(object)) {
    seen.push(typeof object.constructor === "function" ? object.constructor.name : typeof object);
    for (const key of Object.getOwnPropertyNames(object)) if (/process|require|Buffer|__hostSecret|mainModule/.test(key) && object !== globalThis) return "found " + key;
  }
  let built;
  try { built = value.constructor.constructor("return 1")(); } catch (error) { built = error.name; }
  return [typeof process, typeof __hostSecret, typeof Buffer, typeof WebAssembly, built].join();
};
probe("require fs", () => require("fs"));
probe("require child_process", () => require("child_process"));
probe("require module", () => require("module"));
probe("process", () => typeof process);
probe("globalThis", () => [typeof globalThis.process, typeof globalThis.__hostSecret, typeof globalThis.WebAssembly].join());
probe("Function", () => Function("return typeof process + typeof __hostSecret")());
probe("eval", () => eval("typeof process + typeof __hostSecret"));
probe("async constructor", () => (async () => {}).constructor("return 1"));
probe("generator constructor", () => (function* () {}).constructor("yield 1"));
probe("constructor.constructor", () => escape({}));
probe("io", () => escape(io));
probe("io.of", () => escape(io.of("/")));
probe("adapter", () => escape(io.of("/").adapter));
probe("operator", () => escape(io.to("x")));
probe("require itself", () => escape(require));
probe("settings", () => escape(settings));
probe("server", () => escape(server));
probe("console", () => escape(console.log));
probe("setTimeout", () => escape(setTimeout));
probe("prototype chain", () => { const names = []; for (let o = io; o; o = Object.getPrototypeOf(o)) names.push(o.constructor.name); return names.join(">"); });
import("fs").then(() => { probes.import = "loaded"; }, (error) => { probes.import = "refused " + error.message; });
io.on("connection", (socket) => {
  probe("socket", () => escape(socket));
  probe("handshake", () => escape(socket.handshake));
  probe("handshake.auth", () => escape(socket.handshake.auth));
  probe("socket.rooms", () => escape(socket.rooms));
  probe("socket.data", () => escape(socket.data));
  probe("broadcast", () => escape(socket.broadcast));
  probe("nsp", () => escape(socket.nsp));
  probe("key", () => JSON.stringify(socket.handshake.query) + socket.handshake.url);
  socket.on("values", (data, ack) => {
    probe("event data", () => escape(data));
    probe("ack", () => escape(ack));
    socket.timeout(10).emit("no answer", (error) => {
      probe("timeout error", () => error instanceof Error && escape(error));
      ack(probes);
    });
  });
});`;
    const run = await runCode(live, code, { clients: ["A"] });
    expect(run.answer).toMatchObject({ ok: true });
    const probes = (await run.clients.A.timeout(10_000).emitWithAck("values", { nested: [1] }).catch((error: Error) => {
      throw new Error(`${error.message}; the feed: ${JSON.stringify(run.feed().map((entry) => entry.text))}`);
    })) as Record<string, string>;
    const walks = Object.entries(probes).filter(([name]) => !/^(require|process|globalThis|Function|eval|async|generator|prototype chain|import|key)/.test(name));
    expect(walks.length).toBeGreaterThanOrEqual(18);
    for (const [name, result] of walks) expect(result, name).toBe("undefined,undefined,undefined,undefined,EvalError");
    expect(probes["require fs"]).toMatch(/^threw Cannot find module 'fs': code in the playground can require only/);
    expect(probes["require child_process"]).toMatch(/^threw Cannot find module 'child_process'/);
    expect(probes["require module"]).toMatch(/^threw Cannot find module 'module'/);
    expect(probes.process).toBe("undefined");
    expect(probes.globalThis).toBe("undefined,undefined,undefined");
    expect(probes.Function).toMatch(/^threw new Function\(\) is not available in the playground/);
    expect(probes.eval).toBe("threw 'eval' is not defined");
    expect(probes["async constructor"]).toMatch(/^threw new AsyncFunction\(\) is not available/);
    expect(probes["generator constructor"]).toMatch(/^threw new GeneratorFunction\(\) is not available/);
    expect(probes.import).toMatch(/^refused/);
    expect(probes["prototype chain"]).toBe("Server>Server>Object");
    expect(probes.key).not.toContain(run.ticket.clientKey);
    await serverStillUp(run);
  });

  it("keeps a prototype polluted inside QuickJS inside QuickJS", async () => {
    const code = `Object.prototype.polluted = "yes";
Array.prototype.push = () => { throw new Error("push broken"); };
JSON.stringify = () => '{"__proto__": {"polluted": "host"}}';
io.on("connection", (socket) => socket.emit("hello", 1));`;
    const run = await runCode(live, code, { clients: ["A"] });
    expect(run.answer.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await serverStillUp(run);
  });
});

describe("endless loops", () => {
  const loops: Array<{ where: string; code: string; loop: string; trigger?: (run: CodeRun) => void }> = [
    { where: "at the top level", code: "let n = 0;\nwhile (true) {\n  n++;\n}", loop: "while (true)" },
    { where: "in a connection handler", code: 'io.on("connection", (socket) => {\n  for (;;) {}\n});', loop: "for (;;)" },
    {
      where: "in an event handler",
      code: 'io.on("connection", (socket) => {\n  socket.on("spin", () => {\n    while (true) {}\n  });\n});',
      loop: "while (true)",
      trigger: (run) => void run.clients.A.emit("spin"),
    },
    { where: "in a timer", code: "setTimeout(() => {\n  do {} while (true);\n}, 10);", loop: "do {}" },
    { where: "in an endless promise chain", code: "async function spin() {\n  while (true) {\n    await null;\n  }\n}\nspin();", loop: "while (true)" },
    {
      where: "in an ack callback",
      code: 'io.on("connection", (socket) => {\n  socket.on("ask", () => {\n    socket.emit("question", () => {\n      while (true) {}\n    });\n  });\n});',
      loop: "while (true)",
      trigger: (run) => void run.clients.A.emit("ask"),
    },
    { where: "in a middleware", code: "io.use((socket, next) => {\n  while (true) {}\n});", loop: "while (true)" },
    {
      where: "in a disconnect handler",
      code: 'io.on("connection", (socket) => {\n  socket.on("disconnect", () => {\n    while (true) {}\n  });\n});',
      loop: "while (true)",
      trigger: (run) => void run.clients.A.disconnect(),
    },
  ];
  for (const { where, code, loop, trigger } of loops) {
    it(`stops one ${where} once it has used its time budget, naming its line, and the server keeps running`, async () => {
      const run = await runCode(live, code, { clients: ["A"] });
      run.clients.A?.on("question", (ack: () => void) => ack());
      trigger?.(run);
      const error = await errorLine(run, /^Your code (was stopped|kept the server too busy)/);
      expect(error.line, error.text).toBe(line(code, loop));
      expect(error.text).toMatch(/\(line \d+\)\. Fix it and press Run code/);
      // The sandbox's server is still there: a fresh client connects (or, past a stopped middleware, is clearly refused).
      const late = joinSandbox(live.url, run.ticket, { as: "Z" });
      const outcome = await Promise.race([once(late, "connect").then(() => "connected"), once(late, "connect_error").then(([e]) => (e as Error).message)]);
      if (where.includes("middleware")) expect(outcome).toMatch(/^Your code was stopped: it ran for more than/);
      else expect(outcome).toBe("connected");
      await serverStillUp(run, outcome === "connected" ? late : undefined);
    });
  }
});

describe("busy code", () => {
  it("stops a chain of timers, each run within its time but together hogging the thread, with its line", async () => {
    // Its own server with a small budget per second: CPU per wall second is what a busy host lets one thread have,
    // so the budget must sit well below that for this to hold on a loaded machine too.
    const code = "let n = 0;\nfunction busy() {\n  for (let i = 0; i < 300000; i++) n += i;\n  setTimeout(busy, 0);\n}\nbusy();";
    const run = await runCode(busyLive, code, { clients: ["A"] });
    // Usually the budget per second stops it; on a slow machine one run may use up its own 250 ms first.
    const error = await waitFor(
      () => run.feed().find((entry) => /^Your code (kept the server too busy: it kept the server busy for more than 50 ms within one second|was stopped: it ran for more than 250 ms)/.test(entry.text)),
      "the chain to be stopped",
      15_000,
    );
    expect(error.line).toBe(line(code, "for (let i"));
    await serverStillUp(run);
  });
});

describe("memory, stack and output", () => {
  it("stops a memory bomb with a clear error; the engine's memory stays within its limit", async () => {
    const code = 'const hoard = [];\nio.on("connection", (socket) => {\n  socket.on("grow", () => {\n    while (true) hoard.push(new Array(1000).fill(hoard.length));\n  });\n});';
    const run = await runCode(live, code, { clients: ["A"] });
    const sandbox = live.playground.registry.get(run.ticket.id)!;
    const before = (await sandbox.codeMemory())!;
    expect(before.heapBytes).toBeLessThan(1024 * 1024);
    run.clients.A.emit("grow");
    const error = await errorLine(run, /^Your code (ran out of memory|was stopped)/);
    expect(error.line).toBe(line(code, "while (true)"));
    expect(await sandbox.codeMemory()).toBeUndefined(); // the engine is gone, its memory with it
    await serverStillUp(run);
  });

  it("turns a one-shot giant allocation into an ordinary error the code could catch", async () => {
    const code = 'io.on("connection", (socket) => {\n  socket.on("big", (kind, ack) => {\n    if (kind === "string") "x".repeat(2 ** 29);\n    else new ArrayBuffer(2 ** 30);\n  });\n});';
    const run = await runCode(live, code, { clients: ["A"] });
    run.clients.A.emit("big", "string");
    run.clients.A.emit("big", "buffer");
    await waitFor(() => run.feed().filter((entry) => entry.level === "error").length >= 2, "two errors");
    for (const entry of run.feed().filter((item) => item.level === "error")) expect(entry.text).toMatch(/^(Uncaught (RangeError|InternalError)|Your code ran out of memory)/);
    await serverStillUp(run);
  });

  it("reports a runaway recursion with its line and keeps running, also when the engine's own stack gives out", async () => {
    const code = [
      'io.on("connection", (socket) => {',
      '  socket.on("recurse", () => {',
      "    function deeper(n) { return deeper(n + 1) + 1; }",
      "    deeper(0);",
      "  });",
      '  socket.on("nest", () => {',
      "    let deep = [];",
      "    for (let i = 0; i < 200000; i++) deep = [deep];",
      "    JSON.stringify(deep);",
      "  });",
      '  socket.on("ping", (ack) => ack("pong"));',
      "});",
    ].join("\n");
    const run = await runCode(live, code, { clients: ["A"] });
    run.clients.A.emit("recurse");
    const overflow = await errorLine(run, /stack overflow/);
    expect(overflow.line).toBe(line(code, "function deeper"));
    expect(await run.clients.A.timeout(2000).emitWithAck("ping")).toBe("pong");
    run.clients.A.emit("nest");
    // Either QuickJS catches it (an ordinary error), or its WebAssembly runs out of native stack and the engine is dropped.
    const nested = await waitFor(
      () => run.feed().find((entry) => entry.level === "error" && entry !== overflow && /stack|engine failed/.test(entry.text)),
      "the nesting's error",
      15_000,
    );
    expect(nested.text).toMatch(/stack overflow|ran out of stack/);
    await serverStillUp(run);
  });

  it("bounds console output in bytes per second and says so once a second", async () => {
    const code = 'io.on("connection", (socket) => {\n  socket.on("shout", () => {\n    for (;;) console.log("x".repeat(5000));\n  });\n});';
    const run = await runCode(live, code, { clients: ["A"] });
    run.clients.A.emit("shout");
    await waitFor(() => run.feed().some((entry) => /printed more than 64 KiB within one second/.test(entry.text)), "the warning");
    await errorLine(run, /^Your code was stopped/);
    const printed = run.feed().filter((entry) => entry.kind === "program" && entry.level === "log");
    for (const entry of printed) expect(entry.text.length).toBeLessThanOrEqual(2001);
    // Per second of the clock (windows as the server counts them: from the first line of each), at most 64 KiB and one line.
    const windows: number[] = [];
    let start = -Infinity;
    for (const entry of printed) {
      if (entry.at - start >= 1000) (start = entry.at), windows.push(0);
      windows[windows.length - 1] += Buffer.byteLength(entry.text);
    }
    for (const bytes of windows) expect(bytes).toBeLessThanOrEqual(64 * 1024 + 2003);
    const warnings = run.feed().filter((entry) => /printed more than/.test(entry.text)).length;
    expect(warnings).toBeGreaterThanOrEqual(1);
    expect(warnings).toBeLessThanOrEqual(windows.length);
    await serverStillUp(run);
  });
});

describe("throwing from every kind of callback", () => {
  const code = [
    'io.of("/").adapter.on("join-room", (room) => {',
    '  if (room === "trap") throw new Error("from an adapter event");',
    "});",
    "io.use((socket, next) => {",
    '  if (socket.handshake.auth.fail) throw new Error("from a middleware");',
    "  next();",
    "});",
    'io.on("connection", (socket) => {',
    '  if (socket.handshake.auth.failOnConnect) throw new Error("from a connection handler");',
    '  socket.on("event", () => { throw new Error("from an event handler"); });',
    '  socket.on("async", async () => { await null; throw new Error("from an async handler"); });',
    '  socket.on("timer", () => setTimeout(() => { throw new Error("from a timer"); }, 5));',
    '  socket.on("ask", () => socket.emit("question", () => { throw new Error("from an ack"); }));',
    '  socket.on("join", (room) => socket.join(room));',
    '  socket.on("disconnect", () => { throw new Error("from a disconnect handler"); });',
    '  socket.on("ping", (ack) => ack("pong"));',
    '  throw "a string, not an Error";',
    "});",
  ].join("\n");

  it("reports each with its line, and the server keeps running after every one", async () => {
    const run = await runCode(live, code, { clients: ["A"] });
    const a = run.clients.A;
    a.on("question", (ack: () => void) => ack());
    const expectError = async (text: string, marker: string) => {
      const entry = await errorLine(run, new RegExp(text));
      expect(entry.line, text).toBe(line(code, marker));
      expect(entry.text).toMatch(/the server keeps running\.$/);
      expect(await a.timeout(2000).emitWithAck("ping")).toBe("pong");
    };
    await expectError("Uncaught 'a string, not an Error'", "throw \"a string");
    a.emit("event");
    await expectError("from an event handler", "from an event handler");
    a.emit("async");
    await expectError("from an async handler", "from an async handler");
    a.emit("timer");
    await expectError("from a timer", "from a timer");
    a.emit("ask");
    await expectError("from an ack", "from an ack");
    a.emit("join", "trap");
    await expectError("from an adapter event", "from an adapter event");
    const refused = joinSandbox(live.url, run.ticket, { as: "B", auth: { fail: true } });
    const [error] = await once(refused, "connect_error");
    expect((error as Error).message).toBe("from a middleware");
    await expectError("from a middleware", "from a middleware");
    const connected = joinSandbox(live.url, run.ticket, { as: "C", auth: { failOnConnect: true } });
    await once(connected, "connect");
    await expectError("from a connection handler", "from a connection handler");
    const leaving = joinSandbox(live.url, run.ticket, { as: "D" });
    await once(leaving, "connect");
    leaving.disconnect();
    await expectError("from a disconnect handler", "from a disconnect handler");
  });
});

describe("data and counts", () => {
  it("refuses emits with huge or deeply nested data at the emitting line", async () => {
    const code = [
      'io.on("connection", (socket) => {',
      '  socket.on("huge", () => socket.emit("x", "y".repeat(200000)));',
      "  socket.on(\"deep\", () => {",
      "    let d = [];",
      "    for (let i = 0; i < 100; i++) d = [d];",
      '    socket.emit("x", d);',
      "  });",
      '  socket.on("circular", () => { const o = {}; o.o = o; io.emit("x", o); });',
      '  socket.on("reserved", () => socket.emit("disconnect"));',
      "});",
    ].join("\n");
    const run = await runCode(live, code, { clients: ["A"] });
    const got: unknown[] = [];
    run.clients.A.on("x", (value: unknown) => got.push(value));
    run.clients.A.emit("huge");
    expect((await errorLine(run, /over the 64 KiB limit/)).line).toBe(line(code, '"huge"'));
    run.clients.A.emit("deep");
    expect((await errorLine(run, /nests deeper than 32 levels/)).line).toBe(line(code, 'socket.emit("x", d)'));
    run.clients.A.emit("circular");
    expect((await errorLine(run, /circular/i)).line).toBe(line(code, '"circular"'));
    run.clients.A.emit("reserved");
    expect((await errorLine(run, /reserved event name/)).line).toBe(line(code, '"reserved"'));
    await settle();
    expect(got).toEqual([]);
    await serverStillUp(run);
  });

  it("keeps a participant's deeply nested data from the code, with a warning and an error ack", async () => {
    const run = await runCode(live, 'io.on("connection", (socket) => {\n  socket.on("data", (value, ack) => ack("got it"));\n});', { clients: ["A"] });
    let deep: unknown = [];
    for (let index = 0; index < 200; index++) deep = [deep];
    const answer = await run.clients.A.timeout(2000).emitWithAck("data", deep);
    // Refused on the wire, before Socket.IO parses it (server/wire/), so neither the bridge nor the code sees it.
    expect(answer).toMatchObject({ ok: false, error: expect.stringMatching(/with data nested more than 32 levels deep/) });
    expect(await run.clients.A.timeout(2000).emitWithAck("data", [1])).toBe("got it");
  });

  it("caps listeners, rooms, namespaces, timers and waiting callbacks made from code", async () => {
    const code = [
      "const attempts = {",
      '  listeners: (socket) => { for (let i = 0; i < 5000; i++) socket.on("e" + i, () => {}); },',
      '  rooms: (socket) => { for (let i = 0; i < 5000; i++) socket.join("r" + i); },',
      '  namespaces: () => { for (let i = 0; i < 500; i++) io.of("/n" + i); },',
      "  timers: () => { for (let i = 0; i < 5000; i++) setTimeout(() => {}, 60000); },",
      '  acks: (socket) => { for (let i = 0; i < 5000; i++) socket.emit("never answered", () => {}); },',
      "};",
      'io.on("connection", (socket) => {',
      '  socket.on("attempt", (what, ack) => {',
      "    try { attempts[what](socket); ack(\"ok\"); } catch (error) { ack(error.message); }",
      "  });",
      "});",
    ].join("\n");
    const run = await runCode(live, code, { clients: ["A"] });
    const attempt = (what: string) => run.clients.A.timeout(5000).emitWithAck("attempt", what);
    expect(await attempt("listeners")).toMatch(/listens to 1000 events already, the limit here/);
    expect(await attempt("rooms")).toMatch(/at most 51 rooms here/);
    expect(await attempt("namespaces")).toMatch(/made 32 namespaces already, the limit here/);
    expect(await attempt("timers")).toMatch(/has 64 timers pending already, the limit here/);
    expect(await attempt("acks")).toMatch(/Too many callbacks are waiting/);
    const sandbox = live.playground.registry.get(run.ticket.id)!;
    expect(sandbox.io._nsps.size).toBeLessThanOrEqual(33);
    const [socket] = [...sandbox.io.of("/").sockets.values()];
    expect(socket.rooms.size).toBeLessThanOrEqual(51);
    expect(socket.eventNames().length).toBeLessThanOrEqual(1002);
    await serverStillUp(run);
  });
});
