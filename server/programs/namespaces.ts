/** Lesson 4: namespaces, each with its own event handlers, rooms and middlewares. */
import type { EventShapes, LessonProgram } from "./program.ts";

export const accepts: EventShapes = { "chat message": ["string"], join: ["string"] };

export const namespaces: LessonProgram = (io, { console }) => {
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
};
