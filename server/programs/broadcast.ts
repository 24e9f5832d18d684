/** Lesson 2: the broadcast flag decides between `io.emit` and `socket.broadcast.emit`. */
import type { EventShapes, LessonProgram } from "./program.ts";

export const accepts: EventShapes = { "chat message": ["string"] };

export const broadcast: LessonProgram = (io, { console, settings }) => {
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
};
