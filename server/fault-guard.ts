/** The process's last line of defence: an error that escaped every handler closes the sandbox it came from, never the process. */
import { HandlerContext } from "./sandbox/handler-context.ts";

/**
 * Installs `uncaughtException` and `unhandledRejection` listeners for the serving process (`npm start`). An
 * error thrown while a sandbox's program was handling a connection, an event or a disconnection (or in a timer
 * or promise it started) closes that sandbox, with a line to its owner; an error no sandbox can be blamed for is
 * logged and the server keeps serving everyone else. Returns the function that removes the listeners.
 *
 * @example
 * const unguard = guardProcess();
 */
export function guardProcess(log: (...args: unknown[]) => void = console.error): () => void {
  let unblamed = 0;
  const onError = (error: unknown, origin: string) => {
    if (HandlerContext.blame(error)) return;
    unblamed++;
    log(`Socket Playground: an error outside any sandbox (${origin}, ${unblamed} so far); the server keeps running.`, error);
  };
  const onException = (error: Error) => onError(error, "uncaught exception");
  const onRejection = (reason: unknown) => onError(reason, "unhandled rejection");
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}
