/** Runs a console line on the sandbox's real Socket.IO objects (never re-implementing delivery) and says what happened. */
import type { RemoteSocket, Server, Socket } from "socket.io";
import type { AckResult, ConsoleLine, ConsoleReply } from "../../contract/protocol.ts";
import { helpLines } from "../../contract/console/console-help.ts";
import { parseCommand } from "../../contract/console/console-parser.ts";
import { printChain, type ChainStep, type ChainTarget } from "../../contract/console/console-printer.ts";
import { compareClientNames } from "../../contract/client-names.ts";

/** What the console needs from its sandbox. */
export interface ConsoleEnv {
  /** The sandbox's real socket.io Server. */
  io: Server;
  /** Server-side socket of client "A" / "External 1", or the socket with that id. */
  socket(name: string): Socket | undefined;
  /** "A", "External 1", or the id if unknown. */
  nameOf(socketId: string): string;
  /**
   * Runs `emit` (which performs the real emit) and returns the names of sockets the adapter reached;
   * `sender` is the socket a `socket("A")…` command starts from. Through Redis the other servers deliver later:
   * the names then come once they have.
   */
  traceEmit(call: string, emit: () => void, sender?: Socket): string[] | Promise<string[]>;
  clients(): { name: string; socketId: string; nsp: string }[];
}

/** The members the console calls: Server, Namespace, BroadcastOperator and Socket each have those the grammar allows them. */
interface Chainable {
  of(name: string): Chainable;
  readonly sockets: Chainable;
  compress(on: boolean): Chainable;
  to(room: string): Chainable;
  in(room: string): Chainable;
  except(room: string): Chainable;
  readonly broadcast: Chainable;
  readonly volatile: Chainable;
  readonly local: Chainable;
  timeout(ms: number): Chainable;
  emit(event: string, ...args: unknown[]): boolean;
  fetchSockets(): Promise<RemoteSocket<Record<string, never>, unknown>[]>;
  socketsJoin(room: string): void;
  socketsLeave(room: string): void;
  disconnectSockets(): void;
}

type Reply = AckResult<ConsoleReply>;

const log = (text: string): ConsoleLine => ({ level: "log", text });
const done = (...lines: ConsoleLine[]): Reply => ({ ok: true, data: { lines } });
const refuse = (error: string): Reply => ({ ok: false, error });

/**
 * Parses and runs one console line. A line that does not parse runs nothing and answers
 * `{ ok: false, error, position }`; a call Socket.IO refuses answers `{ ok: false, error }`.
 *
 * @example
 * await runCommand('io.to("lobby").emit("news", 1)', env); // { ok: true, data: { lines: [{ level: "log", text: "→ A, B" }] } }
 * await runCommand('io.to("r").join("x")', env); // { ok: false, error: 'io.to("r") has no .join(): …', position: 11 }
 */
export async function runCommand(line: string, env: ConsoleEnv): Promise<Reply> {
  if (line.trim() === "") return done();
  const parsed = parseCommand(line);
  if (!parsed.ok) return { ok: false, error: parsed.error.message, position: parsed.error.position };
  const { command } = parsed;
  if (command.kind === "help") return done(...helpLines());
  if (command.kind === "clear") return { ok: true, data: { lines: [], clear: true } };
  if (command.kind === "clients") return done(...clientLines(env));
  try {
    return await runChain(command.target, command.steps, env);
  } catch (error) {
    return refuse(`Socket.IO refused ${printChain(command.target, command.steps)}: ${(error as Error).message}.`);
  }
}

async function runChain(target: ChainTarget, steps: ChainStep[], env: ConsoleEnv): Promise<Reply> {
  const socket = target.kind === "socket" ? env.socket(target.name) : undefined;
  if (target.kind === "socket" && !socket) return refuse(unknownClient(target.name, env));
  const call = printChain(target, steps);
  let value = (socket ?? env.io) as unknown as Chainable;
  let timeout: number | undefined;
  let oneSocket = socket !== undefined;
  if (steps.length === 0 && socket) return done(log(`${env.nameOf(socket.id)}: id ${socket.id}, namespace ${socket.nsp.name}, rooms ${roomList(socket)}`));
  for (const step of steps) {
    switch (step.name) {
      case "of": {
        const name = step.arg.startsWith("/") ? step.arg : `/${step.arg}`;
        if (!env.io._nsps.has(name)) return refuse(unknownNamespace(name, env.io));
        value = value.of(name);
        break;
      }
      case "sockets":
        value = value.sockets;
        break;
      case "compress":
        value = value.compress(step.on);
        break;
      case "to":
      case "in":
      case "except":
        oneSocket = false;
        value = value[step.name](step.arg);
        break;
      case "broadcast":
      case "local":
        oneSocket = false;
        value = value[step.name];
        break;
      case "volatile":
        value = value.volatile;
        break;
      case "timeout":
        timeout = step.ms;
        value = value.timeout(step.ms);
        break;
      case "emit":
        return emit(value, step.event, step.args, { call, timeout, from: oneSocket ? target : undefined, sender: socket }, env);
      case "fetchSockets": {
        const found = await value.fetchSockets();
        if (found.length === 0) return done(log("No sockets match."));
        return done(log(`${found.length} socket${found.length === 1 ? "" : "s"}:`), ...found.map((remote) => log(`  ${env.nameOf(remote.id)}  id ${remote.id}  rooms ${roomList(remote)}`)));
      }
      case "disconnectSockets": {
        const names = await namesOf(value, env);
        value.disconnectSockets();
        return done(log(names.length ? `Disconnected ${names.join(", ")}; their clients will not reconnect on their own.` : "No sockets match, so nobody was disconnected."));
      }
      case "socketsJoin":
      case "socketsLeave": {
        const names = await namesOf(value, env);
        value[step.name](step.arg);
        const verb = step.name === "socketsJoin" ? "joined" : "left";
        return done(log(names.length ? `${names.join(", ")} ${verb} ${JSON.stringify(step.arg)}.` : `No sockets match, so nobody ${verb} ${JSON.stringify(step.arg)}.`));
      }
      case "join":
      case "leave": {
        const member = socket!.rooms.has(step.arg);
        await socket![step.name](step.arg);
        const note = step.name === "leave" && !member ? ` (it was not in ${JSON.stringify(step.arg)})` : "";
        return done(log(`${env.nameOf(socket!.id)} is now in ${roomList(socket!)}${note}.`));
      }
      case "rooms":
        return done(log(`${socket!.rooms.size} room${socket!.rooms.size === 1 ? "" : "s"}: ${roomList(socket!)}`));
      case "id":
        return done(log(socket!.id));
      case "disconnect":
        socket!.disconnect();
        return done(log(`Disconnected ${env.nameOf(socket!.id)} from ${socket!.nsp.name}; its client will not reconnect on its own ("io server disconnect").`));
    }
  }
  throw new Error(`the console could not finish ${call}`);
}

interface EmitContext {
  call: string;
  timeout: number | undefined;
  /** Set when the emit is a single socket's own `socket.emit`, whose ack answers with that socket's arguments. */
  from: ChainTarget | undefined;
  /** The socket the chain starts from, if it starts from one. */
  sender: Socket | undefined;
}

async function emit(value: Chainable, event: string, args: unknown[], context: EmitContext, env: ConsoleEnv): Promise<Reply> {
  let reached: string[] = [];
  // Recipients in card order, whatever order the sockets connected in (a reconnected B still reads "→ B, C").
  const recipients = () => (reached.length ? [...reached].sort(compareClientNames).join(", ") : "nobody");
  if (context.timeout === undefined) {
    reached = await env.traceEmit(context.call, () => value.emit(event, ...args), context.sender);
    return done(log(`→ ${recipients()}`));
  }
  let traced: string[] | Promise<string[]> = [];
  const answer = await new Promise<{ error: Error | null; responses: unknown[] }>((resolve) => {
    const ack = context.from
      ? (error: Error | null, ...responses: unknown[]) => resolve({ error, responses })
      : (error: Error | null, responses: unknown[]) => resolve({ error, responses: responses ?? [] });
    traced = env.traceEmit(context.call, () => value.emit(event, ...args, ack), context.sender);
  });
  reached = await traced;
  const sent = log(`→ ${recipients()}`);
  const values = answer.responses.map((response) => JSON.stringify(response) ?? String(response)).join(", ");
  if (context.from) {
    const name = reached[0] ?? "The socket";
    if (answer.error) return done(sent, { level: "warn", text: `${name} did not answer within ${context.timeout} ms.` });
    return done(sent, log(`${name} answered${values ? `: ${values}` : " (no data)"}`));
  }
  if (reached.length === 0) return done(sent);
  const count = `${answer.responses.length} of ${reached.length} answered`;
  if (answer.error) return done(sent, { level: "warn", text: `Timed out after ${context.timeout} ms: ${count}${values ? `: ${values}` : ""}.` });
  return done(sent, log(`${count}: ${values}`));
}

/** The names of the sockets a call would act on, asked of the real adapter. */
async function namesOf(value: Chainable, env: ConsoleEnv): Promise<string[]> {
  return (await value.fetchSockets()).map((remote) => env.nameOf(remote.id)).sort(compareClientNames);
}

function clientLines(env: ConsoleEnv): ConsoleLine[] {
  const clients = env.clients();
  if (clients.length === 0) return [log("No clients are connected: press Add client, or connect your own.")];
  const width = Math.max(...clients.map((client) => client.name.length)) + 2;
  return clients.map((client) => log(`${client.name.padEnd(width)}namespace ${client.nsp}  id ${client.socketId}`));
}

function unknownClient(name: string, env: ConsoleEnv): string {
  const names = env.clients().map((client) => client.name);
  return names.length
    ? `No client named ${JSON.stringify(name)}: the clients are ${[...new Set(names)].join(", ")}.`
    : `No client named ${JSON.stringify(name)}: no clients are connected yet, so press Add client first.`;
}

function unknownNamespace(name: string, io: Server): string {
  const names = [...io._nsps.keys()].join(", ");
  return `No namespace ${name} exists on this server (the console never creates one): use one of ${names}.`;
}

/** A socket's rooms as text, its own-id room named as such. */
function roomList(socket: { id: string; rooms: Iterable<string> }): string {
  return [...socket.rooms].map((room) => (room === socket.id ? `${JSON.stringify(room)} (its own id)` : JSON.stringify(room))).join(", ");
}
