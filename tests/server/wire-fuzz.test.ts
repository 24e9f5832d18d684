/**
 * Property: whatever frame a participant sends a sandbox, over WebSocket or polling (random nesting, huge or
 * odd-typed data, malformed packets, binary attachments, CONNECTs, Engine.IO garbage), the process answers, the
 * sender gets a clear refusal or a documented close reason, and another sandbox on the same server is unaffected.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectOwner, createSandbox, joinSandbox, once, startLive, testSeed, waitFor, type Live, type Owner, type RecordingClient } from "../support/live.ts";
import { joinRaw, type RawConnection, type RawTransport } from "../support/raw-engine.ts";
import type { SandboxTicket } from "../../contract/protocol.ts";
import { readHeader } from "../../server/wire/packet-header.ts";

/** One thing to send: Socket.IO packets (`packets`, an ack id where `{id}` stands), or Engine.IO frames as they are (`raw`). */
interface Fuzz {
  label: string;
  /** Set when the packets leave the only namespace joined: the server then closes the connection without a word, as the client left. */
  leaves?: boolean;
  packets?: (string | Buffer)[];
  raw?: (string | Buffer)[];
  /** Set when the first packet is an event that asks for an ack: it must get an error ack, or a reason and a close. */
  asksAck?: boolean;
}

const handled = new Set(["chat message", "nickname", "typing"]);

/** A well-formed DISCONNECT from "/", the one namespace the fuzzing connection joined (read as the parser reads it). */
function leavesMain(text: string): boolean {
  const header = readHeader(text);
  return header?.type === 1 && header.nsp === "/" && header.payload === "" && !text.includes("\x1e");
}
const eventName = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }).filter((name) => !handled.has(name)).map((name) => JSON.stringify(`fuzz ${name}`)) },
  { weight: 1, arbitrary: fc.constantFrom('"disconnect"', '"connect"', '"error"', '"newListener"', '"__proto__"', '"constructor"', "42", "null", "[]", "{}") },
  { weight: 1, arbitrary: fc.integer({ min: 101, max: 2000 }).map((length) => JSON.stringify("n".repeat(length))) },
);

/** JSON text nested `depth` deep, built without recursion. */
const nested = fc.record({ depth: fc.integer({ min: 1, max: 6000 }), open: fc.constantFrom("[", '{"a":') }).map(({ depth, open }) => {
  const close = open === "[" ? "]" : "}";
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
});
const wide = fc
  .record({ count: fc.integer({ min: 0, max: 20_000 }), item: fc.constantFrom('""', "0", "null", '"s"', '{"k":1}', "[]") })
  .map(({ count, item }) => Array.from({ length: count }, () => item).join(","));
const huge = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 60_000, max: 200_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 990_000, max: 1_100_000 }) },
).map((length) => JSON.stringify("h".repeat(length)));
const argument = fc.oneof(nested, wide.map((items) => `[${items}]`), huge, fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)));

const event: fc.Arbitrary<Fuzz> = fc
  .record({ name: eventName, args: fc.array(argument, { maxLength: 3 }), nsp: fc.constantFrom("", "/nowhere,"), ack: fc.boolean() })
  .map(({ name, args, nsp, ack }) => ({ label: `event ${name.slice(0, 30)} (${args.map((arg) => arg.length).join(", ")} chars)`, packets: [`2${nsp}${ack ? "{id}" : ""}[${[name, ...args].join(",")}]`], asksAck: ack && nsp === "" }));

const malformed: fc.Arbitrary<Fuzz> = fc
  .oneof(
    fc.tuple(fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "9"), fc.string({ maxLength: 60 })).map(([type, text]) => `${type}${text}`),
    fc.constantFrom(
      '2["chat message"',
      "2{id}",
      "3{id}",
      '3{id}["x"]',
      "2999999999999999999999999[\"x\"]",
      '4{"message":"forged"}',
      "1",
      "0",
      '0{"token":' + "[".repeat(40) + "]".repeat(40) + "}",
      "2/../../etc,[\"x\"]",
      '51000-["x",{"_placeholder":true,"num":0}]',
      '5-1-["x"]',
      '2["x",{"_placeholder":true,"num":1e309}]',
      '2[{"toJSON":"x","__proto__":{"polluted":true}}]',
    ),
  )
  .map((text) => ({ label: `malformed ${text.slice(0, 40)}`, packets: [text], leaves: leavesMain(text) }));

const binary: fc.Arbitrary<Fuzz> = fc
  .record({
    announced: fc.integer({ min: 0, max: 12 }),
    sent: fc.integer({ min: 0, max: 4 }),
    num: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constant(1e12)),
    size: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 30_000, max: 80_000 })),
  })
  .map(({ announced, sent, num, size }) => ({
    label: `binary ${announced}-/${sent} num ${num}, ${size} bytes`,
    packets: [`5${announced}-{id}["fuzz binary",{"_placeholder":true,"num":${num}}]`, ...Array.from({ length: sent }, () => Buffer.alloc(size, 7))],
  }));

const connect: fc.Arbitrary<Fuzz> = fc
  .record({ nsp: fc.oneof(fc.constantFrom("/", "/admin", "/tenant-x"), fc.string({ maxLength: 150 }).map((name) => `/${name.replace(/,/g, "")}`)), auth: fc.jsonValue({ maxDepth: 3 }) })
  .map(({ nsp, auth }) => ({ label: `connect ${nsp.slice(0, 30)}`, packets: [`0${nsp === "/" ? "" : `${nsp},`}${typeof auth === "object" && auth && !Array.isArray(auth) ? JSON.stringify(auth) : ""}`] }));

const engine: fc.Arbitrary<Fuzz> = fc
  .oneof(fc.constantFrom("2", "3", "5", "6", "\u0000garbage", "9", "b!!!", "4"), fc.string({ maxLength: 30 }).filter((text) => !text.startsWith("1")))
  .map((frame) => ({ label: `engine ${JSON.stringify(frame)}`, raw: [frame] }));

const fuzz = fc.oneof({ weight: 4, arbitrary: event }, { weight: 3, arbitrary: malformed }, { weight: 2, arbitrary: binary }, { weight: 2, arbitrary: connect }, { weight: 1, arbitrary: engine });

let live: Live;
let target: SandboxTicket;
let targetOwner: Owner;
let bystander: { owner: Owner; a: RecordingClient; b: RecordingClient };
let nextId = 1;

beforeAll(async () => {
  live = await startLive();
  target = await createSandbox(live.url);
  targetOwner = await connectOwner(live.url, target);
  const other = await createSandbox(live.url);
  const owner = await connectOwner(live.url, other);
  const a = joinSandbox(live.url, other, { as: "A" });
  const b = joinSandbox(live.url, other, { as: "B" });
  await Promise.all([once(a, "connect"), once(b, "connect")]);
  bystander = { owner, a, b };
});
afterAll(() => live.close());

/** A CONNECT_ERROR with a message, received at or after index `from`. */
function reasonGiven(raw: RawConnection, from: number): string | undefined {
  for (const message of raw.messages.slice(from)) {
    if (typeof message !== "string" || !message.startsWith("4")) continue;
    try {
      const { message: text } = JSON.parse(message.slice(message.indexOf("{"))) as { message?: unknown };
      if (typeof text === "string" && text.length > 10) return text;
    } catch {
      // not a CONNECT_ERROR after all
    }
  }
  return undefined;
}

async function check(transport: RawTransport, { label, packets = [], raw: frames = [], asksAck, leaves }: Fuzz): Promise<void> {
  const raw = await joinRaw(live.url, target.path, transport);
  try {
    const from = raw.messages.length;
    const id = nextId++;
    const probe = nextId++;
    const rendered = packets.map((packet) => (typeof packet === "string" ? packet.replace("{id}", String(id)) : packet));
    if (rendered.length) await raw.send(...rendered);
    for (const frame of frames) await raw.sendRaw(frame);
    await raw.send(`2${probe}["fuzz probe"]`);
    const answered = await raw.next((message) => message.startsWith(`3${probe}[`), "the probe's answer", from, 10_000).catch(() => undefined);
    if (answered === undefined) {
      const closed = await raw.ended(10_000).catch(() => undefined);
      expect(closed, `${label}: neither answered nor closed (a hang)`).toBeDefined();
      const tooBig = closed?.code === 1009;
      expect(leaves || tooBig || reasonGiven(raw, from), `${label}: closed (${closed?.how} ${closed?.code ?? ""}) without a reason`).toBeTruthy();
    } else if (asksAck) {
      const ack = raw.messages.slice(from).find((message): message is string => typeof message === "string" && message.startsWith(`3${id}[`));
      expect(ack, `${label}: no answer to its ack id`).toBeDefined();
      const [result] = JSON.parse(ack!.slice(String(id).length + 1)) as [{ ok: boolean; error: string }];
      expect(result, label).toMatchObject({ ok: false, error: expect.stringMatching(/^\S.{10,}/) });
    }
    // The process answers, and the other sandbox is untouched.
    expect((await fetch(`${live.url}/api/sandboxes`)).status).toBe(405);
    const got = once(bystander.b, "chat message");
    bystander.a.emit("chat message", `after ${label}`);
    expect(await got).toEqual([`after ${label}`]);
  } finally {
    raw.close();
  }
}

describe.each(["websocket", "polling"] as const)("random frames over %s", (transport) => {
  it("always get an answer or a reason, and never reach another sandbox", async () => {
    await fc.assert(
      fc.asyncProperty(fuzz, (frame) => check(transport, frame)),
      { seed: testSeed(`wire fuzz over ${transport}`), numRuns: 60, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    );
    expect(bystander.owner.feed.filter((entry) => entry.kind === "system")).toEqual([]);
    expect(targetOwner.connected).toBe(true);
    await waitFor(() => live.playground.registry.get(target.id)?.socketCount === 0, "every fuzzing connection gone");
  }, 120_000);
});
