/**
 * What a program run's tracer, console and connection ledger ask of their sandbox. Classes, not object literals of
 * closures: a sandbox then holds three small objects instead of a dozen closures (and, under tsx's keepNames, no
 * `name` dictionary per named arrow), which counts at a thousand sandboxes per process.
 */
import type { Socket as Connection } from "engine.io";
import type { Namespace, Socket } from "socket.io";
import { adminNamespace } from "../admin/admin-access.ts";
import type { Delivery } from "../../contract/protocol.ts";
import type { CallSite } from "../runtime/call-sites.ts";
import type { LedgerHooks } from "../wire/connection-ledger.ts";
import type { TraceContext } from "./delivery-trace.ts";
import type { Handling } from "./handler-context.ts";
import type { ConsoleTarget, ProgramLine } from "./program-console.ts";
import type { RunHost } from "./program-run.ts";

/**
 * The tracer's view: names and triggers from the sandbox, the program's line from `site`; the Admin UI's traffic
 * is not traced (it is no delivery, and never interrupts one being traced).
 *
 * @example
 * const tracer = new DeliveryTracer(new RunTraceContext(host, { line: undefined }));
 */
export class RunTraceContext implements TraceContext {
  readonly nodeOf: ((nsp: Namespace) => number | undefined) | undefined;
  #host: RunHost;
  #site: CallSite;

  constructor(host: RunHost, site: CallSite, nodeOf?: (nsp: Namespace) => number | undefined) {
    this.#host = host;
    this.#site = site;
    this.nodeOf = nodeOf;
  }

  nameOf(socket: Socket): string {
    return this.#host.directory.nameOf(socket);
  }

  trigger(): Delivery["trigger"] {
    const handling = this.#host.context.current();
    return handling?.event ? { client: this.#host.directory.nameOf(handling.socket), event: handling.event } : undefined;
  }

  programLine(): number | undefined {
    return this.#site.line;
  }

  report(delivery: Omit<Delivery, "seq" | "at" | "run">): void {
    this.#host.trace(delivery);
  }

  wanted(): boolean {
    return this.#host.deliveryWanted();
  }

  untraced(nsp: Namespace): boolean {
    return nsp.name === adminNamespace;
  }

  roomsChanged(nsp: Namespace): void {
    if (nsp.name !== adminNamespace) this.#host.socketsChanged();
  }
}

/**
 * The program console's view: the socket being handled, its name, and the sandbox's feed.
 *
 * @example
 * const console = programConsole(new RunConsoleTarget(host, site));
 */
export class RunConsoleTarget implements ConsoleTarget {
  readonly site: CallSite;
  #host: RunHost;

  constructor(host: RunHost, site: CallSite) {
    this.#host = host;
    this.site = site;
  }

  handling(): Handling | undefined {
    return this.#host.context.current();
  }

  nameOf(socket: Socket): string {
    return this.#host.directory.nameOf(socket);
  }

  feed(line: ProgramLine): void {
    this.#host.feed(line);
  }

  wanted(): boolean {
    return this.#host.lineWanted();
  }
}

/**
 * Where the run's connection ledger and measuring decoder tell their refusals: the sandbox's console.
 *
 * @example
 * createSocketServer("sandbox", { limits: host.limits, hooks: new RunLedgerHooks(host) });
 */
export class RunLedgerHooks implements LedgerHooks {
  #host: RunHost;

  constructor(host: RunHost) {
    this.#host = host;
  }

  nameOf(conn: Connection): string {
    return this.#host.directory.nameOfConnection(conn);
  }

  report(conn: Connection | undefined, nsp: string | undefined, text: string): void {
    this.#host.feed({ level: "warn", kind: "system", text, client: conn && this.#host.directory.nameOfConnection(conn), nsp });
  }
}
