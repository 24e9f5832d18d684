/** A real `redis-server` for the tests of the Redis adapter path: Debian's, on 127.0.0.1, nothing kept on disk. */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { freePort } from "./processes.ts";

export interface RunningRedis {
  url: string;
  port: number;
  /** Stops it (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * The machine's redis-server: `REDIS_SERVER_PATH`, else `redis-server` on the PATH or in /usr/bin. Throws a sentence
 * saying how to install it when there is none (`.ci/run` installs Debian's package).
 */
export function redisServerPath(): string {
  const fromEnv = process.env.REDIS_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`REDIS_SERVER_PATH points at ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  for (const candidate of ["redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server"]) {
    if (spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0) return candidate;
  }
  throw new Error("No redis-server found: this test runs a real Redis. Install it (apt-get install -y redis-server; .ci/run does) or set REDIS_SERVER_PATH.");
}

/**
 * Starts a redis-server on a free port of 127.0.0.1 (no persistence, no AOF) and resolves once it answers PING.
 *
 * @example
 * const redis = await startRedis();
 * const live = await startLive({ redisUrl: redis.url });
 * await redis.stop();
 */
export async function startRedis(): Promise<RunningRedis> {
  const binary = redisServerPath();
  const port = await freePort();
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    process.off("exit", kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited at start:\n${output}`);
    if (await pings(port)) return { url: `redis://127.0.0.1:${port}`, port, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`redis-server did not answer PING on 127.0.0.1:${port} within 5 s:\n${output}`);
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.setTimeout(500, () => socket.destroy());
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
}
