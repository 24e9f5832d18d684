/** Rooms are server state a participant can make grow (`socket.join(name)` with a name it sent): bounded in count and characters. */
import type { Socket as Connection } from "engine.io";
import type { Adapter, Room, SocketId } from "socket.io-adapter";
import { boundConstructor } from "../bound-constructor.ts";

/** What one socket may be in, besides the room of its own id. */
export interface RoomLimits {
  /** Rooms per socket in one namespace, its own-id room not counted. */
  perSocket: number;
  /** Characters of one room name. */
  nameChars: number;
}

/** Where a refused join is told ("asked to join …", after the socket's name): once a second at most per namespace. */
export type RoomReport = (conn: Connection | undefined, nsp: string, text: string) => void;

/** What Socket.IO's `adapter` option takes: a class, or a function it calls with `new` (as adapters' `createAdapter()` return). */
export type AdapterMaker = typeof Adapter | ((nsp: any) => Adapter);

/**
 * `base` (Socket.IO's in-memory adapter, the delivery tracer's subclass, or another adapter's maker) with each
 * adapter's `addAll` keeping every socket within `limits`: a room over them is not joined, as if `join` had not
 * been called for it, and the owner gets a line. Socket.IO's `join` never throws, so neither does this: the
 * program goes on, and a client that asked sees the room missing from `socket.rooms`.
 *
 * @example
 * const io = new Server({ adapter: roomBudget(Adapter, { perSocket: 50, nameChars: 100 }, report) });
 * socket.join("x".repeat(101)); // not joined; one line: 'asked to join a room named "xxx…" (101 characters); …'
 */
export function roomBudget(base: AdapterMaker, limits: RoomLimits, report: RoomReport): (nsp: any) => Adapter {
  // One constructor for every server with its arguments bound in (Socket.IO calls it with `new`): a function made
  // per server would get a prototype and an initial shape of its own when Socket.IO first calls it.
  const made = boundConstructor(BudgetedAdapter as unknown as new (...args: [AdapterClass, RoomLimits, RoomReport, any]) => Adapter, base as AdapterClass, limits, report);
  return made as unknown as (nsp: any) => Adapter;
}

type AdapterClass = new (nsp: any) => Adapter;

/** `make`'s adapter for `nsp`, its `addAll` within `limits` (a class only so that `boundConstructor` can bind it). */
class BudgetedAdapter {
  constructor(make: AdapterClass, limits: RoomLimits, report: RoomReport, nsp: any) {
    return budgeted(new make(nsp), limits, report);
  }
}

function budgeted(adapter: Adapter, limits: RoomLimits, report: RoomReport): Adapter {
  const addAll = adapter.addAll.bind(adapter);
  let reportedAt = 0;
  let heldBack = 0;
  adapter.addAll = (id: SocketId, rooms: Set<Room>) => {
    const { kept, refusal } = withinLimits(adapter.sids.get(id), id, rooms, limits);
    if (refusal) {
      const now = Date.now();
      if (now - reportedAt < 1000) heldBack++;
      else {
        const held = heldBack > 0 ? ` ${heldBack} more joins were refused in the second before.` : "";
        [reportedAt, heldBack] = [now, 0];
        report(adapter.nsp.sockets.get(id)?.conn, adapter.nsp.name, `asked to join ${refusal}${held}`);
      }
    }
    return kept.size > 0 ? addAll(id, kept) : undefined;
  };
  return adapter;
}

/** The rooms of `rooms` socket `id` may join, being in `current` already, and why the first one left out was. */
function withinLimits(current: Set<Room> | undefined, id: SocketId, rooms: Set<Room>, limits: RoomLimits): { kept: Set<Room>; refusal?: string } {
  let count = current ? current.size - (current.has(id) ? 1 : 0) : 0;
  const kept = new Set<Room>();
  let refusal: string | undefined;
  for (const room of rooms) {
    if (room === id || current?.has(room) || kept.has(room)) {
      kept.add(room);
    } else if (typeof room === "string" && room.length > limits.nameChars) {
      refusal ??= `a room named ${JSON.stringify(room.slice(0, 24))}… (${room.length} characters), but a room name has at most ${limits.nameChars}; it was not joined.`;
    } else if (count >= limits.perSocket) {
      refusal ??= `room ${JSON.stringify(String(room).slice(0, 24))} while in ${count} rooms besides its own, the limit; it was not joined (leave one first).`;
    } else {
      kept.add(room);
      count++;
    }
  }
  return { kept, refusal };
}
