/** What the console says when a step exists but not where it was typed: the real API's nearest right call. */
import { stepLabel, type Receiver, type StepName } from "./console-grammar.ts";

/**
 * One sentence for a step the chain so far does not have, e.g. `.join()` after `io.to("r")`.
 *
 * @example
 * misplaced("join", "operator", 'io.to("r")', ".to(), …"); // 'io.to("r") has no .join(): use .socketsJoin("room") …'
 */
export function misplaced(name: StepName, receiver: Receiver, soFar: string, offers: string): string {
  if (receiver === "flagged-socket") return `.volatile, .compress() and .timeout() only change a socket's next emit: follow ${soFar} with .emit("event", …), or drop them.`;
  if (name === "of") return `Only io itself has .of(): start the chain with io.of("/admin").`;
  if (name === "sockets") return `Only io itself has .sockets (the main namespace, like io.of("/")): start the chain with io.sockets.`;
  if (name === "broadcast") {
    return receiver === "operator"
      ? `${soFar} already reaches many sockets: drop .broadcast, or start from socket("A").broadcast.`
      : `.broadcast belongs to a socket: socket("A").broadcast.emit(…) reaches everyone but A, while io.emit(…) already reaches everyone.`;
  }
  if (name === "join" || name === "leave") {
    return `${soFar} has no .${name}(): use .sockets${name === "join" ? "Join" : "Leave"}("room") for all its sockets, or socket("A").${name}("room") for one.`;
  }
  if (name === "rooms") return `.rooms belongs to one socket, e.g. socket("A").rooms; to see who is in a room use io.in("room").fetchSockets().`;
  if (name === "id") return `.id belongs to one socket, e.g. socket("A").id.`;
  if (name === "disconnect") return `.disconnect() belongs to one socket, e.g. socket("A").disconnect(); for many use .disconnectSockets().`;
  if (receiver === "socket") {
    const instead: Partial<Record<StepName, string>> = {
      fetchSockets: `use .rooms to see this socket's rooms, or io.in("room").fetchSockets() for many sockets`,
      socketsJoin: `use .join("room") for this socket`,
      socketsLeave: `use .leave("room") for this socket`,
      disconnectSockets: `use .disconnect() for this socket`,
    };
    if (instead[name]) return `${soFar} is one socket and has no .${name}(): ${instead[name]}.`;
  }
  return `${soFar} has no ${stepLabel(name)}: use one of ${offers}.`;
}
