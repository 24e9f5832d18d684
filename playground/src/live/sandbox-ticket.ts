/** Getting a sandbox: `POST /api/sandboxes`, and the ticket kept in sessionStorage so a reload reuses it. */
import type { SandboxTicket } from "../../../contract/protocol.ts";

const storageKey = "socket-playground:ticket";

/**
 * This tab's ticket (sessionStorage: per tab, gone when the tab closes).
 *
 * @example
 * const ticket = savedTicket.read() ?? (await createSandbox());
 */
export const savedTicket = {
  read(): SandboxTicket | undefined {
    try {
      const raw = sessionStorage.getItem(storageKey);
      return raw ? (JSON.parse(raw) as SandboxTicket) : undefined;
    } catch {
      return undefined;
    }
  },
  write(ticket: SandboxTicket): void {
    sessionStorage.setItem(storageKey, JSON.stringify(ticket));
  },
  forget(): void {
    sessionStorage.removeItem(storageKey);
  },
};

/**
 * Asks the server for a new sandbox; throws a sentence the page can show when it cannot.
 *
 * @example
 * const { id, path } = await createSandbox();
 */
export async function createSandbox(): Promise<SandboxTicket> {
  // JSON, so that only this page can create one: a cross-site request would need a preflight the server refuses.
  const response = await fetch("/api/sandboxes", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const body = (await response.json().catch(() => ({}))) as SandboxTicket & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `Could not create a sandbox (HTTP ${response.status}); reload to try again.`);
  return body;
}
