/** Wires the inbound guard into Socket.IO: a socket middleware that refuses, feeds, and hands accepted events on. */
import type { Event, Socket } from "socket.io";
import type { HandlerContext } from "./handler-context.ts";
import type { InboundGuard } from "./inbound-guard.ts";
import type { ProgramLine } from "./program-console.ts";

/** What the middleware needs from its sandbox. */
export interface InboundTarget {
  guard: InboundGuard;
  context: HandlerContext;
  /** Names the socket ("A", "External 1"); the sandbox's directory, shared by its sockets. */
  directory: { nameOf(socket: Socket): string };
  feed(line: ProgramLine): void;
  /** False while a flood's event lines are only counted (see `FeedStream`); by default every line is written. */
  lineWanted?(): boolean;
}

/**
 * The middleware for one socket: a refused event gets one warning line and an error ack and goes no further;
 * an accepted one gets an `event` feed line, then reaches the program's listeners as `context.current()`.
 * It runs for every event: nothing is allocated for an accepted one beyond its line.
 *
 * @example
 * io.on("connection", (socket) => socket.use(inboundMiddleware(socket, { guard, context, directory, feed })));
 */
export function inboundMiddleware(socket: Socket, target: InboundTarget): (packet: Event, next: (error?: Error) => void) => void {
  return (packet, next) => {
    const client = target.directory.nameOf(socket);
    let refusal: ReturnType<InboundGuard["check"]>;
    try {
      refusal = target.guard.check(socket, client, packet);
    } catch (error) {
      // Never a throw outside a handler that answers it: a fault in the checks refuses the one event.
      refusal = { warning: `The playground could not check an event from ${client} (${String(error)}); it was dropped.`, ack: "The server could not check this event; it was dropped." };
    }
    if (refusal === "flood") return answer(packet, target.guard.floodAck(client));
    if (refusal) {
      target.feed({ level: "warn", kind: "system", text: refusal.warning, client, socketId: socket.id, nsp: socket.nsp.name });
      return answer(packet, refusal.ack);
    }
    const event = packet[0] as string;
    if (!target.lineWanted || target.lineWanted()) {
      const args = packet.slice(1).filter((arg) => typeof arg !== "function");
      target.feed({ level: "log", kind: "event", text: `${client} sent ${JSON.stringify(event)}`, client, socketId: socket.id, nsp: socket.nsp.name, event, args });
    }
    target.context.handle(socket, event, next);
  };
}

/** A refused event's error ack, when it asked for one (its last argument is the ack function). */
function answer(packet: Event, error: string): void {
  const ack = packet.at(-1);
  if (typeof ack === "function") ack({ ok: false, error });
}
