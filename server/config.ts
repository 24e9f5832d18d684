/** The live server's limits and timeouts, with the environment variables that override them. */
import { fileURLToPath } from "node:url";

export interface PlaygroundOptions {
  /** Live sandboxes at most (`SANDBOX_MAX`); one more is refused with 503. */
  maxSandboxes: number;
  /** Sockets per sandbox at most, over all namespaces (`SANDBOX_MAX_SOCKETS`). */
  maxSocketsPerSandbox: number;
  /** A sandbox with no sockets and no owner for this long is closed (`SANDBOX_IDLE_MS`). */
  idleMs: number;
  /** Largest event payload a program sees, in bytes (`SANDBOX_MAX_PAYLOAD`). */
  maxPayloadBytes: number;
  /** Events per socket per second; the rest are dropped with one warning a second (`SANDBOX_MAX_RATE`). */
  maxEventsPerSecond: number;
  /** Bytes of emits a sandbox keeps per namespace for connection state recovery (`SANDBOX_RECOVERY_BYTES`). */
  recoveryBytes: number;
  /** Bytes one sandbox's SQL database may hold (the delivery lesson's messages table); more is refused (`SANDBOX_STORE_BYTES`). */
  storeBytes: number;
  /** Bytes every sandbox's SQL database may hold together; more is refused (`SANDBOX_STORE_TOTAL_BYTES`). */
  storeTotalBytes: number;
  /** Feed lines and deliveries kept for an owner that reconnects (`SANDBOX_BACKLOG`). */
  backlog: number;
  /** CPU time one run of learner code (a handler, a timer, its promise jobs) may use, in ms; more stops it (`SANDBOX_CODE_TIME_MS`). */
  codeTimeMs: number;
  /** CPU time learner code may use within any one second, in ms; more stops it (`SANDBOX_CODE_CPU_MS`). */
  codeCpuMs: number;
  /** Memory of one sandbox's QuickJS engine, in bytes (`SANDBOX_CODE_MEMORY`). */
  codeMemoryBytes: number;
  /** Stack of one sandbox's QuickJS engine, in bytes (`SANDBOX_CODE_STACK`). */
  codeStackBytes: number;
  /** Timers learner code may have pending at once (`SANDBOX_CODE_TIMERS`). */
  codeTimers: number;
  /** Console output learner code may print per second, in bytes; the rest is dropped with one warning (`SANDBOX_CODE_CONSOLE`). */
  codeConsoleBytes: number;
  /** Worker threads that run learner code's engines, off the thread that serves every sandbox (`SANDBOX_CODE_WORKERS`, at least 1). */
  codeWorkers: number;
  /** Wall-clock time one call into learner code may keep its worker thread before the thread is terminated (`SANDBOX_CODE_DEADLINE_MS`). */
  codeDeadlineMs: number;
  /** Time all learner code together may keep the worker threads busy within one second, in ms (`SANDBOX_CODE_TOTAL_MS`). */
  codeTotalMs: number;
  /** Sandboxes one client address may create per window (`SANDBOX_CREATE_QUOTA`); 0 turns the quota off. */
  createQuota: number;
  /** The window of that quota, in ms (`SANDBOX_CREATE_WINDOW_MS`). */
  createWindowMs: number;
  /** Folder where sandboxes are kept across restarts (`PLAYGROUND_DATA`); "" keeps nothing. */
  dataDir: string;
  /**
   * This process's name among several behind a load balancer (`PLAYGROUND_PROCESS`, see docs/deploy.md): every
   * sandbox id it makes starts with it (`p1.<128 random bits>`), so the balancer routes a sandbox's requests here.
   * "" (one process): ids are the random part alone.
   */
  processName: string;
  /**
   * `REDIS_URL`: when set, the scaling lesson's Adapter switch links a sandbox's servers with
   * `@socket.io/redis-adapter` through this Redis (one pub and one sub connection for the whole process); unset,
   * or while Redis is unreachable, with socket.io-adapter's cluster adapter over an in-process bus.
   */
  redisUrl?: string;
  /**
   * Bytes one sandbox may hold for its owner: console lines, deliveries, warnings, the backlog and the batch not
   * yet sent, together (`SANDBOX_FEED_BYTES`); the oldest entries go first. Payloads in them are cut to
   * `shownPayloadBytes` and say their real size.
   */
  feedBytes: number;
  /** Namespaces one sandbox may have at once, the program's own included; participants cannot make more (`SANDBOX_MAX_NAMESPACES`). */
  maxNamespaces: number;
  /**
   * Bytes waiting to be sent to one connection; past it, a connection that has taken nothing for 250 ms is a slow
   * reader and is closed (any at 8×, and a sandbox's connections together hold at most 4×) (`SANDBOX_MAX_QUEUED`).
   */
  maxQueuedBytes: number;
}

/** Where `npm start` and `npm run dev` keep sandboxes unless `PLAYGROUND_DATA` says otherwise (gitignored). */
export const projectDataDir = fileURLToPath(new URL("../.data", import.meta.url));

export const defaultOptions: PlaygroundOptions = {
  maxSandboxes: 1000,
  maxSocketsPerSandbox: 64,
  idleMs: 10 * 60_000,
  maxPayloadBytes: 64 * 1024,
  maxEventsPerSecond: 200,
  backlog: 500,
  recoveryBytes: 256 * 1024,
  storeBytes: 256 * 1024,
  storeTotalBytes: 64 * 2 ** 20,
  codeTimeMs: 250,
  codeCpuMs: 500,
  codeMemoryBytes: 8 * 2 ** 20,
  codeStackBytes: 256 * 1024,
  codeTimers: 64,
  codeConsoleBytes: 64 * 1024,
  codeWorkers: 2,
  codeDeadlineMs: 1000,
  codeTotalMs: 1000,
  createQuota: 50,
  createWindowMs: 10 * 60_000,
  dataDir: "",
  processName: "",
  feedBytes: 256 * 1024,
  maxNamespaces: 32,
  maxQueuedBytes: 512 * 1024,
};

/** What a process name may be: it starts sandbox ids, which appear in URL paths and HAProxy rules. */
export const processNamePattern = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Fixed limits on what one Socket.IO packet from a participant may hold, besides its bytes (`maxPayloadBytes`):
 * measured on the packet's text before it is parsed, so nothing deep or wide ever reaches a program.
 */
export const packetShape = {
  /** Arrays and objects inside each other: `["x", {"a": [1]}]` is 3 deep. */
  depth: 32,
  /** Object keys over the whole packet. */
  keys: 4096,
  /** String values over the whole packet, the event name included. */
  strings: 4096,
  /** Characters of an event name or a namespace name. */
  nameChars: 100,
  /** Namespaces one Engine.IO connection may be connected (or connecting) to at once. */
  namespacesPerConnection: 10,
} as const;

/**
 * Rooms: server state a participant can make grow by sending names to `socket.join`. Socket.IO has no limit;
 * these keep a sandbox's rooms within 64 sockets × 50 rooms × 100 characters.
 */
export const roomLimits = {
  /** Rooms one socket may be in within a namespace, the room of its own id not counted. */
  perSocket: 50,
  /** Characters of one room name. */
  nameChars: 100,
} as const;

/** How much of one payload or console line a sandbox keeps for its owner; the rest is cut and its real size shown. */
export const shownPayloadBytes = 1024;

/**
 * The Socket.IO servers on the shared port, and what each accepts: the largest Engine.IO message it reads
 * (`maxHttpBufferSize`; a larger one closes that connection) and whether pages of any origin may poll it.
 *
 * @example
 * socketServers.sandbox.maxFrameBytes; // 1000000
 */
export const socketServers = {
  /** A learner's sandbox: participants connect from anywhere; events over `maxPayloadBytes` are refused later, by the guard. */
  sandbox: { maxFrameBytes: 1_000_000, anyOrigin: true },
  /** The owner's control channel: settings and one-line console commands, from the playground page only. */
  control: { maxFrameBytes: 100_000, anyOrigin: false },
  /** The answer to an unknown sandbox id: it reads a handshake, then refuses. */
  refusal: { maxFrameBytes: 10_000, anyOrigin: true },
} as const;

export type SocketServerKind = keyof typeof socketServers;

type NumberOption = { [K in keyof PlaygroundOptions]-?: PlaygroundOptions[K] extends number ? K : never }[keyof PlaygroundOptions];

const envNames: Record<NumberOption, string> = {
  maxSandboxes: "SANDBOX_MAX",
  maxSocketsPerSandbox: "SANDBOX_MAX_SOCKETS",
  idleMs: "SANDBOX_IDLE_MS",
  maxPayloadBytes: "SANDBOX_MAX_PAYLOAD",
  maxEventsPerSecond: "SANDBOX_MAX_RATE",
  backlog: "SANDBOX_BACKLOG",
  recoveryBytes: "SANDBOX_RECOVERY_BYTES",
  storeBytes: "SANDBOX_STORE_BYTES",
  storeTotalBytes: "SANDBOX_STORE_TOTAL_BYTES",
  codeTimeMs: "SANDBOX_CODE_TIME_MS",
  codeCpuMs: "SANDBOX_CODE_CPU_MS",
  codeMemoryBytes: "SANDBOX_CODE_MEMORY",
  codeStackBytes: "SANDBOX_CODE_STACK",
  codeTimers: "SANDBOX_CODE_TIMERS",
  codeConsoleBytes: "SANDBOX_CODE_CONSOLE",
  codeWorkers: "SANDBOX_CODE_WORKERS",
  codeDeadlineMs: "SANDBOX_CODE_DEADLINE_MS",
  codeTotalMs: "SANDBOX_CODE_TOTAL_MS",
  createQuota: "SANDBOX_CREATE_QUOTA",
  createWindowMs: "SANDBOX_CREATE_WINDOW_MS",
  feedBytes: "SANDBOX_FEED_BYTES",
  maxNamespaces: "SANDBOX_MAX_NAMESPACES",
  maxQueuedBytes: "SANDBOX_MAX_QUEUED",
};

/**
 * Defaults, then the environment, then explicit overrides. A malformed variable is an error, not ignored.
 *
 * @example
 * const options = resolveOptions(process.env, { idleMs: 1000 });
 */
export function resolveOptions(
  env: Record<string, string | undefined> = {},
  overrides: Partial<PlaygroundOptions> = {},
): PlaygroundOptions {
  const options = { ...defaultOptions };
  for (const key of Object.keys(envNames) as NumberOption[]) {
    const raw = env[envNames[key]];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${envNames[key]}=${raw} is not a whole number ≥ 0; fix or unset it.`);
    }
    options[key] = value;
  }
  if (env.PLAYGROUND_DATA !== undefined) options.dataDir = env.PLAYGROUND_DATA;
  if (env.REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL)) throw new Error(`REDIS_URL=${env.REDIS_URL} is not a Redis URL: use redis://host:port (or rediss:// for TLS).`);
    options.redisUrl = env.REDIS_URL;
  }
  if (env.PLAYGROUND_PROCESS) {
    if (!processNamePattern.test(env.PLAYGROUND_PROCESS)) {
      throw new Error(`PLAYGROUND_PROCESS=${env.PLAYGROUND_PROCESS} is not a process name: use 1 to 32 letters, digits, "-" or "_" (e.g. p1).`);
    }
    options.processName = env.PLAYGROUND_PROCESS;
  }
  return { ...options, ...overrides };
}
