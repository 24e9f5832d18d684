// index.js: rooms, joined and left on the client's request (rooms are server-only).
const { createServer } = require("node:http");
const { Server } = require("socket.io");
// The panel's "broadcast" switch: settings.broadcast is true while it is on.
const settings = require("./settings");

/**
 * What clients may send, checked before your handlers run (an acknowledgement callback may come last).
 * @typedef {{
 *   "chat message": (msg: string, room?: string) => void,
 *   join: (room: string) => void,
 *   leave: (room: string) => void,
 * }} ClientToServerEvents
 */

const server = createServer();
const io = new Server(server);

// ---- your code: edit below this line, then press Run code ----
io.of("/").adapter.on("create-room", (room) => {
  console.log(`room ${room} was created`);
});
io.of("/").adapter.on("delete-room", (room) => {
  console.log(`room ${room} was deleted`);
});

io.on("connection", (socket) => {
  console.log(`a user connected, in rooms: ${[...socket.rooms]}`);

  socket.on("join", (room, ack) => {
    socket.join(room);
    console.log(`${socket.id} joined ${room}`);
    ack?.({ ok: true, data: [...socket.rooms] });
  });

  socket.on("leave", (room, ack) => {
    socket.leave(room);
    console.log(`${socket.id} left ${room}`);
    ack?.({ ok: true, data: [...socket.rooms] });
  });

  socket.on("chat message", (msg, room) => {
    console.log("message: " + msg);
    if (typeof room !== "string") {
      // no room named: everyone
      io.emit("chat message", msg);
    } else if (settings.broadcast) {
      // the room, without the sender
      socket.to(room).emit("chat message", msg);
    } else {
      // the room, the sender too if it is in it
      io.to(room).emit("chat message", msg);
    }
  });

  socket.on("disconnecting", () => {
    console.log(`disconnecting, still in rooms: ${[...socket.rooms]}`);
  });

  socket.on("disconnect", () => {
    console.log(`disconnected, now in ${socket.rooms.size} rooms`);
  });
});
// ---- end of your code ----

// In the playground your sandbox stands in for port 3000: clients reach it at its own path.
server.listen(3000);
