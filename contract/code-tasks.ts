/** The lessons' code tasks, each a pure check of the live trace of a run of the learner's own code. */
import type { Delivery, FeedEntry, SocketInfo } from "./protocol.ts";

/** A client of the sandbox as it sees itself: which namespace it asked for, with what token, and whether it was refused. */
export interface TaskClient {
  /** "A", "B", … (the server's name for it). */
  name: string;
  nsp: string;
  /** The `auth.token` it sends ("" for none). */
  auth: string;
  /** The `connect_error` message when the server refused it (a middleware's `next(new Error(…))`). */
  refused?: string;
}

/** What a code-task check reads: the live trace of ONE run of learner code, and the sockets and clients now. */
export interface TaskTrace {
  /** The run's deliveries, oldest first. */
  deliveries: readonly Delivery[];
  /** The run's console feed: events the clients sent, connections, the program's logs. */
  feed: readonly FeedEntry[];
  /** The sockets as the server sees them now. */
  sockets: readonly SocketInfo[];
  /** The clients that tried to connect, as they saw it (refusals never reach the trace). */
  clients: readonly TaskClient[];
}

/** Decides from a run's live trace whether a code task is done. */
export type CodeTaskCheck = (trace: TaskTrace) => boolean;

const names = (sockets: readonly SocketInfo[]): string[] => sockets.map((socket) => socket.client);
const reachedNames = (delivery: Delivery): string[] => delivery.reached.map((recipient) => recipient.client);
const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && a.every((name) => b.includes(name));
const fromProgram = (trace: TaskTrace): Delivery[] => trace.deliveries.filter((delivery) => delivery.source === "program");

/** The `event` messages clients sent to the server (from the feed), with their first argument. */
function sent(trace: TaskTrace, event: string): Array<{ client: string; nsp: string; first: unknown }> {
  return trace.feed.flatMap((entry) =>
    entry.kind === "event" && entry.event === event && entry.client ? [{ client: entry.client, nsp: entry.nsp ?? "/", first: entry.args?.[0] }] : [],
  );
}

/**
 * A `chat message` some client sent reached every other socket of its namespace and never came back to the
 * sender: the emits its handler made, taken together (`socket.broadcast.emit` or anything equivalent).
 */
function noEcho(trace: TaskTrace): boolean {
  const handled = fromProgram(trace);
  return sent(trace, "chat message").some(({ client, nsp, first }) => {
    const answers = handled.filter(
      (delivery) =>
        delivery.trigger?.client === client &&
        delivery.trigger.event === "chat message" &&
        delivery.event === "chat message" &&
        delivery.nsp === nsp &&
        delivery.args[0] === first,
    );
    const reached = new Set(answers.flatMap(reachedNames));
    const others = names(trace.sockets.filter((socket) => socket.nsp === nsp)).filter((name) => name !== client);
    return answers.length > 0 && others.length > 0 && !reached.has(client) && others.every((name) => reached.has(name));
  });
}

/**
 * After a poll, everyone got its answers: a program emit of `poll results` whose first argument is the
 * non-empty list of answers, made after a `question` broadcast and reaching every socket of its namespace.
 */
function pollResults(trace: TaskTrace): boolean {
  const handled = fromProgram(trace);
  return handled.some((results, index) => {
    const answers = results.args[0];
    if (results.event !== "poll results" || !Array.isArray(answers) || answers.length === 0) return false;
    if (!answers.every((answer) => typeof answer === "string")) return false;
    const asked = handled.slice(0, index).some((question) => question.event === "question" && question.broadcast !== undefined && question.nsp === results.nsp);
    const everyone = names(trace.sockets.filter((socket) => socket.nsp === results.nsp));
    return asked && everyone.length > 1 && sameSet(reachedNames(results), everyone);
  });
}

/**
 * After a client left a room, its handler told the room: one emit reached exactly the sockets still in that
 * room — not the one who left, and nobody outside the room.
 */
function roomHearsLeave(trace: TaskTrace): boolean {
  const handled = fromProgram(trace);
  return sent(trace, "leave").some(({ client, nsp, first: room }) => {
    if (typeof room !== "string") return false;
    const stayed = names(trace.sockets.filter((socket) => socket.nsp === nsp && socket.rooms.includes(room) && socket.client !== client));
    if (stayed.length === 0) return false;
    return handled.some(
      (delivery) =>
        delivery.trigger?.client === client &&
        delivery.trigger.event === "leave" &&
        delivery.nsp === nsp &&
        sameSet(reachedNames(delivery), stayed),
    );
  });
}

const isTenant = (nsp: string): boolean => /^\/tenant-[a-z]+$/.test(nsp);

/**
 * A tenant namespace refuses a client that came without a name (auth token), lets the named ones in, and greets
 * each of them alone with a text that holds its name and its tenant.
 */
function tenantGuardAndGreeting(trace: TaskTrace): boolean {
  const tenantClients = trace.clients.filter((client) => isTenant(client.nsp));
  const nameless = tenantClients.filter((client) => client.auth === "");
  const refusedNameless = nameless.some((client) => client.refused !== undefined);
  const letInNameless = nameless.some((client) => trace.sockets.some((socket) => socket.client === client.name && socket.nsp === client.nsp));
  if (!refusedNameless || letInNameless) return false;
  // Every named client let in was greeted on its own: a greeting to the whole tenant does not count.
  const admitted = tenantClients.filter(
    (client) => client.auth !== "" && trace.sockets.some((socket) => socket.client === client.name && socket.nsp === client.nsp),
  );
  const greetedAlone = (client: TaskClient): boolean => {
    const tenant = client.nsp.slice("/tenant-".length);
    return fromProgram(trace).some((delivery) => {
      const text = JSON.stringify(delivery.args);
      return delivery.nsp === client.nsp && sameSet(reachedNames(delivery), [client.name]) && text.includes(client.auth) && text.includes(tenant);
    });
  };
  return admitted.length > 0 && admitted.every(greetedAlone);
}

/**
 * Recovery: the program greets a recovered socket — one that connected earlier in this run and came back with
 * the same id — with `welcome back`, to it alone, and never greets a socket that connected only once (a new
 * session).
 */
function welcomeBack(trace: TaskTrace): boolean {
  const connections = new Map<string, number>();
  for (const entry of trace.feed) {
    if (entry.kind === "connection" && entry.socketId) connections.set(entry.socketId, (connections.get(entry.socketId) ?? 0) + 1);
  }
  const greetings = fromProgram(trace).filter((delivery) => delivery.event === "welcome back");
  const recoveredAlone = (delivery: Delivery): boolean =>
    delivery.reached.length === 1 && (connections.get(delivery.reached[0].socketId) ?? 0) >= 2;
  return greetings.length > 0 && greetings.every(recoveredAlone);
}

/**
 * Every code task of `lessons/*.md`, by id (front matter `steps[i].task.id`). A task is done when the trace of
 * a run of the learner's code passes its check; the built-in program never counts.
 *
 * @example
 * const done = codeTaskChecks["broadcast-but-sender"]({ deliveries, feed, sockets, clients });
 */
export const codeTaskChecks: Record<string, CodeTaskCheck> = {
  /** Chat homework: the sender's page shows its own message, so the server must not echo it back. */
  "chat-no-echo": noEcho,
  /** Broadcast: `io.emit` becomes `socket.broadcast.emit`: B and C get A's message, A does not. */
  "broadcast-but-sender": noEcho,
  /** Rooms: when someone leaves a room, the others in that room hear about it. */
  "rooms-announce-leave": roomHearsLeave,
  /** Namespaces: a tenant middleware refuses clients without a name, and a greeting names the user and the tenant. */
  "tenant-guard-greeting": tenantGuardAndGreeting,
  /** Acknowledgements: once a poll's answers are in, everyone gets them. */
  "poll-results": pollResults,
  /** Recovery: a recovered socket, and only one, is told `welcome back`. */
  "welcome-back": welcomeBack,
};
