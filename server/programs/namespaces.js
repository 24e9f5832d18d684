// index.js: namespaces, each with its own event handlers, rooms and middlewares.
const { createServer } = require("node:http");
const { Server } = require("socket.io");

/**
 * What clients may send, checked before your handlers run (an acknowledgement callback may come last).
 * @typedef {{
 *   "chat message": (msg: string) => void,
 *   join: (room: string) => void,
 * }} ClientToServerEvents
 */

const server = createServer();
const io = new Server(server);

// ---- your code: edit below this line, then press Run code ----
// the main namespace, "/"
io.on("connection", (socket) => {
  console.log("a user connected to /");
  socket.on("chat message", (msg) => {
    io.emit("chat message", msg);
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    ack?.({ ok: true, data: [...socket.rooms] });
  });
});

// "/admin": a middleware of its own lets only clients with the token in
const admin = io.of("/admin");
admin.use((socket, next) => {
  if (socket.handshake.auth.token === "let-me-in") {
    next();
  } else {
    next(new Error("Not authorized: wrong or missing auth token"));
  }
});
admin.on("connection", (socket) => {
  console.log("an admin connected");
  socket.on("chat message", (msg) => {
    admin.emit("chat message", "[admin] " + msg);
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    ack?.({ ok: true, data: [...socket.rooms] });
  });
});

// one namespace per tenant, created the first time a client connects to it
const tenants = io.of(/^\/tenant-[a-z]+$/);
tenants.on("connection", (socket) => {
  const tenant = socket.nsp;
  console.log("a user connected to " + tenant.name);
  socket.on("chat message", (msg) => {
    tenant.emit("chat message", msg);
  });
});
// ---- end of your code ----

// In the playground your sandbox stands in for port 3000: clients reach it at its own path.
server.listen(3000);
