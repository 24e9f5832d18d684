/** Reads the header of a Socket.IO packet's text exactly as socket.io-parser does, without touching its JSON. */

/** Socket.IO packet types (socket.io-parser's `PacketType`). */
export const packetType = { connect: 0, disconnect: 1, event: 2, ack: 3, connectError: 4, binaryEvent: 5, binaryAck: 6 } as const;

/** What comes before a packet's JSON: type, attachment count, namespace and ack id, then the JSON text itself. */
export interface PacketHeader {
  type: number;
  /** The attachment count as written, for binary packets (socket.io-parser validates it). */
  attachments?: string;
  nsp: string;
  /** The ack id as written (digits), if any. */
  id?: string;
  /** The JSON text after the header ("" when there is none). */
  payload: string;
}

/**
 * Splits a packet's text the way socket.io-parser's `decodeString` (4.2) does, so the payload measured is the
 * one it would parse; undefined when the type is unknown (the parser refuses those itself).
 *
 * @example
 * readHeader('2/admin,12["chat message","hi"]');
 * // { type: 2, nsp: "/admin", id: "12", payload: '["chat message","hi"]' }
 */
export function readHeader(text: string): PacketHeader | undefined {
  const type = Number(text.charAt(0));
  if (!Number.isInteger(type) || type < 0 || type > 6) return undefined;
  let i = 0;
  const header: PacketHeader = { type, nsp: "/", payload: "" };
  if (type === packetType.binaryEvent || type === packetType.binaryAck) {
    const start = i + 1;
    while (text.charAt(++i) !== "-" && i !== text.length);
    header.attachments = text.substring(start, i);
  }
  if (text.charAt(i + 1) === "/") {
    const start = i + 1;
    while (++i) {
      if (text.charAt(i) === "," || i === text.length) break;
    }
    header.nsp = text.substring(start, i);
  }
  const next = text.charAt(i + 1);
  // The parser's own test for a digit (`Number(c) == c`), which lets a space through as 0: kept, to read alike.
  if (next !== "" && isDigitLike(next)) {
    const start = i + 1;
    while (++i) {
      if (!isDigitLike(text.charAt(i))) {
        --i;
        break;
      }
      if (i === text.length) break;
    }
    header.id = text.substring(start, i + 1);
  }
  if (text.charAt(++i)) header.payload = text.substring(i);
  return header;
}

function isDigitLike(char: string): boolean {
  return Number(char) == (char as unknown as number);
}
