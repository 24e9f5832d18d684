/** Wires the inbound guard into Socket.IO: a socket middleware that refuses, feeds, and hands accepted events on. */
import type { Event, Socket } from "socket.io";
import type { HandlerContext } from "./handler-context.ts";
import type { InboundGuard } from "./inbound-guard.ts";
import type { ProgramLine } from "./program-console.ts";

/** What the middleware needs from its sandbox. */
export interface InboundTarget {
  guard: InboundGuard;
  context: HandlerContext;
  nameOf(socket: Socket): string;
  feed(line: ProgramLine): void;
}

/**
 * The middleware for one socket: a refused event gets one warning line and an error ack and goes no further;
 * an accepted one gets an `event` feed line, then reaches the program's listeners as `context.current()`.
 *
 * @example
 * io.on("connection", (socket) => socket.use(inboundMiddleware(socket, { guard, context, nameOf, feed })));
 */
export function inboundMiddleware(socket: Socket, target: InboundTarget): (packet: Event, next: (error?: Error) => void) => void {
  return (packet, next) => {
    const client = target.nameOf(socket);
    const where = { client, socketId: socket.id, nsp: socket.nsp.name };
    const ack = packet.at(-1);
    const answer = (error: string) => typeof ack === "function" && ack({ ok: false, error });
    let refusal: ReturnType<InboundGuard["check"]>;
    try {
      refusal = target.guard.check(socket, client, packet);
    } catch (error) {
      // Never a throw outside a handler that answers it: a fault in the checks refuses the one event.
      refusal = { warning: `The playground could not check an event from ${client} (${String(error)}); it was dropped.`, ack: "The server could not check this event; it was dropped." };
    }
    if (refusal === "flood") return answer(target.guard.floodAck(client));
    if (refusal) {
      target.feed({ level: "warn", kind: "system", text: refusal.warning, ...where });
      return answer(refusal.ack);
    }
    const [event, ...args] = packet;
    target.feed({ level: "log", kind: "event", text: `${client} sent ${JSON.stringify(event)}`, ...where, event, args: args.filter((arg) => typeof arg !== "function") });
    target.context.handle(socket, event, next);
  };
}
