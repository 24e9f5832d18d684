// index.js: the chat server, started twice (server 1 and server 2) behind one load balancer.
const { createServer } = require("node:http");
const { Server } = require("socket.io");
// The panel's switches: "Adapter" starts each server with a cluster adapter (in production:
// io.adapter(createAdapter(pubClient, subClient)) from @socket.io/redis-adapter); "Sticky sessions" is the balancer's.
const settings = require("./settings");

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
io.on("connection", (socket) => {
  console.log("a user connected");

  socket.on("chat message", (msg) => {
    // reaches this server's clients only, unless an adapter links the servers
    io.emit("chat message", msg);
  });

  socket.on("join", (room, ack) => {
    socket.join(room);
    ack?.({ ok: true, data: [...socket.rooms] });
  });
});
// ---- end of your code ----

// Each server listens on its own port; the balancer in front of them is what clients reach.
server.listen(3000);
