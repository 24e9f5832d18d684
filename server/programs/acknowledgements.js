// index.js: acknowledgements. A function passed as the last argument of an emit comes back as the answer.
const { createServer } = require("node:http");
const { Server } = require("socket.io");

/**
 * What clients may send, checked before your handlers run (an acknowledgement callback may come last).
 * @typedef {{
 *   "chat message": (msg: string) => void,
 *   poll: (question: string) => void,
 * }} ClientToServerEvents
 */

const server = createServer();
const io = new Server(server);

// ---- your code: edit below this line, then press Run code ----
io.on("connection", async (socket) => {
  console.log("a user connected");

  // client → server: the client passed a function last; calling it sends the answer back to that client
  socket.on("chat message", (msg, callback) => {
    console.log("message: " + msg);
    socket.broadcast.emit("chat message", msg);
    callback?.({ status: "ok" }); // ?. because a client may send without a callback
  });

  // server → every client: one answer per client, or an error if some have not answered within 2 seconds
  socket.on("poll", (question, callback) => {
    io.timeout(2000).emit("question", question, (err, responses) => {
      if (err) {
        console.log(`timed out: ${responses.length} answered: ${responses.join(", ")}`);
      } else {
        console.log(`everyone answered: ${responses.join(", ")}`);
      }
      callback?.({ answers: responses, everyone: !err });
    });
  });

  // server → one client: emitWithAck returns a promise; with timeout(ms) it rejects if no answer comes in time
  try {
    const answer = await socket.timeout(2000).emitWithAck("question", "ready?");
    console.log("ready? answered: " + answer);
  } catch (err) {
    console.log("ready? got no answer: " + err.message);
  }
});
// ---- end of your code ----

// In the playground your sandbox stands in for port 3000: clients reach it at its own path.
server.listen(3000);
