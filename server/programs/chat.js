// index.js: the server of the official Socket.IO chat tutorial (https://socket.io/docs/v4/tutorial/introduction).
const { createServer } = require("node:http");
const { Server } = require("socket.io");
// The panel's "broadcast" switch: settings.broadcast is true while it is on.
const settings = require("./settings");

/**
 * What clients may send, checked before your handlers run.
 * @typedef {{
 *   "chat message": (msg: string) => void,
 *   nickname: (nickname: string) => void,
 *   typing: (isTyping: any) => void,
 * }} ClientToServerEvents
 */

const server = createServer();
const io = new Server(server);

// ---- your code: edit below this line, then press Run code ----
io.on("connection", (socket) => {
  console.log("a user connected");

  socket.on("chat message", (msg) => {
    console.log("message: " + msg);
    if (settings.broadcast) {
      // homework: no echo, the sender shows its own message; the others learn who wrote it
      socket.broadcast.emit("chat message", msg, socket.data.nickname ?? socket.id);
    } else {
      io.emit("chat message", msg);
    }
  });

  socket.on("disconnect", () => {
    console.log("user disconnected");
    // homework: if this user had picked a nickname, tell the others
    if (socket.data.nickname) {
      socket.broadcast.emit("user left", socket.data.nickname);
      io.emit("online", whoIsOnline());
    }
  });

  // More homework; it runs only when a client sends `nickname` or `typing`, so the tutorial above is unchanged.
  socket.on("nickname", (nickname) => {
    const joining = socket.data.nickname === undefined;
    socket.data.nickname = nickname;
    console.log(socket.id + " is now " + nickname);
    if (joining) socket.broadcast.emit("user joined", nickname);
    io.emit("online", whoIsOnline());
  });

  socket.on("typing", (isTyping) => {
    socket.broadcast.emit("typing", socket.data.nickname ?? socket.id, isTyping);
  });
});

function whoIsOnline() {
  const names = [];
  for (const socket of io.of("/").sockets.values()) {
    if (socket.data.nickname) names.push(socket.data.nickname);
  }
  return names;
}
// ---- end of your code ----

// In the playground your sandbox stands in for port 3000: clients reach it at its own path.
server.listen(3000);
