/** Which console steps each Socket.IO 4.8 object offers, and what each step returns: the grammar's type system. */

/**
 * What a chain holds after each step, as in Socket.IO's own types:
 * `server` is `io` (Server), `namespace` is `io.of(…)`, `operator` a BroadcastOperator,
 * `socket` a server-side Socket, `flagged-socket` a Socket after `.volatile` / `.timeout()`,
 * `end` the value of a call that ends the chain (`emit` returns a boolean, `join` a promise…).
 */
export type Receiver = "server" | "namespace" | "operator" | "socket" | "flagged-socket" | "end";

export type StepName =
  | "of" | "sockets" | "to" | "in" | "except" | "broadcast" | "volatile" | "local" | "compress" | "timeout" | "emit"
  | "join" | "leave" | "rooms" | "id" | "disconnect" | "fetchSockets" | "socketsJoin" | "socketsLeave" | "disconnectSockets";

/** How a step is written: a property, `()`, `("text")`, `(number)`, `(true|false)`, or `("event", …json)`. */
export type StepShape = "property" | "call" | "string" | "number" | "boolean" | "emit";

/**
 * How each step is written.
 *
 * @example
 * stepShapes.broadcast; // "property"
 */
export const stepShapes: Record<StepName, StepShape> = {
  of: "string",
  sockets: "property",
  to: "string",
  in: "string",
  except: "string",
  broadcast: "property",
  volatile: "property",
  local: "property",
  compress: "boolean",
  timeout: "number",
  emit: "emit",
  join: "string",
  leave: "string",
  rooms: "property",
  id: "property",
  disconnect: "call",
  fetchSockets: "call",
  socketsJoin: "string",
  socketsLeave: "string",
  disconnectSockets: "call",
};

/**
 * What the string argument of a step names, for messages and completion.
 *
 * @example
 * stringArgs.of; // { what: "a namespace", example: '"/admin"' }
 */
export const stringArgs: Partial<Record<StepName, { what: string; example: string }>> = {
  of: { what: "a namespace", example: '"/admin"' },
  to: { what: "a room name", example: '"lobby"' },
  in: { what: "a room name", example: '"lobby"' },
  except: { what: "a room name or socket id", example: '"vip"' },
  join: { what: "a room name", example: '"lobby"' },
  leave: { what: "a room name", example: '"lobby"' },
  socketsJoin: { what: "a room name", example: '"vip"' },
  socketsLeave: { what: "a room name", example: '"vip"' },
};

const broadcastSteps = {
  to: "operator",
  in: "operator",
  except: "operator",
  volatile: "operator",
  local: "operator",
  compress: "operator",
  timeout: "operator",
  emit: "end",
  fetchSockets: "end",
  socketsJoin: "end",
  socketsLeave: "end",
  disconnectSockets: "end",
} as const satisfies Partial<Record<StepName, Receiver>>;

/**
 * The steps each receiver accepts and what they return. `io.sockets` is the main namespace, as in Socket.IO.
 * A socket's `.volatile`, `.compress()` and `.timeout()` return the socket itself with a flag for its next
 * emit, so `.join()`, `.rooms`, `.disconnect()`… may not follow them here.
 *
 * @example
 * transitions.operator.join; // undefined: a BroadcastOperator has no join()
 */
export const transitions: Record<Receiver, Partial<Record<StepName, Receiver>>> = {
  server: { of: "namespace", sockets: "namespace", ...broadcastSteps },
  namespace: broadcastSteps,
  operator: broadcastSteps,
  socket: {
    to: "operator",
    in: "operator",
    except: "operator",
    broadcast: "operator",
    local: "operator",
    volatile: "flagged-socket",
    compress: "flagged-socket",
    timeout: "flagged-socket",
    emit: "end",
    join: "end",
    leave: "end",
    rooms: "end",
    id: "end",
    disconnect: "end",
  },
  // The flags travel on: `socket.volatile.to("r")` hands them to the new BroadcastOperator.
  "flagged-socket": {
    to: "operator",
    in: "operator",
    except: "operator",
    broadcast: "operator",
    local: "operator",
    volatile: "flagged-socket",
    compress: "flagged-socket",
    timeout: "flagged-socket",
    emit: "end",
  },
  end: {},
};

/** Every step name, in the order messages and completion list them. */
export const stepNames = Object.keys(stepShapes) as StepName[];

/**
 * Whether a name is one of the grammar's steps.
 *
 * @example
 * isStepName("emit"); // true
 */
export function isStepName(name: string): name is StepName {
  return Object.hasOwn(stepShapes, name);
}

/**
 * The steps a receiver accepts, in grammar order.
 *
 * @example
 * stepsOn("flagged-socket"); // ["to", "in", "except", "broadcast", "volatile", "local", "compress", "timeout", "emit"]
 */
export function stepsOn(receiver: Receiver): StepName[] {
  return stepNames.filter((name) => transitions[receiver][name] !== undefined);
}

/**
 * How a step looks in a list.
 *
 * @example
 * stepLabel("to"); // ".to()"
 */
export function stepLabel(name: StepName): string {
  return stepShapes[name] === "property" ? `.${name}` : `.${name}()`;
}

/** Events Socket.IO refuses to emit (`socket-types.js` RESERVED_EVENTS, plus the namespace's own). */
export const eventsServerCannotEmit = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);

/** The longest timeout the console waits for acknowledgements, in ms. */
export const maxTimeout = 10_000;
