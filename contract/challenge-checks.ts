/** The lessons' hands-on challenges: each a pure check of one delivery of the live trace, requiring the right shape of call. */
import type { Delivery, SocketInfo } from "./protocol.ts";

/** What a check may look at besides the delivery itself. */
export interface ChallengeContext {
  /** The sockets as the server sees them (namespaces, rooms) when the delivery arrived. */
  sockets: SocketInfo[];
  /** Whether the broadcast switch was on. */
  broadcast: boolean;
}

/** Decides from one delivery of the live trace whether a challenge is done. */
export type ChallengeCheck = (delivery: Delivery, context: ChallengeContext) => boolean;

const inNamespace = (sockets: SocketInfo[], nsp: string): SocketInfo[] => sockets.filter((socket) => socket.nsp === nsp);
const idsIn = (sockets: SocketInfo[], nsp: string, room: string): string[] =>
  inNamespace(sockets, nsp).filter((socket) => socket.rooms.includes(room)).map((socket) => socket.socketId);
const reachedIds = (delivery: Delivery): string[] => delivery.reached.map((recipient) => recipient.socketId);
/** Exactly these sockets, each once. */
const reachedExactly = (delivery: Delivery, ids: string[]): boolean => {
  const reached = reachedIds(delivery);
  return reached.length === ids.length && new Set(reached).size === reached.length && ids.every((id) => reached.includes(id));
};
const socketNamed = (sockets: SocketInfo[], nsp: string, client: string | undefined): SocketInfo | undefined =>
  sockets.find((socket) => socket.nsp === nsp && socket.client === client);
/** A room a program or learner named, not a socket's own-id room. */
const isNamedRoom = (sockets: SocketInfo[], room: string): boolean => !sockets.some((socket) => socket.socketId === room);

/** Every socket of the delivery's namespace but one, that one still connected, and someone else got it. */
function allButOne(delivery: Delivery, sockets: SocketInfo[]): SocketInfo | undefined {
  const everyone = inNamespace(sockets, delivery.nsp);
  const reached = reachedIds(delivery);
  const left = everyone.filter((socket) => !reached.includes(socket.socketId));
  if (left.length !== 1 || everyone.length < 2) return undefined;
  return reachedExactly(delivery, everyone.filter((socket) => socket !== left[0]).map((socket) => socket.socketId)) ? left[0] : undefined;
}

/**
 * Every challenge of `lessons/*.md`, by id. A challenge is done when one delivery, made while its step is
 * open, passes its check, whichever way (card buttons or console) the learner made it. Each asks for
 * something the step's text does not spell out, and checks the shape of the call, not only who got it.
 *
 * @example
 * const done = challengeChecks["lobby-xor-vip"](delivery, { sockets: session.sockets, broadcast: false });
 */
export const challengeChecks: Record<string, ChallengeCheck> = {
  /** Chat, broadcast on: one `chat message` to every socket of `/`, as `io.emit` does, though the program now skips the sender. */
  "chat-everyone": (delivery, { sockets, broadcast }) => {
    const everyone = inNamespace(sockets, "/").map((socket) => socket.socketId);
    return broadcast && delivery.nsp === "/" && delivery.event === "chat message" && everyone.length > 1 && reachedExactly(delivery, everyone);
  },

  /** Chat: a `user joined` for C that everyone but C got, made by hand (nobody picked a nickname). */
  "chat-announce": (delivery, { sockets }) => {
    if (delivery.event !== "user joined" || delivery.source !== "console") return false;
    return allButOne(delivery, sockets)?.client === "C";
  },

  /** Broadcast, switch off: everyone but A in one emit (`socket("A").broadcast.emit`, or `io.except(A's id)`). */
  "everyone-but-sender": (delivery, { sockets, broadcast }) => !broadcast && delivery.nsp === "/" && allButOne(delivery, sockets)?.client === "A",

  /** Broadcast: B alone, through the room named after its id (`io.to(B's id)`), not a direct `socket.emit`. */
  "own-room-message": (delivery, { sockets }) => {
    const b = socketNamed(sockets, "/", "B");
    if (!b || delivery.nsp !== "/" || !delivery.broadcast) return false;
    return delivery.broadcast.rooms.length === 1 && delivery.broadcast.rooms[0] === b.socketId && reachedExactly(delivery, [b.socketId]);
  },

  /** Rooms: one emit that reached the sockets in exactly one of `lobby` and `vip`, aimed at those two rooms. */
  "lobby-xor-vip": (delivery, { sockets }) => {
    const rooms = delivery.broadcast?.rooms ?? [];
    if (!rooms.includes("lobby") || !rooms.includes("vip")) return false;
    const lobby = idsIn(sockets, delivery.nsp, "lobby");
    const vip = idsIn(sockets, delivery.nsp, "vip");
    const onlyLobby = lobby.filter((id) => !vip.includes(id));
    const onlyVip = vip.filter((id) => !lobby.includes(id));
    const both = lobby.filter((id) => vip.includes(id));
    return onlyLobby.length > 0 && onlyVip.length > 0 && both.length > 0 && reachedExactly(delivery, [...onlyLobby, ...onlyVip]);
  },

  /** Rooms: a `user left` from a socket to a room it is in, reaching the room's other members only (`socket.to(room)`). */
  "room-but-sender": (delivery, { sockets }) => {
    const sender = socketNamed(sockets, delivery.nsp, delivery.from);
    if (delivery.event !== "user left" || !sender || !delivery.broadcast) return false;
    return delivery.broadcast.rooms.some((room) => {
      if (!isNamedRoom(sockets, room) || !sender.rooms.includes(room)) return false;
      const others = idsIn(sockets, delivery.nsp, room).filter((id) => id !== sender.socketId);
      return others.length > 0 && reachedExactly(delivery, others);
    });
  },

  /** Scaling: an emit to the room `everyone` that reached every member of it, members on both servers (the adapter on). */
  "room-across-servers": (delivery, { sockets }) => {
    const rooms = delivery.broadcast?.rooms ?? [];
    if (delivery.nsp !== "/" || rooms.length !== 1 || rooms[0] !== "everyone") return false;
    const members = inNamespace(sockets, "/").filter((socket) => socket.rooms.includes("everyone"));
    const servers = new Set(members.map((socket) => socket.node));
    return servers.size > 1 && reachedExactly(delivery, members.map((socket) => socket.socketId));
  },

  /** Namespaces: A got past the `/admin` middleware and sent there (the admin handler's emit, triggered by A). */
  "admin-from-a": (delivery) => delivery.nsp === "/admin" && delivery.source === "program" && delivery.trigger?.client === "A",

  /** Namespaces: a namespace-wide emit on `/tenant-acme` that reached all of it while other namespaces have clients. */
  "only-tenant-acme": (delivery, { sockets }) => {
    const acme = inNamespace(sockets, "/tenant-acme").map((socket) => socket.socketId);
    const elsewhere = sockets.some((socket) => socket.nsp !== "/tenant-acme");
    const wholeNamespace = delivery.broadcast !== undefined && delivery.broadcast.rooms.length === 0 && delivery.broadcast.except.length === 0 && !delivery.from;
    return delivery.nsp === "/tenant-acme" && wholeNamespace && elsewhere && acme.length > 0 && reachedExactly(delivery, acme);
  },

  /** Acknowledgements: one `question` to everyone but C, waiting at most 1.5 s for the answers (`timeout` on a broadcast). */
  "ask-all-but-c": (delivery, { sockets }) => {
    const timeout = delivery.broadcast?.timeout;
    return delivery.event === "question" && timeout !== undefined && timeout <= 1500 && allButOne(delivery, sockets)?.client === "C";
  },

  /**
   * Recovery: an emit to all of `/` that connection state recovery never keeps and that is not volatile (the
   * step's text shows that one): one waiting for acknowledgements, `.timeout(…)`. A plain `io.emit` is kept.
   */
  "ack-emit-not-kept": (delivery) => {
    const wholeNamespace = delivery.broadcast !== undefined && delivery.broadcast.rooms.length === 0 && delivery.broadcast.except.length === 0;
    return delivery.nsp === "/" && wholeNamespace && /\.timeout\(/.test(delivery.call) && !/\.volatile\b/.test(delivery.call);
  },

  /**
   * Delivery: the program sends C alone the first stored message (offset 1) as it connects, which it does for a
   * client whose `auth.serverOffset` is 0: the whole history. A and B get theirs in the step's text.
   */
  "history-for-newcomer": (delivery) =>
    delivery.source === "program" &&
    delivery.nsp === "/" &&
    delivery.event === "chat message" &&
    delivery.broadcast === undefined &&
    delivery.args[1] === 1 &&
    delivery.reached.length === 1 &&
    delivery.reached[0].client === "C",
};
