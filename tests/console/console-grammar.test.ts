/** The console grammar: every production, every rejected chain with its position, the printer, completion. */
import { describe, expect, it } from "vitest";
import { commonPrefix, complete, parseChainPrefix, parseCommand, printCommand, type ConsoleCommand } from "../../contract/console/index.ts";
import { compareClientNames } from "../../contract/client-names.ts";

function accepted(line: string): ConsoleCommand {
  const result = parseCommand(line);
  if (!result.ok) throw new Error(`${line} was refused at ${result.error.position}: ${result.error.message}`);
  return result.command;
}

function refused(line: string): { message: string; position: number } {
  const result = parseCommand(line);
  if (result.ok) throw new Error(`${line} was accepted as ${printCommand(result.command)}`);
  return result.error;
}

describe("accepted commands", () => {
  it.each([
    ["help", "help"],
    ["  clear ", "clear"],
    ["clients", "clients"],
    ['io.emit("news", 1)', 'io.emit("news", 1)'],
    ["io.emit('news')", 'io.emit("news")'],
    ['io . to ( "lobby" ) . emit ( "news" , 1 )', 'io.to("lobby").emit("news", 1)'],
    ['io.in("lobby").emit("x")', 'io.in("lobby").emit("x")'],
    ['io.except("vip").emit("x")', 'io.except("vip").emit("x")'],
    ['io.to("a").to("b").except("c").emit("x")', 'io.to("a").to("b").except("c").emit("x")'],
    ['io.of("/admin").emit("x")', 'io.of("/admin").emit("x")'],
    ['io.of("/admin").to("r").emit("x")', 'io.of("/admin").to("r").emit("x")'],
    ['io.volatile.emit("tick")', 'io.volatile.emit("tick")'],
    ['io.local.emit("x")', 'io.local.emit("x")'],
    ['io.timeout(1000).emit("ping")', 'io.timeout(1000).emit("ping")'],
    ['io.to("r").timeout(0).volatile.local.emit("x")', 'io.to("r").timeout(0).volatile.local.emit("x")'],
    ['io.fetchSockets()', 'io.fetchSockets()'],
    ['io.in("r").fetchSockets()', 'io.in("r").fetchSockets()'],
    ['io.of("/admin").fetchSockets()', 'io.of("/admin").fetchSockets()'],
    ['io.in("r").socketsJoin("s")', 'io.in("r").socketsJoin("s")'],
    ['io.socketsLeave("s")', 'io.socketsLeave("s")'],
    ['io.in("r").disconnectSockets()', 'io.in("r").disconnectSockets()'],
    ['socket("A")', 'socket("A")'],
    ["socket('External 1').emit('hi')", 'socket("External 1").emit("hi")'],
    ['socket("A").broadcast.emit("x")', 'socket("A").broadcast.emit("x")'],
    ['socket("A").to("r").except("s").emit("x")', 'socket("A").to("r").except("s").emit("x")'],
    ['socket("A").in("r").emit("x")', 'socket("A").in("r").emit("x")'],
    ['socket("A").except("r").emit("x")', 'socket("A").except("r").emit("x")'],
    ['socket("A").local.emit("x")', 'socket("A").local.emit("x")'],
    ['socket("A").broadcast.timeout(50).emit("x")', 'socket("A").broadcast.timeout(50).emit("x")'],
    ['socket("A").volatile.emit("x")', 'socket("A").volatile.emit("x")'],
    ['socket("A").timeout(100).volatile.emit("x")', 'socket("A").timeout(100).volatile.emit("x")'],
    ['socket("A").join("r")', 'socket("A").join("r")'],
    ['socket("A").leave("r")', 'socket("A").leave("r")'],
    ['socket("A").rooms', 'socket("A").rooms'],
    ['socket("A").id', 'socket("A").id'],
    ['socket("A").disconnect()', 'socket("A").disconnect()'],
    ['io.sockets.emit("x", 1)', 'io.sockets.emit("x", 1)'],
    ['io.sockets.to("lobby").emit("x")', 'io.sockets.to("lobby").emit("x")'],
    ['io.sockets.fetchSockets()', 'io.sockets.fetchSockets()'],
    ['io.compress(false).emit("x")', 'io.compress(false).emit("x")'],
    ['io.of("/admin").compress(true).to("r").emit("x")', 'io.of("/admin").compress(true).to("r").emit("x")'],
    ['socket("A").compress(false).emit("x")', 'socket("A").compress(false).emit("x")'],
    ['socket("A").broadcast.compress(false).emit("x")', 'socket("A").broadcast.compress(false).emit("x")'],
  ])("%s", (line, canonical) => {
    expect(printCommand(accepted(line))).toBe(canonical);
  });

  it("reads emit arguments as JSON values, strings in either quotes with escapes", () => {
    const command = accepted(String.raw`io.emit("e", 1, -2.5e3, 'it\'s', "a\"b\n\u00e9\x41", true, false, null, [1, [2]], {"a": 1, b: {'c': []}}, [], {})`);
    expect(command).toEqual({
      kind: "chain",
      target: { kind: "io" },
      steps: [{ name: "emit", event: "e", args: [1, -2500, "it's", 'a"b\néA', true, false, null, [1, [2]], { a: 1, b: { c: [] } }, [], {}] }],
    });
  });

  it("keeps a __proto__ key as data, never as a prototype", () => {
    const command = accepted('io.emit("e", {"__proto__": {"polluted": 1}})');
    const [argument] = (command as { steps: { args: unknown[] }[] }).steps[0].args as [Record<string, unknown>];
    expect(Object.getPrototypeOf(argument)).toBe(Object.prototype);
    expect(Object.hasOwn(argument, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("refused lines name the position and what was expected", () => {
  it.each([
    ["", 0, "Type a command"],
    ["foo", 0, "A command starts with io"],
    ['io.to("r").join("x")', 11, "has no .join(): use .socketsJoin"],
    ['io.to("r").leave("x")', 11, "socketsLeave"],
    ['io.of("/a").of("/b")', 12, "Only io itself has .of()"],
    ['io.to("r").of("/b")', 11, "Only io itself has .of()"],
    ['io.broadcast.emit("x")', 3, ".broadcast belongs to a socket"],
    ['io.of("/a").broadcast.emit("x")', 12, ".broadcast belongs to a socket"],
    ['socket("A").broadcast.broadcast.emit("x")', 22, "already reaches many sockets"],
    ['io.rooms', 3, ".rooms belongs to one socket"],
    ['io.to("r").id', 11, ".id belongs to one socket"],
    ['io.disconnect()', 3, ".disconnect() belongs to one socket"],
    ['socket("A").fetchSockets()', 12, "is one socket and has no .fetchSockets()"],
    ['socket("A").socketsJoin("r")', 12, 'use .join("room")'],
    ['socket("A").socketsLeave("r")', 12, 'use .leave("room")'],
    ['socket("A").disconnectSockets()', 12, "use .disconnect()"],
    ['socket("A").broadcast.join("r")', 22, "has no .join()"],
    ['socket("A").volatile.join("r")', 21, "only change a socket's next emit"],
    ['socket("A").timeout(5).rooms', 23, "only change a socket's next emit"],
    ['socket("A").of("/admin")', 12, "Only io itself has .of()"],
    ['io.emit("x").to("r")', 12, "ends the command"],
    ['socket("A").join("r").emit("x")', 21, "ends the command"],
    ['socket("A").rooms.size', 17, "ends the command"],
    ['io.emit("x") io', 13, "ends the command"],
    ['io.to("r")', 10, "does nothing yet"],
    ["io", 2, "does nothing yet"],
    ['socket("A").volatile', 20, 'end it with .emit("event", …).'],
    ['io.of("/a").sockets.emit("x")', 12, "Only io itself has .sockets"],
    ['io.sockets.sockets.emit("x")', 11, "Only io itself has .sockets"],
    ["io.compress(1).emit('x')", 12, "takes true or false"],
    ["io.compress('false').emit('x')", 12, "takes true or false"],
    ["io.compress().emit('x')", 12, "takes true or false"],
    ['socket("A").compress(false).join("r")', 28, "only change a socket's next emit"],
    ["io.", 3, "Expected a method name"],
    ['io..emit("x")', 3, "Expected a method name"],
    ['io emit("x")', 3, 'Expected "." and a method after io'],
    ["socket.broadcast.emit('x')", 6, 'Expected "(" after socket'],
    ["socket(A)", 7, 'write socket("A")'],
    ["socket(1)", 7, "Expected a client name in quotes"],
    ['socket("A", "B")', 10, "takes one client name"],
    ["io.to(lobby)", 6, 'write .to("lobby")'],
    ["io.to()", 6, "Expected a room name in quotes"],
    ['io.to("a", "b")', 9, "takes one room name"],
    ['io.of(1)', 6, "Expected a namespace in quotes"],
    ['socket("A").broadcast()', 21, "is a property, not a method"],
    ["io.fetchSockets", 15, 'Expected "(" after .fetchSockets'],
    ["io.fetchSockets(1)", 16, "takes no arguments"],
    ['io.timeout("1")', 11, "whole milliseconds"],
    ['io.timeout(1.5).emit("x")', 11, "whole milliseconds"],
    ['io.timeout(-1).emit("x")', 11, "whole milliseconds"],
    ['io.timeout(10001).emit("x")', 11, "from 0 to 10000"],
    ["io.emit()", 8, "Expected the event name in quotes"],
    ["io.emit(1)", 8, "Expected the event name in quotes"],
    ["io.emit(news)", 8, 'write .emit("news", …)'],
    ['io.emit("disconnect")', 8, "reserved by Socket.IO"],
    ['io.emit("connect", 1)', 8, "reserved by Socket.IO"],
    ['io.emit("x" 1)', 12, 'Expected "," or ")"'],
    ['io.emit("x", msg)', 13, "put text in quotes"],
    ['io.emit("x", )', 13, "Expected a value here"],
    ['io.emit("x", [1 2])', 16, 'Expected "," or "]"'],
    ['io.emit("x", {a 1})', 16, 'Expected ":" after the key a'],
    ['io.emit("x", {1: 2})', 14, "Expected a key"],
    ['io.emit("x", {"a": 1,})', 21, "Expected a key"],
    ['io.emit("x", 1', 14, 'Expected "," or ")"'],
    ['io.emit("x', 8, "This string never ends"],
    ["io.emit('x\\q')", 10, "Unknown escape \\q"],
    ['io.emit("\\u12")', 9, "needs 4 hex digits"],
    ["io.emit('x', -)", 13, 'Expected a number after "-"'],
    ["io.emit('x', 1e999)", 13, "too large"],
    ["io.emit(`x`)", 8, 'does not understand "`"'],
    ["io.emit('x'); io.emit('y')", 12, 'does not understand ";"'],
    ["help()", 0, "help is a command on its own"],
    ["help me", 0, "help is a command on its own"],
    [`io.emit("x", ${"[".repeat(30)}${"]".repeat(30)})`, 34, "nest at most 20 levels"],
  ])("%s", (line, position, message) => {
    const error = refused(line);
    expect(error.message).toContain(message);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(/[.!]$/); // one sentence a learner can act on
  });
});

describe("printer", () => {
  it("prints canonically, and what it prints parses back to the same command", () => {
    for (const line of ["io.of('/admin').to('r').emit('x', {b: [1, 'two']}, null)", "socket('A').broadcast.timeout(5).emit('y')", "clients"]) {
      const command = accepted(line);
      expect(accepted(printCommand(command))).toEqual(command);
    }
    expect(printCommand(accepted("io.of('/admin').to('r').emit('x', {b: [1, 'two']}, null)"))).toBe('io.of("/admin").to("r").emit("x", {"b":[1,"two"]}, null)');
  });
});

describe("completion", () => {
  const names = { clients: ["A", "B", "External 1"], rooms: ["lobby", "vip"], namespaces: ["/", "/admin"] };

  it("completes commands and targets at the start", () => {
    expect(complete("", names)).toEqual(["clear", "clients", "help", "io", 'socket("A")', 'socket("B")', 'socket("External 1")']);
    expect(complete("cl", names)).toEqual(["clear", "clients"]);
    expect(complete("so", { ...names, clients: [] })).toEqual(['socket("']);
  });

  it("offers only the steps the chain so far allows", () => {
    expect(complete("io.to('lobby').em", names)).toEqual(["io.to('lobby').emit(\""]);
    expect(complete('io.to("r").jo', names)).toEqual([]);
    expect(complete('io.to("r").', names)).not.toContain('io.to("r").of("');
    expect(complete("io.", names)).toContain('io.of("');
    expect(complete('socket("A").b', names)).toEqual(['socket("A").broadcast']);
    expect(complete('socket("A").volatile.', names)).not.toContain('socket("A").volatile.join("');
    expect(complete('socket("A").volatile.', names)).toContain('socket("A").volatile.broadcast');
    expect(complete('io.emit("x").', names)).toEqual([]);
    expect(complete("io.fetch", names)).toEqual(["io.fetchSockets()"]);
  });

  it("completes names inside quotes: clients, rooms, namespaces", () => {
    expect(complete('socket("', names)).toEqual(['socket("A")', 'socket("B")', 'socket("External 1")']);
    expect(complete("socket('E", names)).toEqual(["socket('External 1')"]);
    expect(complete("socket(", names)).toEqual(['socket("A")', 'socket("B")', 'socket("External 1")']);
    expect(complete('io.to("l', names)).toEqual(['io.to("lobby")']);
    expect(complete('socket("A").join("', names)).toEqual(['socket("A").join("lobby")', 'socket("A").join("vip")']);
    expect(complete("io.of('/a", names)).toEqual(["io.of('/admin')"]);
    expect(complete('io.emit("', names)).toEqual([]);
    expect(complete('io.to("x', { ...names, rooms: ['x"y'] })).toEqual(['io.to("x\\"y")']);
  });

  it("finds the common prefix of candidates", () => {
    expect(commonPrefix(complete('socket("', names))).toBe('socket("');
    expect(commonPrefix(complete("cl", names))).toBe("cl");
    expect(commonPrefix([])).toBe("");
  });

  it("reads unfinished chains for completion", () => {
    expect(parseChainPrefix('socket("A").broadcast')?.receiver).toBe("operator");
    expect(parseChainPrefix('io.of("/admin")')?.receiver).toBe("namespace");
    expect(parseChainPrefix('io.to("r").join("x")')).toBeUndefined();
  });
});

describe("client names", () => {
  it("sort as the cards stand, whatever order the sockets connected in", () => {
    expect(["External 10", "C", "External 2", "AA", "B", "Z"].sort(compareClientNames)).toEqual(["B", "C", "Z", "AA", "External 2", "External 10"]);
  });
});
