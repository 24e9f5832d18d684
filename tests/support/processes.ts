/** Child processes for deploy tests: `npm start`'s entry point serving this run's build, and a real HAProxy in front. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Child {
  process: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with its exit code (or signal) once it has exited. */
  exited: Promise<number | string | null>;
  /** Sends `signal` (SIGTERM unless said) and resolves once it has exited; SIGKILL after 6 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * A free TCP port on 127.0.0.1 (the kernel's pick, released at once: for a child that must be told its port, or
 * that must come back on the same one).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every child started here and not yet exited: killed when this test process exits, however it exits. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Stops every child started here that is still running (for `afterAll`, whatever state a failure left). */
export async function stopChildren(): Promise<void> {
  await Promise.all([...running].map((child) => watched.get(child)!.stop()));
}

const watched = new WeakMap<ChildProcess, Child>();

function watch(child: ChildProcess): Child {
  running.add(child);
  child.once("exit", () => running.delete(child));
  child.once("error", () => running.delete(child));
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | string | null>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal));
    // A binary that cannot be spawned never exits: its error is its end.
    child.once("error", (error) => {
      output += String(error);
      resolve(null);
    });
  });
  const handle: Child = {
    process: child,
    output: () => output,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill("SIGKILL"), 6000);
      child.kill(signal);
      await exited;
      clearTimeout(killer);
    },
  };
  watched.set(child, handle);
  return handle;
}

/** How long a process may take to say it is running (a loaded 2-core machine compiles TypeScript slowly). */
const startTimeoutMs = 60_000;

/**
 * `npm start`'s entry point as a child process on 127.0.0.1:`port`, serving `distDir`, with `env` on top of this
 * process's environment; resolves once it says it is running. One that exits first, or says nothing within a
 * minute, is stopped and rejects with what it printed.
 *
 * @example
 * const p1 = await startPlaygroundProcess({ port: await freePort(), distDir: builtPage(), env: { PLAYGROUND_PROCESS: "p1" } });
 */
export async function startPlaygroundProcess({ port, distDir, env = {} }: { port: number; distDir: string; env?: Record<string, string> }): Promise<Child & { url: string }> {
  const child = watch(
    spawn(process.execPath, ["--import", "tsx", "server/main.ts", `--dist=${distDir}`], {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output());
        if (match) resolve(match[1]);
      };
      child.process.stdout!.on("data", look);
      void child.exited.then(() => reject(new Error(`npm start (port ${port}) exited early:\n${child.output()}`)));
      timer = setTimeout(() => reject(new Error(`npm start (port ${port}) did not say it was running within ${startTimeoutMs / 1000} s:\n${child.output()}`)), startTimeoutMs);
    });
    return { ...child, url };
  } catch (error) {
    await child.stop("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The machine's HAProxy: `HAPROXY_PATH`, else `haproxy` on the PATH or in /usr/sbin. Throws a sentence saying how
 * to install it when there is none (`.ci/run` installs Debian's package).
 */
export function haproxyPath(): string {
  const fromEnv = process.env.HAPROXY_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`HAPROXY_PATH points at ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  for (const candidate of ["haproxy", "/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]) {
    if (spawnSync(candidate, ["-v"], { stdio: "ignore" }).status === 0) return candidate;
  }
  throw new Error("No haproxy found: this test runs a real HAProxy. Install it (apt-get install -y haproxy; .ci/run does) or set HAPROXY_PATH.");
}

/**
 * A real HAProxy in the foreground, on `config` (the part after `global`, e.g. from scripts/haproxy-config.ts),
 * written into `dir` behind a minimal global section (no chroot, no user switch, no daemon); `haproxy -c` checks it
 * first, so a configuration error fails with HAProxy's own words.
 */
export function startHaproxy(config: string, dir: string): Child & { status(backend: string, server: string): Promise<string> } {
  const file = join(dir, "haproxy.cfg");
  const stats = join(dir, "haproxy.sock");
  writeFileSync(file, `global\n    maxconn 200\n    stats socket ${stats} mode 600 level user\n\n${config}\n`);
  const binary = haproxyPath();
  const checked = spawnSync(binary, ["-c", "-f", file], { encoding: "utf8" });
  if (checked.status !== 0) throw new Error(`haproxy -c refused ${file}:\n${checked.stdout}${checked.stderr}`);
  const child = watch(spawn(binary, ["-f", file, "-db"], { stdio: ["ignore", "pipe", "pipe"] }));
  return { ...child, status: (backend, server) => serverStatus(stats, backend, server) };
}

/** What HAProxy's health checks say of one server (`UP`, `DOWN`, `UP 1/2`, …), from `show stat` on its stats socket. */
function serverStatus(socketPath: string, backend: string, server: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let csv = "";
    const socket = connect(socketPath, () => socket.end("show stat\n"));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (csv += chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n").map((line) => line.split(","));
      const row = rows.find((fields) => fields[0] === backend && fields[1] === server);
      if (!row) return reject(new Error(`HAProxy has no server ${backend}/${server}:\n${csv}`));
      resolve(row[header.indexOf("status")]);
    });
  });
}
