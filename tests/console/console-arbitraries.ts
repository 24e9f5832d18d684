/** Generated console input for property tests: valid commands, typo-like mutations of them, token soup, noise. */
import fc from "fast-check";

/** Valid commands of every shape: the seeds that mutations start from. */
export const validCommands = [
  'io.emit("news", 1)',
  "io.to('lobby').emit('news', {text: \"hi\", n: [1, 2.5, -3e2]}, true, null)",
  'io.of("/admin").to("r").except("s").volatile.emit("x")',
  'io.in("lobby").fetchSockets()',
  'io.timeout(100).emit("ping")',
  'io.local.socketsJoin("vip")',
  'io.sockets.compress(false).emit("x", 1)',
  'socket("A").broadcast.emit("chat message", "hi")',
  'socket("B").to("lobby").except("vip").emit("x", [])',
  'socket("C").timeout(50).volatile.emit("ping", "\\u00e9")',
  'socket("A").rooms',
  'socket("A").id',
  "help",
  "clients",
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom(".", "(", ")", '"', "'", ",", "\\", "io", ".emit(", "-", "[", "{")) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 2 }) }),
);

/** A valid command with a few random edits: what a learner's typos look like. */
export const mutatedCommand = fc
  .tuple(fc.constantFrom(...validCommands), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([line, edits]) =>
    edits.reduce((text, edit) => {
      const at = edit.at % (text.length + 1);
      if (edit.kind === "delete") return text.slice(0, at) + text.slice(at + edit.length);
      if (edit.kind === "insert") return text.slice(0, at) + edit.text + text.slice(at);
      return text.slice(0, at) + edit.text + text.slice(at + edit.text.length);
    }, line),
  );

const tokenSoup = fc
  .array(fc.constantFrom("io", "socket", "(", ")", ".", '"A"', "'lobby'", ",", "1", "-2.5", "emit", "to", "of", "join", "broadcast", "rooms", "timeout", "[", "]", "{", "}", ":", "true", " "), { maxLength: 14 })
  .map((tokens) => tokens.join(""));

/** Any text a learner could type, from noise to near misses. */
export const anyLine = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }), tokenSoup, mutatedCommand);
