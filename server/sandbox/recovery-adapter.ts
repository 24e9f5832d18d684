/**
 * Socket.IO's own `SessionAwareAdapter` (what `connectionStateRecovery` uses), bounded for a sandbox anyone can
 * join: the emits it keeps for disconnected sockets are capped in bytes and in age, the sessions in number and age.
 */
import { SessionAwareAdapter, type BroadcastOptions, type PrivateSessionId, type Session } from "socket.io-adapter";

/** How much a sandbox's server keeps for connection state recovery. */
export interface RecoveryLimits {
  /** Bytes of kept emits (their arguments as JSON) per namespace; the oldest go first. */
  maxBytes: number;
  /** Disconnected sessions kept per namespace; the oldest go first. */
  maxSessions: number;
}

/** The adapter's private state, as `socket.io-adapter/lib/in-memory-adapter.ts` declares it. */
interface KeptState {
  sessions: Map<PrivateSessionId, { disconnectedAt: number }>;
  packets: Array<{ id: string; emittedAt: number; data: unknown[] }>;
  maxDisconnectionDuration: number;
}

type Timer = ReturnType<typeof setInterval>;

/**
 * The adapter class to pass to `new Server({ adapter, connectionStateRecovery })` (through the delivery tracer).
 * A kept emit that no longer fits is dropped, oldest first; a socket that missed it then reconnects without
 * recovery (`socket.recovered` false), exactly as when its offset is too old.
 *
 * @example
 * const adapter = boundedSessionAdapter({ maxBytes: 256 * 1024, maxSessions: 256 });
 * new Server({ adapter, connectionStateRecovery: { maxDisconnectionDuration: 10_000 } });
 */
export function boundedSessionAdapter(limits: RecoveryLimits): typeof SessionAwareAdapter {
  return class BoundedSessionAdapter extends SessionAwareAdapter {
    #sizes: number[] = [];
    #bytes = 0;

    constructor(nsp: any) {
      // The parent starts a 60 s clean-up interval it never clears (socket.io-adapter's in-memory-adapter.ts), which
      // would keep every closed server of this sandbox alive and splice packets behind our byte count: stop it, and
      // trim on every emit, disconnection and reconnection instead.
      const started: Timer[] = [];
      const original = globalThis.setInterval;
      globalThis.setInterval = ((handler: () => void, ms?: number) => {
        const timer = original(handler, ms);
        started.push(timer);
        return timer;
      }) as typeof setInterval;
      try {
        super(nsp);
      } finally {
        globalThis.setInterval = original;
      }
      for (const timer of started) clearInterval(timer);
    }

    override broadcast(packet: any, opts: BroadcastOptions): void {
      const kept = this.#kept();
      const before = kept.packets.length;
      super.broadcast(packet, opts);
      if (kept.packets.length > before) {
        const size = byteSize(kept.packets[kept.packets.length - 1].data);
        this.#sizes.push(size);
        this.#bytes += size;
        this.#trim(kept);
      }
    }

    override persistSession(session: Parameters<SessionAwareAdapter["persistSession"]>[0]): void {
      super.persistSession(session);
      const { sessions, maxDisconnectionDuration } = this.#kept();
      const threshold = Date.now() - maxDisconnectionDuration;
      for (const [pid, kept] of sessions) {
        if (sessions.size > limits.maxSessions || kept.disconnectedAt < threshold) sessions.delete(pid);
        else break;
      }
    }

    override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session> {
      this.#trim(this.#kept());
      return super.restoreSession(pid, offset);
    }

    override close(): Promise<void> | void {
      const kept = this.#kept();
      kept.packets.length = 0;
      kept.sessions.clear();
      this.#sizes = [];
      this.#bytes = 0;
      return super.close();
    }

    /** Drops kept emits, oldest first, while they are over the byte budget or older than the recovery window. */
    #trim(kept: KeptState): void {
      const threshold = Date.now() - kept.maxDisconnectionDuration;
      let drop = 0;
      while (drop < kept.packets.length && (this.#bytes > limits.maxBytes || kept.packets[drop].emittedAt < threshold)) {
        this.#bytes -= this.#sizes[drop];
        drop++;
      }
      if (drop === 0) return;
      kept.packets.splice(0, drop);
      this.#sizes.splice(0, drop);
    }

    #kept(): KeptState {
      return this as unknown as KeptState;
    }
  };
}

/** The size of an emit's arguments as JSON text, in UTF-16 code units (binary counts by its length). */
function byteSize(data: unknown[]): number {
  let size = 0;
  try {
    size = JSON.stringify(data, (_key, value: unknown) => (ArrayBuffer.isView(value) || value instanceof ArrayBuffer ? value.byteLength : value))?.length ?? 0;
  } catch {
    size = Number.MAX_SAFE_INTEGER / 2; // not serializable: never kept
  }
  return size;
}
