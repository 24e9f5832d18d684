/** The lessons' hands-on challenges, each a pure check of one delivery (and the sockets as the server sees them). */
import type { Delivery, SocketInfo } from "./protocol.ts";

/** Decides from one delivery of the live trace whether a challenge is done. */
export type ChallengeCheck = (delivery: Delivery, sockets: SocketInfo[]) => boolean;

const reachedNames = (delivery: Delivery): string[] => delivery.reached.map((recipient) => recipient.client);
const inNamespace = (sockets: SocketInfo[], nsp: string): SocketInfo[] => sockets.filter((socket) => socket.nsp === nsp);
const inRoom = (sockets: SocketInfo[], nsp: string, room: string): string[] =>
  inNamespace(sockets, nsp).filter((socket) => socket.rooms.includes(room)).map((socket) => socket.client);
const isDuplicateFree = (names: string[]): boolean => new Set(names).size === names.length;
const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && a.every((name) => b.includes(name));

/** Every socket of the delivery's namespace but the sender got it, the sender did not, and someone did. */
function everyoneButSender(delivery: Delivery, sockets: SocketInfo[]): boolean {
  if (!delivery.from) return false;
  const reached = reachedNames(delivery);
  const others = inNamespace(sockets, delivery.nsp).map((socket) => socket.client).filter((name) => name !== delivery.from);
  return others.length > 0 && !reached.includes(delivery.from) && others.every((name) => reached.includes(name));
}

/**
 * Every challenge of `lessons/*.md`, by id. A challenge is done when one delivery passes its check,
 * whichever way (card buttons or console) the learner made it.
 *
 * @example
 * const done = challengeChecks["everyone-but-sender"](delivery, session.sockets);
 */
export const challengeChecks: Record<string, ChallengeCheck> = {
  /** Chat: a `chat message` that reached every socket of `/`, its sender included (`io.emit`). */
  "chat-everyone": (delivery, sockets) => {
    const everyone = inNamespace(sockets, "/").map((socket) => socket.client);
    const reached = reachedNames(delivery);
    return delivery.nsp === "/" && delivery.event === "chat message" && everyone.length > 1 && everyone.every((name) => reached.includes(name));
  },

  /** Chat homework: a `user joined` announcement that reached the others but not the newcomer. */
  "chat-announce": (delivery, sockets) => delivery.event === "user joined" && everyoneButSender(delivery, sockets),

  /** Broadcast: `socket.broadcast.emit` or anything equivalent. */
  "everyone-but-sender": everyoneButSender,

  /** Broadcast: `socket.to(socket.id)` from a socket to its own-id room reaches nobody. */
  "own-id-nobody": (delivery, sockets) => {
    const sender = sockets.find((socket) => socket.client === delivery.from && socket.nsp === delivery.nsp);
    // The call names the room: `socket.to("<id>")` from the program, the typed line (either quotes) from the console.
    const toOwnRoom = sender && [`.to("${sender.socketId}")`, `.to('${sender.socketId}')`, `.in("${sender.socketId}")`, `.in('${sender.socketId}')`];
    return toOwnRoom !== undefined && delivery.reached.length === 0 && toOwnRoom.some((part) => delivery.call.includes(part));
  },

  /** Rooms: one emit reached exactly the union of `lobby` and `vip` (minus a sender), each socket once. */
  "lobby-and-vip-one-emit": (delivery, sockets) => {
    const lobby = inRoom(sockets, delivery.nsp, "lobby");
    const vip = inRoom(sockets, delivery.nsp, "vip");
    const reached = reachedNames(delivery);
    const union = [...new Set([...lobby, ...vip])].filter((name) => name !== delivery.from);
    const onlyLobby = reached.some((name) => lobby.includes(name) && !vip.includes(name));
    const onlyVip = reached.some((name) => vip.includes(name) && !lobby.includes(name));
    return onlyLobby && onlyVip && isDuplicateFree(reached) && sameSet(reached, union);
  },

  /** Rooms: a socket sent to one of its rooms, and the others in that room got it, the sender did not. */
  "room-but-sender": (delivery, sockets) => {
    const sender = sockets.find((socket) => socket.client === delivery.from && socket.nsp === delivery.nsp);
    if (!sender) return false;
    const reached = reachedNames(delivery);
    return sender.rooms
      .filter((room) => room !== sender.socketId)
      .some((room) => {
        const others = inRoom(sockets, delivery.nsp, room).filter((name) => name !== sender.client);
        const everyone = inNamespace(sockets, delivery.nsp).length;
        return others.length > 0 && others.length + 1 < everyone && sameSet(reached, others);
      });
  },

  /** Namespaces: some client got past the `/admin` middleware (any delivery re-checks the socket list). */
  "admin-connected": (_delivery, sockets) => sockets.some((socket) => socket.nsp === "/admin"),

  /** Namespaces: a delivery on `/tenant-acme` reached someone while clients elsewhere got nothing. */
  "only-tenant-acme": (delivery, sockets) =>
    delivery.nsp === "/tenant-acme" &&
    delivery.reached.length > 0 &&
    sockets.some((socket) => socket.nsp !== "/tenant-acme"),
};
