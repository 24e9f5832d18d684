/** Socket.IO's parser, with every packet measured before it is parsed and every refusal answered on the wire. */
import type { Socket as Connection } from "engine.io";
import { Decoder, Encoder, type Packet } from "socket.io-parser";
import { boundConstructor } from "../bound-constructor.ts";
import type { ConnectionLedger } from "./connection-ledger.ts";
import { packetType, readHeader, type PacketHeader } from "./packet-header.ts";
import { describeExcess, eventName, measureJson, type PayloadBudget } from "./payload-budget.ts";

/** What the decoder lets through besides the ledger's places. */
export interface DecoderRules {
  budget: PayloadBudget;
  /** Characters of an event name or a namespace name. */
  nameChars: number;
  /**
   * Undefined when a participant may make `nsp` appear (an existing namespace, or one more within the cap),
   * or the sentence that refuses it.
   */
  newNamespace(nsp: string): string | undefined;
}

/** A packet the protocol does not allow: the connection closes; once explained, its message is the whole sentence. */
export class WireError extends Error {}

interface Attachments {
  type: number;
  nsp: string;
  id?: number;
  name?: string;
  left: number;
  bytes: number;
  /** Set once the packet is refused: its remaining attachments are read and dropped. */
  refused: boolean;
}

const encoder = new Encoder();

/**
 * The `parser` option of a Socket.IO server: socket.io-parser's encoder, and a decoder that measures each packet's
 * text with `measureJson` before `JSON.parse` sees it. Over the budget, an event gets an error ack (when it asked
 * for one) and one console line, and never reaches Socket.IO; a CONNECT over a cap gets a `connect_error`; a
 * packet the protocol does not allow gets a `connect_error` saying what was wrong, then Socket.IO closes the
 * connection as it always does.
 *
 * @example
 * const ledger = new ConnectionLedger(limits, hooks);
 * const io = new Server({ parser: measuringParser(ledger, rules) });
 */
export function measuringParser(ledger: ConnectionLedger, rules: DecoderRules): { Encoder: typeof Encoder; Decoder: new () => MeasuringDecoder } {
  // One decoder class for every server, its ledger and rules bound in: a class made per server costs its own
  // shapes, prototype and code, and its decoders share no shape with another server's.
  return { Encoder, Decoder: boundConstructor(MeasuringDecoder, ledger, rules) };
}

/**
 * One connection's decoder (Socket.IO makes one per Engine.IO connection, in its "connection" listener):
 * socket.io-parser's own, with `add` measuring first. What passes goes to the parser's `add` unchanged.
 */
export class MeasuringDecoder extends Decoder {
  #ledger: ConnectionLedger;
  #rules: DecoderRules;
  #conn: Connection | undefined;
  #attachments: Attachments | undefined;
  #nsp = "/";

  constructor(ledger: ConnectionLedger, rules: DecoderRules) {
    super();
    this.#ledger = ledger;
    this.#rules = rules;
    this.#conn = ledger.arriving();
  }

  /** Socket.IO's entry point: one Engine.IO message, text or binary. A throw makes Socket.IO close the connection. */
  override add(data: unknown): void {
    try {
      if (typeof data === "string") this.#text(data);
      // Engine.IO hands on a message frame with nothing after its type ("4") as undefined.
      else if (data === undefined || data === null) throw new WireError("an empty message (an Engine.IO \"4\" with no Socket.IO packet in it)");
      else this.#binary(data);
    } catch (error) {
      throw this.#explained(error);
    }
  }

  #text(text: string): void {
    const header = readHeader(text);
    if (!header) return super.add(text); // an unknown packet type: the parser throws its own error
    if (this.#attachments) throw new Error("got plaintext data when reconstructing a packet");
    const { type, nsp, payload } = header;
    this.#nsp = nsp.length > this.#rules.nameChars ? "/" : nsp;
    if (nsp.length > this.#rules.nameChars) {
      throw new WireError(`a namespace name of ${nsp.length} characters, over the limit of ${this.#rules.nameChars}`);
    }
    const id = header.id === undefined ? undefined : Number(header.id);
    if (id !== undefined && !Number.isSafeInteger(id)) throw new WireError(`an ack id (${header.id?.slice(0, 20)}) that is not a whole number below 2^53`);
    if (type === packetType.connectError) throw new WireError("a CONNECT_ERROR packet, which only a server sends");
    const conn = this.#conn;
    // Events and answers count against the rate (a CONNECT is bounded by the namespace rules, a refused one by the rate too).
    if (conn && type !== packetType.disconnect && type !== packetType.connect && !this.#ledger.take(conn)) return this.#flood(conn, header, id);
    if (type === packetType.connect) return this.#connect(conn, header, text);
    if (conn && this.#ledger.membership(conn, nsp) !== "connected") {
      throw new WireError(`a packet for the namespace ${nsp} before connecting to it`);
    }
    const excess = payload ? measureJson(payload, this.#rules.budget) : undefined;
    const named = type === packetType.event || type === packetType.binaryEvent ? eventName(payload, this.#rules.nameChars) : {};
    const refusal = excess
      ? describeExcess(excess)
      : named.tooLong
        ? `with an event name of ${named.tooLong} characters, over the ${this.#rules.nameChars}-character limit; use a shorter name.`
        : undefined;
    const binary = type === packetType.binaryEvent || type === packetType.binaryAck;
    // Only a binary packet has attachments to follow (the bytes of its JSON count towards their budget).
    const attachments = binary
      ? { type, nsp, id, name: named.name, left: Number(header.attachments), bytes: Buffer.byteLength(payload), refused: refusal !== undefined }
      : undefined;
    if (refusal !== undefined) {
      if (attachments) {
        // The parser would have checked the count; its attachments are read and dropped.
        if (!Number.isInteger(attachments.left) || attachments.left < 1 || attachments.left > 10) throw new Error("Illegal attachments");
        this.#attachments = attachments;
      }
      return this.#refuse(type, nsp, id, named.name, refusal);
    }
    super.add(text);
    if (attachments) this.#attachments = attachments;
    if (type === packetType.disconnect && conn) this.#ledger.left(conn, nsp);
  }

  #connect(conn: Connection | undefined, { nsp, payload }: PacketHeader, text: string): void {
    const excess = payload ? measureJson(payload, this.#rules.budget) : undefined;
    if (conn) {
      const admission = excess
        ? { refuse: `its auth data came ${describeExcess(excess)}` }
        : this.#ledger.admit(conn, nsp, () => this.#rules.newNamespace(nsp));
      if (admission && "protocolError" in admission) throw new WireError(admission.protocolError);
      if (admission) {
        // Each refusal is written back: past the packet rate, a pile of refused CONNECTs is dropped unanswered,
        // so 20,000 of them in one polling POST cost the first few hundred answers, not megabytes of them.
        if (!this.#ledger.take(conn)) {
          return this.#ledger.report(conn, nsp, `${this.#ledger.nameOf(conn)} sent more than ${this.#ledger.limits.packetsPerSecond} refused CONNECTs in one second; the extra ones are dropped unanswered.`);
        }
        const sentence = `${this.#ledger.nameOf(conn)} could not connect to ${nsp}: ${admission.refuse}`;
        this.#ledger.report(conn, nsp, sentence);
        this.#write({ type: packetType.connectError, nsp, data: { message: sentence } });
        if (admission.close) conn.close(); // after the reason is written
        return;
      }
      this.#ledger.connecting(conn, nsp);
    }
    super.add(text);
  }

  /** Over `packetsPerSecond`: an event's ack says so, an answer is dropped; one line a second. */
  #flood(conn: Connection, { type, nsp, attachments }: PacketHeader, id: number | undefined): void {
    const sentence = `${this.#ledger.nameOf(conn)} sent more than ${this.#ledger.limits.packetsPerSecond} events in one second; the extra ones are dropped. Send fewer.`;
    this.#ledger.report(conn, nsp, sentence);
    if (type === packetType.binaryEvent || type === packetType.binaryAck) {
      const left = Number(attachments);
      if (!Number.isInteger(left) || left < 1 || left > 10) throw new Error("Illegal attachments");
      this.#attachments = { type, nsp, id, left, bytes: 0, refused: true };
    }
    if ((type === packetType.event || type === packetType.binaryEvent) && id !== undefined) {
      this.#write({ type: packetType.ack, nsp, id, data: [{ ok: false, error: sentence }] });
    }
  }

  #binary(data: unknown): void {
    const pending = this.#attachments;
    if (!pending) return super.add(data); // the parser refuses binary data no packet announced
    pending.left--;
    if (pending.left <= 0) this.#attachments = undefined;
    if (pending.refused) return;
    pending.bytes += data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0;
    if (pending.bytes > this.#rules.budget.bytes) {
      pending.refused = true;
      this.destroy(); // drops the attachments it holds
      const refusal = describeExcess({ over: "bytes", measured: pending.bytes, limit: this.#rules.budget.bytes });
      return this.#refuse(pending.type, pending.nsp, pending.id, pending.name, pending.left > 0 ? refusal.replace(" of data", " of data so far") : refusal);
    }
    super.add(data);
  }

  /** An event gets its error ack and one console line; an answer (ack) only the line. */
  #refuse(type: number, nsp: string, id: number | undefined, name: string | undefined, refusal: string): void {
    const conn = this.#conn;
    const who = conn ? this.#ledger.nameOf(conn) : "A client";
    const event = type === packetType.event || type === packetType.binaryEvent;
    const sentence = event
      ? `${who} sent ${name === undefined ? "an event" : JSON.stringify(name)} ${refusal}`
      : `${who} answered an acknowledgement ${refusal.replace("; send less.", "")}; the answer was dropped.`;
    if (conn) this.#ledger.report(conn, nsp, sentence);
    if (event && id !== undefined) this.#write({ type: packetType.ack, nsp, id, data: [{ ok: false, error: sentence }] });
  }

  /** A protocol error as a sentence, written to the client as a `connect_error` before Socket.IO closes the connection. */
  #explained(error: unknown): Error {
    const conn = this.#conn;
    if (!conn) return error instanceof Error ? error : new Error(String(error));
    const what = error instanceof WireError ? error.message : parserError(error);
    const sentence = `${this.#ledger.nameOf(conn)} sent ${what}; Socket.IO closed the connection.`;
    this.#ledger.report(conn, this.#nsp, sentence);
    this.#write({ type: packetType.connectError, nsp: this.#nsp, data: { message: sentence } });
    return new WireError(sentence);
  }

  #write(packet: Packet): void {
    for (const encoded of encoder.encode(packet)) this.#conn?.write(encoded);
  }
}

/** socket.io-parser's own errors, said for a learner. */
function parserError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith("unknown packet type")) return "a packet of an unknown type";
  if (/attachments/i.test(message)) return "a binary packet with a bad attachment count or placeholder";
  if (message === "invalid payload") return 'a packet whose data is not what Socket.IO expects (broken JSON, or a reserved event name such as "disconnect")';
  if (message.startsWith("got plaintext")) return "text where the binary attachments of its previous packet belonged";
  if (message.startsWith("got binary")) return "binary data that no packet announced";
  if (error instanceof RangeError) return "a packet too deeply nested to read";
  return `a packet Socket.IO could not read (${message.slice(0, 100)})`;
}
