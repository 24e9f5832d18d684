/** What `help` prints: the console grammar as examples a learner can type. */
import type { ConsoleLine } from "../protocol.ts";
import { maxTimeout } from "./console-grammar.ts";

const examples: [string, string][] = [
  ['io.emit("news", 1)', "every client of the main namespace"],
  ['io.to("lobby").emit("news", 1)', 'clients in room "lobby" (also .in(), .except())'],
  ['io.of("/admin").emit("alert", "hi")', "clients of another namespace (io.sockets is the main one)"],
  ['socket("A").emit("hello")', "only client A"],
  ['socket("A").broadcast.emit("hi")', "everyone but A"],
  ['socket("A").to("lobby").emit("hi")', 'room "lobby", except A'],
  ['socket("A").join("vip")', "put A in a room (.leave() takes it out)"],
  ['socket("A").rooms', "A's rooms; .id is its id, .disconnect() closes it"],
  ['io.in("lobby").fetchSockets()', "who is in a room"],
  ['io.in("lobby").socketsJoin("vip")', "move a room's sockets (also .socketsLeave(), .disconnectSockets())"],
  ['io.timeout(1000).emit("ping")', `wait for acknowledgements (at most ${maxTimeout} ms)`],
  ['io.volatile.emit("tick")', "may be dropped if a client is not ready (.local: this server only)"],
  ['io.compress(false).emit("big", [])', "send without per-message compression"],
];

/**
 * The lines `help` answers with.
 *
 * @example
 * helpLines()[0].text; // "Socket.IO server calls, run on this sandbox's real server (never evaluated as JavaScript):"
 */
export function helpLines(): ConsoleLine[] {
  const width = Math.max(...examples.map(([call]) => call.length)) + 2;
  return [
    { level: "info", text: "Socket.IO server calls, run on this sandbox's real server (never evaluated as JavaScript):" },
    ...examples.map(([call, meaning]): ConsoleLine => ({ level: "log", text: `  ${call.padEnd(width)}${meaning}` })),
    { level: "log", text: "Strings take 'single' or \"double\" quotes; emit arguments are JSON: 1, \"hi\", true, null, [1, 2], { \"a\": 1 }." },
    { level: "log", text: 'io.of() only reaches namespaces that exist; socket("A") names a client as its card does, socket("<id>") a socket by its id.' },
    { level: "info", text: "Also: clients (who is connected), clear (empty the screen), help (this list). Tab completes, ↑/↓ recall." },
  ];
}
