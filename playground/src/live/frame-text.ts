/** Reading raw Engine.IO / Socket.IO frames as text: what kind each is, and the event inside an event frame. */

const engineKinds: Record<string, string> = { "0": "open", "1": "close", "2": "ping", "3": "pong", "4": "message", "5": "upgrade", "6": "noop" };
const socketKinds: Record<string, string> = { "0": "connect", "1": "disconnect", "2": "event", "3": "ack", "4": "connect error", "5": "binary event", "6": "binary ack" };

/**
 * What a frame is, in words: `event`, `connect`, `ping`, `open`…
 *
 * @example
 * frameKind('42["chat message","hi"]'); // "event"
 * frameKind("2"); // "ping"
 * frameKind("2probe"); // "ping"
 */
export function frameKind(text: string): string {
  const engine = engineKinds[text[0]] ?? "frame";
  if (engine !== "message") return engine;
  return socketKinds[text[1]] ?? "message";
}

/**
 * The namespace, event and arguments of an event frame (`42…`), or undefined for any other frame.
 *
 * @example
 * parseEventFrame('42/admin,7["x",1]'); // { nsp: "/admin", event: "x", args: [1] }
 * parseEventFrame("3"); // undefined
 */
export function parseEventFrame(text: string): { nsp: string; event: string; args: unknown[] } | undefined {
  if (!text.startsWith("42")) return undefined;
  let at = 2;
  let nsp = "/";
  if (text[at] === "/") {
    const comma = text.indexOf(",", at);
    if (comma < 0) return undefined;
    nsp = text.slice(at, comma);
    at = comma + 1;
  }
  while (at < text.length && text[at] >= "0" && text[at] <= "9") at++;
  try {
    const data: unknown = JSON.parse(text.slice(at));
    if (!Array.isArray(data) || typeof data[0] !== "string") return undefined;
    return { nsp, event: data[0], args: data.slice(1) };
  } catch {
    return undefined;
  }
}

/**
 * The frame a server emit puts on the wire, as the trace describes it (for clients the page cannot see).
 *
 * @example
 * eventFrame("/admin", "x", [1]); // '42/admin,["x",1]'
 */
export function eventFrame(nsp: string, event: string, args: unknown[]): string {
  let payload: string;
  try {
    payload = JSON.stringify([event, ...args]);
  } catch {
    payload = JSON.stringify([event]);
  }
  return `42${nsp === "/" ? "" : `${nsp},`}${payload}`;
}
