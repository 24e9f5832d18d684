/**
 * `npm run haproxy-config -- [--bind=<address>:<port>] [--create-quota=<n>] <name>=<host>:<port> …`: prints the
 * HAProxy configuration that puts several `npm start` processes (each started with `PLAYGROUND_PROCESS=<name>`)
 * behind one address, every request of a sandbox routed to the process named at the start of its id.
 * docs/deploy.md shows and explains its output; `tests/server/behind-haproxy.test.ts` runs it in a real HAProxy.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { processNamePattern } from "../server/config.ts";

export interface BalancedProcess {
  /** Its `PLAYGROUND_PROCESS`: the start of every sandbox id it makes (`p1.…`). */
  name: string;
  /** Where it listens, `<host>:<port>` (its `HOST` and `PORT`). */
  address: string;
}

export interface HaproxyOptions {
  /** What HAProxy listens on, as its `bind` line takes it: `*:80`, `127.0.0.1:8080`. */
  bind: string;
  processes: BalancedProcess[];
  /** Sandboxes one client address (an IPv6 /64) may create per 10 minutes; the processes run with `SANDBOX_CREATE_QUOTA=0`. */
  createQuota?: number;
}

/** HAProxy's own answers, in JSON like every answer of the playground (none may hold an apostrophe: they are single-quoted). */
const haproxyErrors: Record<number, string> = {
  400: "The load balancer could not read this HTTP request.",
  408: "The request took too long to arrive.",
  500: "The load balancer failed on this request; try again.",
  502: "The playground process answered with something that is not HTTP; try again in a moment.",
  503: "The playground process that serves this is not answering (it may be restarting); try again in a moment.",
  504: "The playground process took too long to answer; try again in a moment.",
};

/**
 * The configuration after Debian's `global` section: defaults, one frontend, a backend per process and two shared
 * ones. Throws on a name a process could not have or an address that is not `<host>:<port>`.
 *
 * @example
 * haproxyConfig({ bind: "*:80", processes: [{ name: "p1", address: "127.0.0.1:3001" }, { name: "p2", address: "127.0.0.1:3002" }] });
 */
export function haproxyConfig({ bind, processes, createQuota = 50 }: HaproxyOptions): string {
  if (processes.length === 0) throw new Error("Name at least one process: p1=127.0.0.1:3001.");
  for (const { name, address } of processes) {
    if (!processNamePattern.test(name)) throw new Error(`${name} is not a process name: 1 to 32 letters, digits, "-" or "_".`);
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address)) throw new Error(`${address} is not <host>:<port>.`);
  }
  if (new Set(processes.map(({ name }) => name)).size < processes.length) throw new Error("Each process needs a name of its own.");
  if (!Number.isInteger(createQuota) || createQuota < 1) throw new Error("The creation quota is a whole number ≥ 1.");
  const create = "{ method POST } { path /api/sandboxes /api/sandboxes/ }";
  const tracking = () => processes.map(({ name, address }) => `    server ${name} ${address} track process_${name}/${name}`);
  const quotaError = JSON.stringify({ error: "Too many sandboxes created from your address; try again in a minute, or reuse the one you have." });
  return [
    "# Socket Playground: several `npm start` processes behind one address (docs/deploy.md).",
    `# npm run haproxy-config -- --bind=${bind}${createQuota === 50 ? "" : ` --create-quota=${createQuota}`} ${processes.map(({ name, address }) => `${name}=${address}`).join(" ")}`,
    "# Goes after the `global` section of Debian's /etc/haproxy/haproxy.cfg, in place of everything below it.",
    "",
    "defaults",
    "    mode http",
    "    log global",
    "    option httplog",
    "    option dontlognull",
    "    timeout connect 5s",
    "    # Engine.IO holds a long-polling GET until it has something to send, at most its ping interval (25 s):",
    "    # both sides of a request must be allowed to wait longer than that.",
    "    timeout client 60s",
    "    timeout server 60s",
    "    # An upgraded WebSocket is a tunnel; Engine.IO pings every 25 s, so two minutes of silence is a dead peer.",
    "    timeout tunnel 2m",
    "    timeout client-fin 5s",
    "    timeout server-fin 5s",
    "    timeout http-request 10s",
    "    timeout http-keep-alive 10s",
    "    timeout queue 10s",
    "    timeout check 2s",
    "    # A process is up when it serves the page: checked every 2 s, out after 3 failures, back after 2 successes.",
    "    option httpchk",
    "    http-check send meth HEAD uri / ver HTTP/1.1 hdr host playground",
    "    http-check expect status 200",
    "    default-server inter 2s fall 3 rise 2",
    "    # HAProxy's own answers in JSON, like the playground's.",
    ...Object.entries(haproxyErrors).map(
      ([status, error]) => `    http-error status ${status} content-type application/json string '${JSON.stringify({ error })}' hdr x-content-type-options nosniff`,
    ),
    "",
    "frontend playground",
    `    bind ${bind}`,
    "    # The creation quota per client address (an IPv6 /64), kept here because the processes see only HAProxy's",
    "    # address: run them with SANDBOX_CREATE_QUOTA=0.",
    "    stick-table type ipv6 size 100k expire 10m store http_req_rate(10m)",
    `    http-request track-sc0 src,ipmask(32,64) if ${create}`,
    `    http-request return status 429 content-type application/json string '${quotaError}' hdr retry-after 60 hdr x-content-type-options nosniff if ${create} { sc_http_req_rate(0) gt ${createQuota} }`,
    "    # A sandbox id starts with the name of the process that owns it: route every request of that sandbox there.",
    "    # /sandbox/<id>/socket.io by its path (polling and WebSocket, the page's clients and outside ones alike);",
    "    # the owner page's control channel, /control/socket.io?sandbox=<id>, by its query.",
    "    acl control path /control/socket.io /control/socket.io/",
    ...processes.flatMap(({ name }) => [
      `    use_backend process_${name} if { path_beg /sandbox/${name}. }`,
      `    use_backend process_${name} if control { url_param(sandbox) -m beg ${name}. }`,
    ]),
    "    # Any other Socket.IO request (an id no process owns, the default /socket.io path) gets its connect_error",
    "    # from the first process that is up: always the same one, so a polling session stays on one process.",
    "    use_backend refusals if { url_param(EIO) -m found }",
    "    default_backend any",
    "",
    "# The page, its files and POST /api/sandboxes: any process that is up, in turns. A process that is full (503) or",
    "# unreachable is skipped: the request is tried on the next one.",
    "backend any",
    "    balance roundrobin",
    "    retry-on conn-failure empty-response 503",
    `    retries ${Math.max(1, processes.length - 1)}`,
    "    option redispatch 1",
    ...tracking(),
    "",
    "backend refusals",
    "    balance first",
    ...tracking(),
    "",
    "# One backend per process, for its sandboxes: while the process is down they get a JSON 503 and their clients",
    "# retry; when it is back on the same PLAYGROUND_DATA, so are its sandboxes.",
    ...processes.flatMap(({ name, address }) => [`backend process_${name}`, `    server ${name} ${address} check`, ""]),
  ].join("\n");
}

/** The command line: `--bind`, `--create-quota`, then `<name>=<host>:<port>` per process. */
function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { bind: { type: "string", default: "*:80" }, "create-quota": { type: "string", default: "50" } },
  });
  const processes = positionals.map((argument) => {
    const [name, address] = argument.split("=", 2);
    if (!address) throw new Error(`${argument}: write each process as <name>=<host>:<port>, e.g. p1=127.0.0.1:3001.`);
    return { name, address };
  });
  process.stdout.write(haproxyConfig({ bind: values.bind, processes, createQuota: Number(values["create-quota"]) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
