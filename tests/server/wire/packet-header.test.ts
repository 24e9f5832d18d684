/** The header reader splits a packet's text exactly where socket.io-parser does, so the payload measured is the one it parses. */
import fc from "fast-check";
import { Decoder } from "socket.io-parser";
import { describe, expect, it } from "vitest";
import { readHeader } from "../../../server/wire/packet-header.ts";
import { testSeed } from "../../support/live.ts";

/** socket.io-parser's own header reading (`decodeString` is private API; this test exists to follow it). */
const parser = new Decoder() as unknown as { decodeString(text: string): { type: number; nsp: string; id?: number; data?: unknown; attachments?: number } };

describe("readHeader", () => {
  it("reads type, namespace, ack id and payload like socket.io-parser, on text made of the characters that matter", () => {
    const text = fc.string({ unit: fc.constantFrom(..."0123456/,-[]{}\" a1 9".split("")), maxLength: 24 });
    fc.assert(
      fc.property(text, (packet) => {
        let parsed: ReturnType<typeof parser.decodeString>;
        try {
          parsed = parser.decodeString(packet);
        } catch {
          return; // the parser refuses it; the decoder hands such text to the parser, which throws the same
        }
        const header = readHeader(packet)!;
        expect(header.type).toBe(parsed.type);
        expect(header.nsp).toBe(parsed.nsp);
        expect(header.id === undefined ? undefined : Number(header.id)).toEqual(parsed.id);
        expect(header.payload ? JSON.parse(header.payload) : undefined).toEqual(parsed.data);
      }),
      { seed: testSeed("packet header"), numRuns: 20_000 },
    );
  });

  it("returns nothing for a type the parser does not know, and splits a binary header", () => {
    expect(readHeader("9[]")).toBeUndefined();
    expect(readHeader("")).toEqual({ type: 0, nsp: "/", payload: "" }); // Number("") is 0: to the parser, an empty message is a CONNECT
    expect(readHeader('51-/admin,7["x",{"_placeholder":true,"num":0}]')).toEqual({
      type: 5,
      attachments: "1",
      nsp: "/admin",
      id: "7",
      payload: '["x",{"_placeholder":true,"num":0}]',
    });
  });
});
