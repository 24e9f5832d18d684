/** The options a lesson program passes to `new Server(server, options)` in its fixed preamble, as the sandbox applies them. */
import type { ProgramName } from "../../contract/protocol.ts";

/** What a program's preamble may set; the sandbox builds its server with exactly these. */
export interface ProgramServerOptions {
  /** `pingInterval` and `pingTimeout` in ms: how soon a silent connection is noticed. */
  heartbeat?: { pingInterval: number; pingTimeout: number };
  /** `connectionStateRecovery`, used while the owner's recovery setting is on. */
  recovery?: { maxDisconnectionDuration: number; skipMiddlewares: boolean };
}

/**
 * Per program, what its `new Server(server, { … })` says (a test reads the files and compares).
 *
 * @example
 * programServerOptions.recovery?.heartbeat; // { pingInterval: 2000, pingTimeout: 2000 }
 */
export const programServerOptions: Partial<Record<ProgramName, ProgramServerOptions>> = {
  delivery: { heartbeat: { pingInterval: 2000, pingTimeout: 2000 } },
  recovery: {
    heartbeat: { pingInterval: 2000, pingTimeout: 2000 },
    recovery: { maxDisconnectionDuration: 15_000, skipMiddlewares: false },
  },
};
