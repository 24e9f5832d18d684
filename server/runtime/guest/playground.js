// The guest half of the bridge: runs inside QuickJS, before the learner's index.js, in that sandbox's own engine.
// It gives the program `require("socket.io")`, `require("node:http")`, `require("./settings")`, `console` and
// timers. Its `io`, namespaces, sockets and broadcast operators hold no host object: each call becomes one `host(op, …)`
// call with strings and numbers (JSON for data), which the host checks and runs on the real Socket.IO server
// (server/runtime/bridge.ts). The host calls back through the function this file evaluates to.
(function (host, limits) {
  "use strict";
  const { stringify, parse } = JSON;
  const apply = Reflect.apply;
  const site = { line: 0 };
  Object.defineProperty(globalThis, "__pg$site", { value: site });
  globalThis.__pg$t = undefined;

  // Every loop turn and function entry of the program calls this (see call-sites.ts). Once the wall clock passes the
  // deadline it asks the host, which counts CPU time and notes the line; when the time is used up it spins in a bare
  // loop, which QuickJS's own interrupt check stops at once: so even a loop of slow built-in calls (a sort, a join)
  // stops on time.
  let deadline = Infinity;
  const now = Date.now;
  Object.defineProperty(globalThis, "__pg$tick", {
    value: function tick() {
      if (now() <= deadline) return;
      if (host("expired", site.line) === 1) for (;;) {}
      deadline = now() + 10;
    },
  });

  // Code built from strings would escape the line numbering and the clock checks: there is no eval or new Function.
  const noEval = (what) =>
    function () {
      throw new EvalError(`${what} is not available in the playground: write the code itself instead of building it from a string.`);
    };
  delete globalThis.eval;
  for (const fn of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    const prototype = Object.getPrototypeOf(fn);
    const stub = noEval(`new ${prototype.constructor.name}()`);
    stub.prototype = prototype;
    Object.defineProperty(prototype, "constructor", { value: stub, writable: false, configurable: false });
  }
  Object.defineProperty(globalThis, "Function", { value: Function.prototype.constructor, writable: false, configurable: false });

  let nextId = 1;
  /** Callbacks the host will call by id: acks of the program's emits, promises, timers, middleware `next`s. */
  const callbacks = new Map();
  const sockets = new Map();
  const namespaces = new Map();
  const parents = new Map();
  const settings = { broadcast: false };

  // ---- errors and the console ----

  function describe(value, depth = 0) {
    if (typeof value === "string") return depth === 0 ? value : `'${value.length > 200 ? value.slice(0, 200) + "…" : value}'`;
    if (typeof value === "function") return `[Function: ${value.name || "(anonymous)"}]`;
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "symbol") return String(value);
    if (value === null || typeof value !== "object") return String(value);
    if (value instanceof Error) return value.stack ? `${value.name}: ${value.message}\n${value.stack}` : `${value.name}: ${value.message}`;
    if (depth > 2) return Array.isArray(value) ? "[Array]" : "[Object]";
    const inner = (items) => (items.length ? ` ${items.slice(0, 50).join(", ")}${items.length > 50 ? `, … ${items.length - 50} more` : ""} ` : "");
    if (Array.isArray(value)) return `[${inner(value.map((item) => describe(item, depth + 1)))}]`;
    if (value instanceof Set) return `Set(${value.size}) {${inner([...value].map((item) => describe(item, depth + 1)))}}`;
    if (value instanceof Map) return `Map(${value.size}) {${inner([...value].map(([key, item]) => `${describe(key, depth + 1)} => ${describe(item, depth + 1)}`))}}`;
    const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : "";
    return `${name}{${inner(Object.keys(value).map((key) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : `'${key}'`}: ${describe(value[key], depth + 1)}`))}}`;
  }

  /** Like Node's util.format: %s %d %i %f %j %o %O %% in a first string, then the rest separated by spaces. */
  function format(args) {
    let first = 0;
    let text = "";
    if (typeof args[0] === "string" && args.length > 1) {
      first = 1;
      text = args[0].replace(/%[sdifjoO%]/g, (spec) => {
        if (spec === "%%") return "%";
        if (first >= args.length) return spec;
        const value = args[first++];
        if (spec === "%s") return typeof value === "string" ? value : describe(value, 1);
        if (spec === "%d" || spec === "%i") return String(spec === "%i" ? parseInt(value) : Number(value));
        if (spec === "%f") return String(parseFloat(value));
        if (spec === "%j") return stringify(value);
        return describe(value, 1);
      });
    } else if (args.length > 0) {
      first = 1;
      text = describe(args[0]);
    }
    for (let index = first; index < args.length; index++) text += " " + describe(args[index]);
    return text;
  }

  function print(level, args) {
    let text;
    try {
      text = format(args);
    } catch (error) {
      text = `(console.${level} could not turn its arguments into text: ${error && error.message})`;
    }
    if (text.length > limits.consoleLine) text = `${text.slice(0, limits.consoleLine)}… (${text.length - limits.consoleLine} more characters)`;
    host("log", level, text, site.line);
  }

  globalThis.console = {
    log: (...args) => print("log", args),
    info: (...args) => print("info", args),
    warn: (...args) => print("warn", args),
    error: (...args) => print("error", args),
    debug: (...args) => print("log", args),
    trace: (...args) => print("log", args),
  };

  /** An exception nobody caught: to the console with its line, and the server keeps running. */
  function report(error) {
    let text;
    let stack = "";
    try {
      if (error instanceof Error) {
        text = `${error.name}: ${error.message}`;
        stack = String(error.stack || "");
      } else {
        text = `Uncaught ${describe(error, 1)}`;
      }
    } catch (_) {
      text = "Uncaught exception (it could not be turned into text)";
    }
    host("fail", text.slice(0, limits.consoleLine), stack.slice(0, 4000), site.line);
  }

  /** Calls a function of the program; false when it threw (the exception is reported). */
  function invoke(fn, self, args) {
    try {
      const result = apply(fn, self, args);
      if (result !== null && typeof result === "object" && typeof result.then === "function") result.then(undefined, report);
      return true;
    } catch (error) {
      report(error);
      return false;
    }
  }

  function callback(fn, kind, owner) {
    if (callbacks.size >= limits.pending) {
      throw new Error(`Too many callbacks are waiting (${limits.pending}: acknowledgements, promises, timers); let some finish first.`);
    }
    const id = nextId++;
    callbacks.set(id, { fn, kind, owner });
    return id;
  }

  function promised(start) {
    return new Promise((resolve, reject) => start(callback({ resolve, reject }, "promise")));
  }

  function needFunction(fn, what) {
    if (typeof fn !== "function") throw new TypeError(`${what} needs a function.`);
  }

  function roomList(room) {
    return Array.isArray(room) ? room.map(String) : String(room);
  }

  // ---- emits: a chain of steps, run on the real server by the host ----

  function terminal(base, steps, op, args) {
    let id = 0;
    if (op === "emit" && typeof args[args.length - 1] === "function") {
      args = args.slice();
      id = callback(args.pop(), "ack", base);
    }
    const event = args[0];
    const last = op === "emit" || op === "emitWithAck" ? [op, typeof event === "string" ? event : String(event)] : [op, ...args];
    const data = op === "emit" || op === "emitWithAck" ? stringify(args.slice(1)) : "[]";
    if (op === "emitWithAck" || op === "fetchSockets") {
      return promised((promise) => host("chain", base, stringify([...steps, last]), data, promise, site.line)).then((value) =>
        op === "fetchSockets" ? value.map(adopt) : value,
      );
    }
    host("chain", base, stringify([...steps, last]), data, id, site.line);
    return op === "emit" ? true : undefined;
  }

  /** `io.to("r")`, `socket.broadcast`…: an immutable list of steps; each step returns a new operator. */
  class BroadcastOperator {
    #base;
    #steps;
    constructor(base, steps) {
      this.#base = base;
      this.#steps = steps;
    }
    #with(step) {
      return new BroadcastOperator(this.#base, [...this.#steps, step]);
    }
    to(room) { return this.#with(["to", roomList(room)]); }
    in(room) { return this.#with(["in", roomList(room)]); }
    except(room) { return this.#with(["except", roomList(room)]); }
    get broadcast() { return this.#with(["broadcast"]); }
    get volatile() { return this.#with(["volatile"]); }
    get local() { return this.#with(["local"]); }
    timeout(ms) { return this.#with(["timeout", Number(ms)]); }
    compress(flag) { return this.#with(["compress", Boolean(flag)]); }
    emit(...args) { return terminal(this.#base, this.#steps, "emit", args); }
    emitWithAck(...args) { return terminal(this.#base, this.#steps, "emitWithAck", args); }
    send(...args) { return terminal(this.#base, this.#steps, "emit", ["message", ...args]); }
    fetchSockets() { return terminal(this.#base, this.#steps, "fetchSockets", []); }
    socketsJoin(room) { terminal(this.#base, this.#steps, "socketsJoin", [roomList(room)]); }
    socketsLeave(room) { terminal(this.#base, this.#steps, "socketsLeave", [roomList(room)]); }
    disconnectSockets(close = false) { terminal(this.#base, this.#steps, "disconnectSockets", [Boolean(close)]); }
  }

  /** Listeners and middlewares the program added to one target, and the host told once per event. */
  class Listeners {
    #target;
    #events = new Map();
    #middlewares = [];
    constructor(target) {
      this.#target = target;
    }
    add(event, fn, once) {
      needFunction(fn, `.on(${stringify(String(event))}, …)`);
      event = String(event);
      let list = this.#events.get(event);
      if (!list) {
        host("listen", this.#target, event, 1);
        this.#events.set(event, (list = []));
      }
      list.push({ fn, once });
    }
    remove(event, fn) {
      const list = this.#events.get(String(event));
      if (!list) return;
      const index = fn === undefined ? 0 : list.findIndex((entry) => entry.fn === fn);
      if (index < 0) return;
      list.splice(index, fn === undefined ? list.length : 1);
      if (list.length === 0) {
        this.#events.delete(String(event));
        host("listen", this.#target, String(event), 0);
      }
    }
    count(event) {
      return this.#events.get(String(event))?.length ?? 0;
    }
    run(event, self, args) {
      const list = this.#events.get(event);
      if (!list) return;
      for (const entry of list.slice()) {
        if (entry.once) this.remove(event, entry.fn);
        invoke(entry.fn, self, args);
      }
    }
    use(fn) {
      needFunction(fn, ".use(…)");
      if (this.#middlewares.length === 0) host("middleware", this.#target);
      this.#middlewares.push(fn);
    }
    /** Runs the middlewares in order; `done(error?)` once one refuses or all let it through. */
    runMiddlewares(args, done) {
      const list = this.#middlewares.slice();
      let index = 0;
      const step = (error) => {
        if (error !== undefined && error !== null) return done(error);
        const fn = list[index++];
        if (!fn) return done();
        let called = false;
        const next = (failure) => {
          if (called) return;
          called = true;
          step(failure);
        };
        try {
          apply(fn, undefined, [...args, next]);
        } catch (thrown) {
          report(thrown);
          next(thrown instanceof Error ? thrown : new Error(String(thrown)));
        }
      };
      step();
    }
  }

  function refusal(error) {
    const message = error instanceof Error ? error.message : String(error);
    let data;
    try {
      data = error && error.data !== undefined ? stringify(error.data) : undefined;
    } catch (_) {
      data = undefined;
    }
    return stringify({ message: String(message).slice(0, 1000), data: data === undefined ? undefined : parse(data) });
  }

  // ---- namespaces ----

  class Namespace {
    #listeners;
    #ref;
    constructor(name) {
      Object.defineProperty(this, "name", { value: name, enumerable: true });
      this.#ref = `n:${name}`;
      this.#listeners = new Listeners(this.#ref);
    }
    on(event, fn) {
      if (event !== "connection" && event !== "connect") throw new TypeError(`A namespace emits only "connection" here, not ${stringify(String(event))}.`);
      this.#listeners.add("connection", fn, false);
      return this;
    }
    once(event, fn) {
      if (event !== "connection" && event !== "connect") throw new TypeError(`A namespace emits only "connection" here, not ${stringify(String(event))}.`);
      this.#listeners.add("connection", fn, true);
      return this;
    }
    off(event, fn) { this.#listeners.remove("connection", fn); return this; }
    removeAllListeners(event) { this.#listeners.remove("connection"); return this; }
    listeners(event) { return []; }
    use(fn) { this.#listeners.use(fn); return this; }
    get sockets() {
      const map = new Map();
      for (const snapshot of parse(host("sockets", this.name))) {
        const socket = adopt(snapshot);
        map.set(socket.id, socket);
      }
      return map;
    }
    get adapter() { return adapterOf(this.name); }
    get server() { return io; }
    to(room) { return new BroadcastOperator(this.#ref, [["to", roomList(room)]]); }
    in(room) { return new BroadcastOperator(this.#ref, [["in", roomList(room)]]); }
    except(room) { return new BroadcastOperator(this.#ref, [["except", roomList(room)]]); }
    get volatile() { return new BroadcastOperator(this.#ref, [["volatile"]]); }
    get local() { return new BroadcastOperator(this.#ref, [["local"]]); }
    timeout(ms) { return new BroadcastOperator(this.#ref, [["timeout", Number(ms)]]); }
    compress(flag) { return new BroadcastOperator(this.#ref, [["compress", Boolean(flag)]]); }
    emit(...args) { return terminal(this.#ref, [], "emit", args); }
    emitWithAck(...args) { return terminal(this.#ref, [], "emitWithAck", args); }
    send(...args) { return terminal(this.#ref, [], "emit", ["message", ...args]); }
    write(...args) { return terminal(this.#ref, [], "emit", ["message", ...args]); }
    fetchSockets() { return terminal(this.#ref, [], "fetchSockets", []); }
    socketsJoin(room) { terminal(this.#ref, [], "socketsJoin", [roomList(room)]); }
    socketsLeave(room) { terminal(this.#ref, [], "socketsLeave", [roomList(room)]); }
    disconnectSockets(close = false) { terminal(this.#ref, [], "disconnectSockets", [Boolean(close)]); }
    /** @private the host delivers a connection or a middleware run here */
    static listenersOf(nsp) { return nsp.#listeners; }
  }

  /** `io.of(/^\/tenant-\w+$/)`: a family of namespaces; the host asks this engine whether a name belongs to it. */
  class ParentNamespace {
    #listeners;
    #ref;
    #matcher;
    constructor(id, matcher) {
      Object.defineProperty(this, "name", { value: `/_${id}`, enumerable: true });
      this.#ref = `p:${id}`;
      this.#matcher = matcher;
      this.#listeners = new Listeners(this.#ref);
    }
    on(event, fn) {
      if (event !== "connection" && event !== "connect") throw new TypeError(`A namespace emits only "connection" here, not ${stringify(String(event))}.`);
      this.#listeners.add("connection", fn, false);
      return this;
    }
    use(fn) { this.#listeners.use(fn); return this; }
    emit(...args) { return terminal(this.#ref, [], "emit", args); }
    get server() { return io; }
    static listenersOf(parent) { return parent.#listeners; }
    static matcherOf(parent) { return parent.#matcher; }
  }

  function namespaceNamed(name) {
    let nsp = namespaces.get(name);
    if (!nsp) namespaces.set(name, (nsp = new Namespace(name)));
    return nsp;
  }

  const adapters = new Map();
  function adapterOf(name) {
    let adapter = adapters.get(name);
    if (adapter) return adapter;
    const listeners = new Listeners(`a:${name}`);
    const events = ["create-room", "delete-room", "join-room", "leave-room"];
    adapter = {
      on(event, fn) {
        if (!events.includes(event)) throw new TypeError(`An adapter emits ${events.map((name) => stringify(name)).join(", ")}, not ${stringify(String(event))}.`);
        listeners.add(event, fn, false);
        return this;
      },
      off(event, fn) { listeners.remove(event, fn); return this; },
      get rooms() {
        return new Map(parse(host("adapterRooms", name)).map(([room, ids]) => [room, new Set(ids)]));
      },
      get sids() {
        const sids = new Map();
        for (const [room, ids] of parse(host("adapterRooms", name))) {
          for (const id of ids) {
            if (!sids.has(id)) sids.set(id, new Set());
            sids.get(id).add(room);
          }
        }
        return sids;
      },
    };
    adapters.set(name, adapter);
    adapterListeners.set(name, listeners);
    return adapter;
  }
  const adapterListeners = new Map();

  // ---- sockets ----

  class Socket {
    #ref;
    #listeners;
    #anyListeners = [];
    constructor(snapshot) {
      Object.defineProperty(this, "id", { value: snapshot.id, enumerable: true });
      this.nsp = namespaceNamed(snapshot.nsp);
      this.handshake = snapshot.handshake;
      this.recovered = snapshot.recovered === true;
      this.data = {};
      this.#ref = `s:${snapshot.id}:${snapshot.nsp}`;
      this.#listeners = new Listeners(this.#ref);
    }
    get rooms() { return new Set(parse(host("rooms", this.#ref))); }
    get connected() { return host("state", this.#ref) === 1; }
    get disconnected() { return !this.connected; }
    get server() { return io; }
    on(event, fn) { this.#listeners.add(event, fn, false); return this; }
    addListener(event, fn) { return this.on(event, fn); }
    once(event, fn) { this.#listeners.add(event, fn, true); return this; }
    off(event, fn) { this.#listeners.remove(event, fn); return this; }
    removeListener(event, fn) { return this.off(event, fn); }
    removeAllListeners(event) { if (event !== undefined) this.#listeners.remove(event); return this; }
    listenerCount(event) { return this.#listeners.count(event); }
    onAny(fn) {
      needFunction(fn, "socket.onAny(…)");
      if (this.#anyListeners.length === 0) host("listen", this.#ref, "*", 1);
      this.#anyListeners.push(fn);
      return this;
    }
    offAny(fn) {
      const index = fn === undefined ? 0 : this.#anyListeners.indexOf(fn);
      if (index >= 0) this.#anyListeners.splice(index, fn === undefined ? this.#anyListeners.length : 1);
      if (this.#anyListeners.length === 0) host("listen", this.#ref, "*", 0);
      return this;
    }
    use(fn) { this.#listeners.use(fn); return this; }
    emit(...args) { return terminal(this.#ref, [], "emit", args); }
    emitWithAck(...args) { return terminal(this.#ref, [], "emitWithAck", args); }
    send(...args) { return terminal(this.#ref, [], "emit", ["message", ...args]); }
    write(...args) { return terminal(this.#ref, [], "emit", ["message", ...args]); }
    to(room) { return new BroadcastOperator(this.#ref, [["to", roomList(room)]]); }
    in(room) { return new BroadcastOperator(this.#ref, [["in", roomList(room)]]); }
    except(room) { return new BroadcastOperator(this.#ref, [["except", roomList(room)]]); }
    get broadcast() { return new BroadcastOperator(this.#ref, [["broadcast"]]); }
    get local() { return new BroadcastOperator(this.#ref, [["local"]]); }
    get volatile() { return new BroadcastOperator(this.#ref, [["volatile"]]); }
    timeout(ms) { return new BroadcastOperator(this.#ref, [["timeout", Number(ms)]]); }
    compress(flag) { return new BroadcastOperator(this.#ref, [["compress", Boolean(flag)]]); }
    join(room) { host("join", this.#ref, stringify(roomList(room)), site.line); }
    leave(room) { host("leave", this.#ref, stringify(String(room)), site.line); }
    disconnect(close = false) { host("disconnect", this.#ref, close ? 1 : 0, site.line); return this; }
    static listenersOf(socket) { return socket.#listeners; }
    static anyOf(socket) { return socket.#anyListeners; }
  }

  /** The one wrapper of a socket the host describes, made on first sight: `socket.data` lives on it. */
  function adopt(snapshot) {
    const key = `${snapshot.id}:${snapshot.nsp}`;
    let socket = sockets.get(key);
    if (!socket) sockets.set(key, (socket = new Socket(snapshot)));
    return socket;
  }

  function socketAt(ref) {
    return sockets.get(ref.slice(2));
  }

  // ---- the server ----

  let parentCount = 0;
  class Server {
    #main = namespaceNamed("/");
    get sockets() { return this.#main; }
    of(name, fn) {
      let nsp;
      if (name instanceof RegExp || typeof name === "function") {
        const id = ++parentCount;
        host("parent", id);
        nsp = new ParentNamespace(id, name);
        parents.set(id, nsp);
      } else {
        name = String(name);
        if (!name.startsWith("/")) name = `/${name}`;
        host("namespace", name);
        nsp = namespaceNamed(name);
      }
      if (fn !== undefined) nsp.on("connection", fn);
      return nsp;
    }
    on(event, fn) { this.#main.on(event, fn); return this; }
    once(event, fn) { this.#main.once(event, fn); return this; }
    off(event, fn) { this.#main.off(event, fn); return this; }
    use(fn) { this.#main.use(fn); return this; }
    to(room) { return this.#main.to(room); }
    in(room) { return this.#main.in(room); }
    except(room) { return this.#main.except(room); }
    get volatile() { return this.#main.volatile; }
    get local() { return this.#main.local; }
    timeout(ms) { return this.#main.timeout(ms); }
    compress(flag) { return this.#main.compress(flag); }
    emit(...args) { return this.#main.emit(...args); }
    emitWithAck(...args) { return this.#main.emitWithAck(...args); }
    send(...args) { return this.#main.send(...args); }
    write(...args) { return this.#main.write(...args); }
    fetchSockets() { return this.#main.fetchSockets(); }
    socketsJoin(room) { this.#main.socketsJoin(room); }
    socketsLeave(room) { this.#main.socketsLeave(room); }
    disconnectSockets(close) { this.#main.disconnectSockets(close); }
    listen() { return this; }
    attach() { return this; }
    close() { throw new Error("The playground starts and stops this server for you: press Run code to restart it."); }
  }
  let io;

  // ---- require, timers ----

  const http = {
    createServer: () => ({
      listen(port, callback) {
        if (typeof callback === "function") Promise.resolve().then(() => invoke(callback, undefined, []));
        return this;
      },
    }),
  };
  const modules = {
    "socket.io": {
      Server: function Server_() {
        if (io) throw new Error("This playground runs one Socket.IO server per sandbox: use the io you already have.");
        io = new Server();
        return io;
      },
    },
    "node:http": http,
    http,
    "./settings": settings,
  };
  globalThis.require = function require(name) {
    if (typeof name === "string" && Object.hasOwn(modules, name)) return modules[name];
    throw new Error(`Cannot find module '${String(name)}': code in the playground can require only "socket.io", "node:http" and "./settings"; it has no file system, network or processes.`);
  };

  function timer(fn, ms, args, repeat) {
    needFunction(fn, repeat ? "setInterval" : "setTimeout");
    const id = callback({ fn, args }, repeat ? "interval" : "timeout");
    host("timer", id, Number(ms) || 0, repeat ? 1 : 0);
    return id;
  }
  function clear(id) {
    const entry = callbacks.get(id);
    if (entry && (entry.kind === "timeout" || entry.kind === "interval")) {
      callbacks.delete(id);
      host("clear", id);
    }
  }
  globalThis.setTimeout = (fn, ms, ...args) => timer(fn, ms, args, false);
  globalThis.setInterval = (fn, ms, ...args) => timer(fn, ms, args, true);
  globalThis.setImmediate = (fn, ...args) => timer(fn, 0, args, false);
  globalThis.clearTimeout = clear;
  globalThis.clearInterval = clear;
  globalThis.clearImmediate = clear;
  globalThis.queueMicrotask = (fn) => {
    needFunction(fn, "queueMicrotask");
    Promise.resolve().then(() => invoke(fn, undefined, []));
  };

  // ---- what the host calls ----

  function ackFor(id) {
    let used = false;
    return (...args) => {
      if (used) return;
      used = true;
      host("reply", id, stringify(args), site.line);
    };
  }

  function listenersAt(ref) {
    if (ref.startsWith("n:")) return Namespace.listenersOf(namespaceNamed(ref.slice(2)));
    if (ref.startsWith("p:")) {
      const parent = parents.get(Number(ref.slice(2)));
      return parent && ParentNamespace.listenersOf(parent);
    }
    return undefined;
  }

  const entries = {
    /** Sets the deadline for the program's top level, which the host runs next. */
    start() {},
    connection(ref, snapshot) {
      const socket = adopt(parse(snapshot));
      listenersAt(ref)?.run("connection", undefined, [socket]);
    },
    middleware(ref, snapshot, callId) {
      const socket = adopt(parse(snapshot));
      const listeners = ref.startsWith("s:") ? undefined : listenersAt(ref);
      if (!listeners) return host("next", callId, undefined);
      listeners.runMiddlewares([socket], (error) => host("next", callId, error === undefined ? undefined : refusal(error)));
    },
    packet(ref, packet, callId) {
      const socket = socketAt(ref);
      if (!socket) return host("next", callId, undefined);
      Socket.listenersOf(socket).runMiddlewares([parse(packet)], (error) => host("next", callId, error === undefined ? undefined : refusal(error)));
    },
    event(ref, event, args, ackId) {
      const socket = socketAt(ref);
      if (!socket) return;
      const values = parse(args);
      if (ackId) values.push(ackFor(ackId));
      Socket.listenersOf(socket).run(event, socket, values);
    },
    any(ref, event, args) {
      const socket = socketAt(ref);
      if (!socket) return;
      for (const fn of Socket.anyOf(socket).slice()) invoke(fn, socket, [event, ...parse(args)]);
    },
    adapter(nsp, event, args) {
      adapterListeners.get(nsp)?.run(event, undefined, parse(args));
    },
    match(id, name, auth, callId) {
      const parent = parents.get(id);
      const matcher = parent && ParentNamespace.matcherOf(parent);
      if (matcher instanceof RegExp) return host("matched", callId, matcher.test(name) ? 1 : 0);
      if (typeof matcher !== "function") return host("matched", callId, 0);
      let answered = false;
      invoke(matcher, undefined, [name, parse(auth), (error, ok) => {
        if (answered) return;
        answered = true;
        host("matched", callId, !error && ok ? 1 : 0);
      }]);
    },
    callback(id, args) {
      const entry = callbacks.get(id);
      if (!entry) return;
      const answer = parse(args);
      const error = typeof answer.error === "string" ? new Error(answer.error) : undefined;
      if (entry.kind === "promise") {
        callbacks.delete(id);
        if (error) entry.fn.reject(error);
        else entry.fn.resolve(answer.args[0]);
      } else if (entry.kind === "ack") {
        callbacks.delete(id);
        invoke(entry.fn, undefined, error ? [error, ...answer.args] : answer.args);
      } else if (entry.kind === "timeout" || entry.kind === "interval") {
        if (entry.kind === "timeout") callbacks.delete(id);
        invoke(entry.fn.fn, undefined, entry.fn.args);
      }
    },
    forget(ref) {
      const key = ref.slice(2);
      sockets.delete(key);
      for (const [id, entry] of callbacks) if (entry.kind === "ack" && entry.owner === ref) callbacks.delete(id);
    },
    setting(name, value) {
      if (name === "broadcast") settings.broadcast = parse(value) === true;
    },
  };

  return function enter(kind, until, a, b, c, d) {
    site.line = 0;
    deadline = until;
    return entries[kind](a, b, c, d);
  };
})
