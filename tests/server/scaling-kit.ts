/** Helpers of the scaling tests (in-process bus and Redis): a scaling sandbox, console commands, four clients. */
import { expect } from "vitest";
import type { SandboxSettings, SandboxTicket } from "../../contract/protocol.ts";
import { connectOwner, connection, createSandbox, joinSandbox, type Live, type Owner, type RecordingClient } from "../support/live.ts";

/**
 * The helpers bound to the live server `live()` returns (read at each call: `beforeAll` starts it).
 *
 * @example
 * const { scalingSandbox, command } = scalingKit(() => live);
 * const { owner } = await scalingSandbox({ adapter: true });
 * await command(owner, "server(2).io.fetchSockets()");
 */
export function scalingKit(live: () => Live) {
  async function scalingSandbox(settings: Partial<SandboxSettings>): Promise<{ ticket: SandboxTicket; owner: Owner }> {
    const ticket = await createSandbox(live().url);
    const owner = await connectOwner(live().url, ticket);
    const result = await owner.timeout(5000).emitWithAck("settings", { program: "scaling", ...settings });
    if (!result.ok) throw new Error(result.error);
    return { ticket, owner };
  }

  async function command(owner: Owner, line: string): Promise<string[]> {
    const result = await owner.timeout(5000).emitWithAck("command", line);
    if (!result.ok) throw new Error(`${line}: ${result.error}`);
    return result.data.lines.map((entry: { text: string }) => entry.text);
  }

  /** Connects clients A, B, C, D one after another; round-robin spreads them over both servers. */
  async function fourClients(ticket: SandboxTicket, transports: ("polling" | "websocket")[] = ["websocket"], reconnection = false): Promise<RecordingClient[]> {
    const clients: RecordingClient[] = [];
    for (const as of ["A", "B", "C", "D"]) {
      const client = joinSandbox(live().url, ticket, { as, transports, reconnection, reconnectionDelay: 100 });
      expect(await connection(client)).toBeUndefined();
      clients.push(client);
    }
    return clients;
  }

  function nodeOf(owner: Owner, client: string): number | undefined {
    return owner.sockets.find((socket) => socket.client === client)?.node;
  }

  return { scalingSandbox, command, fourClients, nodeOf };
}
