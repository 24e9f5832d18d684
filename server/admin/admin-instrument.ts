/** Installs `@socket.io/admin-ui`'s server side on one run of a sandbox, read-only, and undoes what it leaves behind. */
import { instrument } from "@socket.io/admin-ui";
import type { Namespace, Server, Socket } from "socket.io";
import { adminNamespace, type AdminAccess } from "./admin-access.ts";

/**
 * Runs `instrument(io, …)` on the admin namespace with the sandbox's credentials, in development mode (every
 * event is shown), read-only (the Admin UI watches; the console is where the owner acts). Sockets that connected
 * before get the per-socket listeners `instrument` would have given them. Returns the function that stops it.
 *
 * @example
 * const stop = instrumentAdmin(io, access, "server 1");
 * io.close(); stop();
 */
export function instrumentAdmin(io: Server, access: AdminAccess, serverId: string): () => void {
  // admin-ui 0.5 starts a stats interval that it never clears (initStatsEmitter in lib/index.ts), which would
  // keep every closed run's server alive: catch the interval it starts, synchronously, so the run can clear it.
  const timers: NodeJS.Timeout[] = [];
  const setIntervalBefore = globalThis.setInterval;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    const timer = setIntervalBefore(...args);
    timers.push(timer);
    return timer;
  }) as typeof setInterval;
  try {
    instrument(io, { namespaceName: adminNamespace, auth: access.auth, store: access.store, readonly: true, mode: "development", serverId });
  } finally {
    globalThis.setInterval = setIntervalBefore;
  }
  const admin = io.of(adminNamespace);
  for (const nsp of namespacesOf(io)) {
    if (nsp !== admin) for (const socket of nsp.sockets.values()) watchEarlier(admin, socket);
  }
  return () => timers.forEach(clearInterval);
}

/**
 * What `instrument` does for each socket that connects after it (registerVerboseListeners in lib/index.ts), for
 * one that was already there: its events both ways, its transport and its disconnection reach the Admin UI.
 */
function watchEarlier(admin: Namespace, socket: Socket): void {
  const nsp = socket.nsp.name;
  socket.data ??= {};
  socket.data._admin = { clientId: (socket.conn as unknown as { id: string }).id.slice(0, 12), transport: socket.conn.transport.name };
  socket.onAny((...args: unknown[]) => {
    const shown = typeof args.at(-1) === "function" ? args.slice(0, -1) : args;
    admin.emit("event_received", nsp, socket.id, shown, new Date());
  });
  socket.onAnyOutgoing((...args: unknown[]) => admin.emit("event_sent", nsp, socket.id, args, new Date()));
  socket.conn.once("upgrade", (transport: { name: string }) => {
    socket.data._admin.transport = transport.name;
    admin.emit("socket_updated", { id: socket.id, nsp, transport: transport.name });
  });
  socket.once("disconnect", (reason) => admin.emit("socket_disconnected", nsp, socket.id, reason, new Date()));
}

/**
 * The admin namespace's own gate, run before `instrument`'s: only a handshake with the right password keeps it
 * (then `instrument` checks it again, with bcrypt, and opens a session); anything else is tried as a session id
 * alone, so a stranger's guesses never reach the bcrypt comparison. `access` is undefined while the owner has
 * not asked for the Admin UI: everyone is refused.
 *
 * @example
 * io.of(adminNamespace).use(adminGate(() => access));
 */
export function adminGate(access: () => AdminAccess | undefined): (socket: Socket, next: (error?: Error) => void) => void {
  return (socket, next) => {
    const given = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const current = access();
    if (!current) return next(new Error("invalid credentials"));
    socket.handshake.auth = current.matches(given.password)
      ? { username: given.username, password: given.password }
      : { sessionId: typeof given.sessionId === "string" ? given.sessionId : undefined };
    next();
  };
}

function namespacesOf(io: Server): Namespace[] {
  // Socket.IO keeps its namespaces in `_nsps` (what admin-ui itself iterates).
  return [...(io as unknown as { _nsps: Map<string, Namespace> })._nsps.values()];
}
