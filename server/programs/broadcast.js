// index.js: the broadcast flag decides between `io.emit` and `socket.broadcast.emit`.
const { createServer } = require("node:http");
const { Server } = require("socket.io");
// The panel's "broadcast" switch: settings.broadcast is true while it is on.
const settings = require("./settings");

/**
 * What clients may send, checked before your handlers run.
 * @typedef {{
 *   "chat message": (msg: string) => void,
 * }} ClientToServerEvents
 */

const server = createServer();
const io = new Server(server);

// ---- your code: edit below this line, then press Run code ----
io.on("connection", (socket) => {
  console.log("a user connected");
  // to this socket only
  socket.emit("welcome", "your id is " + socket.id);

  socket.on("chat message", (msg) => {
    console.log("message: " + msg);
    if (settings.broadcast) {
      // to everyone except the sender
      socket.broadcast.emit("chat message", msg);
    } else {
      // to everyone, the sender included
      io.emit("chat message", msg);
    }
  });

  socket.on("disconnect", () => {
    console.log("user disconnected");
  });
});
// ---- end of your code ----

// In the playground your sandbox stands in for port 3000: clients reach it at its own path.
server.listen(3000);
