// index.js: a chat server that stores every message in SQL, so that no message is lost and none is stored twice.
const { createServer } = require("node:http");
const { Server } = require("socket.io");
// The panel's "UNIQUE client_offset" switch: settings.unique is true while it is on.
const settings = require("./settings");
// This sandbox's own SQLite database, in memory, with the `sqlite` package's API. The tutorial opens a file:
// const db = await open({ filename: "chat.db", driver: sqlite3.Database });
const db = require("./db");

/**
 * What clients may send, checked before your handlers run (an acknowledgement callback may come last).
 * @typedef {{
 *   "chat message": (msg: string, clientOffset: string) => void,
 * }} ClientToServerEvents
 */

// The switch restarts the server with a fresh database, this column UNIQUE or not.
db.exec(`
  CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_offset TEXT${settings.unique ? " UNIQUE" : ""},
    content TEXT
  );
`);

const server = createServer();
const io = new Server(server, {
  // a client whose network dropped is noticed within pingInterval + pingTimeout (the defaults are 25 s and 20 s)
  pingInterval: 2000,
  pingTimeout: 2000,
});

// ---- your code: edit below this line, then press Run code ----
io.on("connection", async (socket) => {
  socket.on("chat message", async (msg, clientOffset, callback) => {
    let result;
    try {
      // store it first: the row's id is the message's offset
      result = await db.run("INSERT INTO messages (content, client_offset) VALUES (?, ?)", msg, clientOffset);
    } catch (e) {
      if (e.errno === 19 /* SQLITE_CONSTRAINT */) {
        // this client_offset is stored already: a retry of a message we have, so just acknowledge it
        console.log(`already stored: ${clientOffset}`);
        callback?.();
      } else {
        // not stored (the database is full, say): tell the client instead of letting it retry for nothing
        console.warn(`not stored: ${e.message}`);
        callback?.({ error: e.message });
      }
      return;
    }
    console.log(`stored #${result.lastID}: ${msg} (client_offset ${clientOffset})`);
    // each emit carries its offset, the client remembers the last one
    io.emit("chat message", msg, result.lastID);
    // the acknowledgement tells the client it is stored: it will not send it again
    callback?.();
  });

  // a client that says which offset it saw last gets every message stored after it
  const serverOffset = socket.handshake.auth.serverOffset;
  if (serverOffset !== undefined && !Number.isSafeInteger(serverOffset)) {
    console.warn(`${socket.id} sent a serverOffset that is not a whole number (${typeof serverOffset}): nothing sent`);
  } else if (!socket.recovered && serverOffset !== undefined) {
    try {
      await db.each("SELECT id, content FROM messages WHERE id > ?", [serverOffset || 0], (_err, row) => {
        socket.emit("chat message", row.content, row.id);
      });
    } catch (e) {
      console.warn(`could not send the missed messages: ${e.message}`);
    }
  }
});
// ---- end of your code ----

// In the playground your sandbox stands in for port 3000: clients reach it at its own path.
server.listen(3000);
