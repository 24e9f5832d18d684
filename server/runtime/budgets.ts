/** Every budget learner code runs under: the configurable ones (see `server/config.ts`) and the fixed ones. */
import { roomLimits, type PlaygroundOptions } from "../config.ts";

/** The limits one sandbox's learner code runs under. Sizes are in bytes, times in ms. */
export interface CodeLimits {
  /** One entry into the code (a handler, a timer, its promise jobs) at most. */
  timeMs: number;
  /** CPU within any one second at most. */
  cpuMs: number;
  memoryBytes: number;
  stackBytes: number;
  /** Timers pending at once. */
  timers: number;
  /** Shortest `setInterval` period; shorter ones are stretched to it. */
  minIntervalMs: number;
  /** Console output per second; a console line is cut at `consoleLine` characters. */
  consoleBytes: number;
  consoleLine: number;
  /** JSON data crossing the bridge in one call (an emit's arguments, an event's, an ack's), and its nesting. */
  valueBytes: number;
  valueDepth: number;
  /** Event, room and namespace names. */
  nameLength: number;
  /** Rooms one socket may be in (its own-id room included), rooms in one call, steps in one chain. */
  roomsPerSocket: number;
  roomsPerCall: number;
  chainSteps: number;
  /** Namespaces and namespace families the code may create. */
  namespaces: number;
  /** Distinct (target, event) pairs the code listens to across all sockets and namespaces. */
  listeners: number;
  /** Callbacks waiting in the engine (acks, promises, timers), and entries waiting for the engine. */
  pending: number;
  queue: number;
  /** Promise jobs run after one entry. */
  jobs: number;
}

/**
 * The limits for a playground's options.
 *
 * @example
 * codeLimits(resolveOptions(process.env)).timeMs; // 250
 */
export function codeLimits(options: PlaygroundOptions): CodeLimits {
  return {
    timeMs: options.codeTimeMs,
    cpuMs: options.codeCpuMs,
    memoryBytes: options.codeMemoryBytes,
    stackBytes: options.codeStackBytes,
    timers: options.codeTimers,
    minIntervalMs: 10,
    consoleBytes: options.codeConsoleBytes,
    consoleLine: 2000,
    valueBytes: options.maxPayloadBytes,
    valueDepth: 32,
    nameLength: 256,
    roomsPerSocket: roomLimits.perSocket + 1, // the bound every socket has (server/wire/room-budget.ts), said to the code
    roomsPerCall: 100,
    chainSteps: 16,
    namespaces: 32,
    listeners: 1000,
    pending: 1000,
    queue: 1000,
    jobs: 100_000,
  };
}
