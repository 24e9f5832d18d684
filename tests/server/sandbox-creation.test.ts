/** POST /api/sandboxes: a quota per client address (429 + Retry-After), same-site JSON requests only. */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { clientKey, CreationQuota } from "../../server/http/creation-quota.ts";
import { startLive, type Live } from "../support/live.ts";

let live: Live | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: string; id?: string };
}

/** A POST from a chosen local address (the loopback network is 127.0.0.0/8), with the given headers and body. */
function post(url: string, { from = "127.0.0.1", headers = { "content-type": "application/json" }, body = "{}" }: { from?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL("/api/sandboxes", url);
    const req = request(target, { method: "POST", localAddress: from, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Answer["body"] }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the creation quota", () => {
  it("lets one address create its quota, then answers 429 with Retry-After and a reason; another address still creates", async () => {
    live = await startLive({ createQuota: 3, createWindowMs: 90_000 });
    for (let index = 0; index < 3; index++) expect((await post(live.url)).status).toBe(201);
    const refused = await post(live.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(80);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(90);
    expect(refused.body.error).toMatch(/Too many sandboxes created from your address; try again in 2 minutes/);
    expect(live.playground.registry.size).toBe(3);
    expect((await post(live.url, { from: "127.0.0.2" })).status).toBe(201);
    expect(live.playground.registry.size).toBe(4);
  });

  it("counts per fixed window, from an injected clock", () => {
    let now = 0;
    const quota = new CreationQuota(2, 60_000, () => now);
    expect(quota.take("10.0.0.1").ok).toBe(true);
    expect(quota.take("10.0.0.1").ok).toBe(true);
    expect(quota.take("10.0.0.1")).toEqual({ ok: false, retryAfterSeconds: 60 });
    now = 59_001;
    expect(quota.take("10.0.0.1")).toEqual({ ok: false, retryAfterSeconds: 1 });
    now = 60_000;
    expect(quota.take("10.0.0.1").ok).toBe(true);
    expect(new CreationQuota(0, 60_000).take("x").ok).toBe(true);
  });

  it("treats one IPv6 /64 as one client and an IPv4-mapped address as its IPv4 address", () => {
    expect(clientKey("::ffff:10.0.0.7")).toBe("10.0.0.7");
    expect(clientKey("2001:db8:1:2:3:4:5:6")).toBe(clientKey("2001:0db8:0001:0002:ffff::1"));
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    const quota = new CreationQuota(1, 60_000, () => 0);
    expect(quota.take("2001:db8:1:2::a").ok).toBe(true);
    expect(quota.take("2001:db8:1:2::b").ok).toBe(false);
    expect(quota.take("2001:db8:1:3::a").ok).toBe(true);
  });

  it("tracks a bounded number of addresses, forgetting the oldest first", () => {
    let now = 0;
    const quota = new CreationQuota(1, 60_000, () => now);
    for (let index = 0; index < 12_000; index++) quota.take(`10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`);
    expect(quota.size).toBeLessThanOrEqual(10_000);
    now = 60_000;
    quota.take("10.9.9.9");
    expect(quota.size).toBe(1);
  });
});

describe("cross-site creation", () => {
  it("refuses another site's Origin, an opaque Origin and Sec-Fetch-Site: cross-site with 403", async () => {
    live = await startLive();
    const json = { "content-type": "application/json" };
    for (const headers of [{ ...json, origin: "http://evil.example" }, { ...json, origin: "null" }, { ...json, "sec-fetch-site": "cross-site" }, { ...json, origin: "http://127.0.0.1:1" }]) {
      const answer = await post(live.url, { headers });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.body.error).toMatch(/Cross-site requests are refused/);
    }
    expect(live.playground.registry.size).toBe(0);
  });

  it("accepts the page's own Origin, and scripts that send none", async () => {
    live = await startLive();
    expect((await post(live.url, { headers: { "content-type": "application/json", origin: live.url } })).status).toBe(201);
    expect((await post(live.url, { headers: { "content-type": "application/json; charset=utf-8" } })).status).toBe(201);
  });

  it("needs a JSON request, which a browser sends across sites only after a preflight (never granted)", async () => {
    live = await startLive();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]) {
      const answer = await post(live.url, { headers: type ? { "content-type": type } : {}, body: "" });
      expect(answer.status, type).toBe(415);
      expect(answer.body.error).toMatch(/content-type: application\/json/);
    }
    const preflight = await fetch(`${live.url}/api/sandboxes`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(live.playground.registry.size).toBe(0);
  });

  it("refuses a body that is not a small JSON object", async () => {
    live = await startLive();
    expect((await post(live.url, { body: "[1]" })).status).toBe(400);
    expect((await post(live.url, { body: "not json" })).status).toBe(400);
    const large = await post(live.url, { body: JSON.stringify({ pad: "x".repeat(5000) }) });
    expect(large.status).toBe(413);
    expect(large.body.error).toMatch(/over 1024 bytes/);
    expect((await post(live.url, { body: "" })).status).toBe(201);
    expect(live.playground.registry.size).toBe(1);
  });
});
