// index.js: a chat server whose clients lose the network now and then, with connection state recovery.
const { createServer } = require("node:http");
const { Server } = require("socket.io");
// The panel's "Connection state recovery" switch: settings.recovery is true while it is on.
const settings = require("./settings");

/**
 * What clients may send, checked before your handlers run (an acknowledgement callback may come last).
 * @typedef {{
 *   "chat message": (msg: string) => void,
 *   join: (room: string) => void,
 *   leave: (room: string) => void,
 * }} ClientToServerEvents
 */

const server = createServer();
const io = new Server(server, {
  // a silent connection is noticed within pingInterval + pingTimeout (the defaults are 25 s and 20 s)
  pingInterval: 2000,
  pingTimeout: 2000,
  // the switch restarts the server with or without this option
  connectionStateRecovery: settings.recovery
    ? {
        // how long the server keeps a disconnected socket's id, rooms and missed emits (default: 2 minutes)
        maxDisconnectionDuration: 15000,
        // run the middlewares again for a recovered socket too (default: true, skip them)
        skipMiddlewares: false,
      }
    : undefined,
});

// ---- your code: edit below this line, then press Run code ----
io.on("connection", (socket) => {
  if (socket.recovered) {
    // same id, same rooms, and the missed emits are on their way
    console.log(`${socket.id} recovered, in rooms: ${[...socket.rooms]}`);
  } else {
    console.log(`a user connected: ${socket.id}, new session`);
    // with recovery on, every emit ends with its offset; a client asks for what it missed after the last one it got
    socket.emit("hello", `welcome, ${socket.id}`);
  }

  socket.on("join", (room, ack) => {
    socket.join(room);
    ack?.({ ok: true, data: [...socket.rooms] });
  });

  socket.on("leave", (room, ack) => {
    socket.leave(room);
    ack?.({ ok: true, data: [...socket.rooms] });
  });

  socket.on("chat message", (msg) => {
    console.log("message: " + msg);
    io.emit("chat message", msg);
  });

  socket.on("disconnect", (reason) => {
    console.log(`${socket.id} disconnected: ${reason}`);
  });
});
// ---- end of your code ----

// In the playground your sandbox stands in for port 3000: clients reach it at its own path.
server.listen(3000);
