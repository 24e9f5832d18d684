/** Numbered call sites: the rewritten program notes the line of each call as it makes it, and keeps its lines. */
import { describe, expect, it } from "vitest";
import { numberCallSites, type CallSite } from "../../server/runtime/call-sites.ts";
import { editableCode, parseProgramSource, withCode } from "../../server/runtime/program-source.ts";
import { programs } from "../../server/programs/index.ts";

/** Runs rewritten code with `recorder` in scope; each of its methods records the line noted when it was called. */
function run(code: string, options = {}): Array<[string, number | undefined]> {
  const numbered = numberCallSites(code, options);
  if (!numbered.ok) throw new Error(numbered.problem.message);
  const site: CallSite = { line: undefined };
  const calls: Array<[string, number | undefined]> = [];
  const recorder = new Proxy({}, { get: (_, name) => (..._args: unknown[]) => (calls.push([String(name), site.line]), recorder) });
  new Function("recorder", "__pg$site", "__pg$t", "__pg$tick", numbered.code)(recorder, site, undefined, () => {});
  return calls;
}

describe("numbered call sites", () => {
  it("notes each numbered call's line just before the call, after its arguments ran", () => {
    expect(run('recorder.emit("a",\n  recorder.log("b"));\nrecorder.join("r");\nrecorder.emit(...["x"]);\nrecorder\n  .to("r")\n  .emit("y");\nrecorder.disconnect();')).toEqual([
      ["log", 2],
      ["emit", 1],
      ["join", 3],
      ["emit", 4],
      ["to", 4],
      ["emit", 7],
      ["disconnect", 8],
    ]);
  });

  it("keeps every line where it was, so stack traces keep whole-file numbering", () => {
    const source = programs.chat.source.text;
    const numbered = numberCallSites(source, { ticks: true });
    expect(numbered.ok && numbered.code.split("\n").length).toBe(source.split("\n").length);
    expect(() => new Function("require", "__pg$site", "__pg$t", "__pg$tick", numbered.ok ? numbered.code : "")).not.toThrow();
  });

  it("names the line of a throw and of a loop turn", () => {
    const site: CallSite = { line: undefined };
    const numbered = numberCallSites('let n = 0;\nwhile (n < 3) {\n  n++;\n}\ntry {\n  throw "plain";\n} catch {}\n', { ticks: true });
    expect(numbered.ok).toBe(true);
    let ticks = 0;
    new Function("__pg$site", "__pg$t", "__pg$tick", numbered.ok ? numbered.code : "")(site, undefined, () => ticks++);
    expect(site.line).toBe(6);
    expect(ticks).toBe(3);
  });

  it("checks the clock on entry to every kind of function, after a use strict prologue", () => {
    const numbered = numberCallSites('const a = () => 1;\nfunction b() { "use strict"; return this; }\nconst c = { m() {}, get g() { return 2; } };\nclass D { f = () => 3; }');
    expect(numbered.ok).toBe(true);
    const ticked = numberCallSites('const a = () => 1;\nfunction b() { "use strict"; return this; }\nconst c = { m() {}, get g() { return 2; } };', { ticks: true });
    expect(ticked.ok && ticked.code).toContain('function b() { "use strict";__pg$tick(); return this; }');
    expect(ticked.ok && ticked.code).toContain("const a = () => (__pg$tick(), (1));");
    let ticks = 0;
    const b = new Function("__pg$site", "__pg$t", "__pg$tick", `${ticked.ok ? ticked.code : ""}; return [a(), b(), c.g];`)({ line: 0 }, undefined, () => ticks++);
    expect(b).toEqual([1, undefined, 2]); // b stays strict: `this` is undefined
    expect(ticks).toBe(3);
  });

  it("answers a syntax error with its line and 1-based column", () => {
    expect(numberCallSites("io.on(\n  x y\n);")).toEqual({ ok: false, problem: { message: "Syntax error on line 2, column 5: Unexpected token.", line: 2, column: 5 } });
  });

  it("refuses, in learner code, the playground's own names and with statements, which could disarm the checks", () => {
    const own = numberCallSites("const __pg$tick = () => {};", { ticks: true });
    expect(own).toMatchObject({ ok: false, problem: { line: 1, message: expect.stringMatching(/names starting with __pg\$ belong to the playground/) } });
    const shadow = numberCallSites("with ({ __pg$tick() {} }) {\n  while (true) {}\n}", { ticks: true });
    expect(shadow).toMatchObject({ ok: false, problem: { line: 1, message: expect.stringMatching(/with/) } });
  });
});

describe("program files", () => {
  it("mark an editable region and declare the events they accept", () => {
    for (const program of Object.values(programs)) {
      const { editable, text } = program.source;
      const lines = text.split("\n");
      expect(lines[editable.start - 2], program.file).toMatch(/^\/\/ ---- your code/);
      expect(lines[editable.end], program.file).toMatch(/^\/\/ ---- end of your code/);
      // `new Server(server)`, or with the options the program sets in its fixed preamble (the recovery program's)
      expect(lines.slice(0, editable.start).join("\n"), program.file).toMatch(/const io = new Server\(server(\);|, \{)/);
      expect(lines.slice(editable.end).join("\n"), program.file).toContain("server.listen(3000);");
      expect(withCode(program.source, editableCode(program.source)), program.file).toBe(text);
    }
    expect(programs.chat.accepts).toEqual({ "chat message": ["string"], nickname: ["string"], typing: ["any"] });
    expect(programs.rooms.accepts).toEqual({ "chat message": ["string", "string"], join: ["string"], leave: ["string"] });
    expect(programs.namespaces.accepts).toEqual({ "chat message": ["string"], join: ["string"] });
    expect(programs.recovery.accepts).toEqual({ "chat message": ["string"], join: ["string"], leave: ["string"] });
  });

  it("throw naming the file and line when the region or the declaration is malformed", () => {
    expect(() => parseProgramSource("x.js", "const io = 1;")).toThrow(/x\.js: needs a "\/\/ ---- your code …" line/);
    const broken = "/**\n * @typedef {{\n *   chat: oops,\n * }} ClientToServerEvents\n */\n// ---- your code\n// ---- end of your code\n";
    expect(() => parseProgramSource("y.js", broken)).toThrow(/y\.js:3: expected an entry like/);
  });
});
