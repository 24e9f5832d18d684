/** The client half of a lesson: the code each simulated client card runs, written out as a learner would write it. */

/** What a lesson's cards do, and where they connect. */
export interface ClientCodeOptions {
  /** Page origin, e.g. `http://127.0.0.1:3000`. */
  origin: string;
  /** `/sandbox/<id>/socket.io`, or undefined before the sandbox exists. */
  path: string | undefined;
  /** The lesson's default event (the card's Event box). */
  event: string;
  /** The cards have Room, Join and Leave. */
  rooms: boolean;
  /** The cards pick a namespace and an auth token. */
  namespaces: boolean;
  /** Send waits for the server's acknowledgement, and the cards answer the server's (the acknowledgements lesson). */
  acks?: boolean;
  /** The lesson is about the network: reconnection, the send buffer, volatile emits, recovery. */
  network?: boolean;
  /** The delivery lesson: client options retries, ackTimeout, auth.serverOffset, and a clientOffset with each message. */
  delivery?: boolean;
}

/**
 * The code of one client card, in the shape of the Socket.IO tutorial's `index.html` script.
 *
 * @example
 * clientCode({ origin: "http://127.0.0.1:3000", path: "/sandbox/abc/socket.io", event: "chat message", rooms: false, namespaces: false });
 * // 'import { io } from "socket.io-client";\n\nconst socket = io("http://127.0.0.1:3000/", {…'
 */
export function clientCode({ origin, path, event, rooms, namespaces, acks = false, network = false, delivery = false }: ClientCodeOptions): string {
  const url = namespaces ? `${JSON.stringify(origin)} + namespace` : JSON.stringify(`${origin}/`);
  const options = [
    `  path: ${JSON.stringify(path ?? "/sandbox/<your sandbox id>/socket.io")},`,
    ...(namespaces ? ["  auth: { token: authToken }, // the card's Auth token box; left out when empty"] : []),
    '  query: { client: "A", key }, // lets the server name this socket "A"; the key stays in your page',
    "  forceNew: true, // one connection per card, even in the same page",
    ...(delivery
      ? [
          "  ackTimeout: 10000, // the card's Ack timeout in ms: how long each try waits for the server's ack",
          "  retries: 0, // the card's Retries: how many times an unacknowledged emit is sent again",
          "  auth: { serverOffset: 0 }, // with Send serverOffset ticked: the last offset received",
        ]
      : []),
  ];
  const lines = [
    `// Every client card (A, B, C, …) runs this in your page, with a real socket.io-client.`,
    `import { io } from "socket.io-client";`,
    ``,
    namespaces ? `// namespace: the card's Namespace box ("/", "/admin", "/tenant-acme", …)` : `// "/" is the main namespace`,
    `const socket = io(${url}, {`,
    ...options,
    `});`,
    ``,
    `// the card's event log`,
    `socket.on("connect", () => log("connected", "as " + socket.id));`,
    `socket.on("disconnect", (reason) => log("disconnected", reason));`,
    `socket.on("connect_error", (err) => log("error", "connect_error", err.message));`,
    `socket.onAny((event, ...args) => log("received", event, ...args));`,
    `socket.onAnyOutgoing((event, ...args) => log("sent", event, ...args));`,
    ``,
    ...(acks
      ? [
          `// an event the server sent with a callback ends with it: the card's "Answer acks" menu decides`,
          `socket.onAny((event, ...args) => {`,
          `  const callback = args.at(-1);`,
          `  if (typeof callback !== "function" || answerAcks === "never") return;`,
          `  const answer = () => callback("yes from A");`,
          `  if (answerAcks === "late") setTimeout(answer, delay); else answer();`,
          `});`,
          ``,
          `// Send: the Event and Message boxes, and a callback for the server's answer`,
          `socket.timeout(3000).emit(${JSON.stringify(event)}, message, (err, response) => {`,
          `  if (err) log("error", "ack", err.message); // no answer within 3 seconds`,
          `  else log("received", "ack", response);`,
          `});`,
        ]
      : delivery
        ? [
            `// each message the server stored ends with its offset: remember the last one for the next connection`,
            `socket.on(${JSON.stringify(event)}, (msg, serverOffset) => {`,
            `  socket.auth.serverOffset = serverOffset;`,
            `});`,
            ``,
            `// Send: a clientOffset unique to this message, so a retry of it can be told from a new one`,
            `let counter = 0;`,
            `const clientOffset = \`\${socket.id}-\${counter++}\`;`,
            `socket.emit(${JSON.stringify(event)}, message, clientOffset, (err, response) => {`,
            `  if (err) log("error", "ack", err.message); // every try went unanswered within ackTimeout`,
            `  else log("received", "ack", response);`,
            `});`,
          ]
        : [`// Send: the Event and Message boxes`, `socket.emit(${JSON.stringify(event)}, message);`]),
    ...(rooms
      ? [
          `// Send, with "Send to this room" ticked: the room goes along`,
          `socket.emit(${JSON.stringify(event)}, message, room);`,
          ``,
          `// Join and Leave: rooms live on the server, so the client asks`,
          `socket.timeout(4000).emit("join", room, (err, reply) => showRooms(reply));`,
          `socket.timeout(4000).emit("leave", room, (err, reply) => showRooms(reply));`,
        ]
      : []),
    ``,
    `// Disconnect and Connect`,
    `socket.disconnect();`,
    `socket.connect();`,
    ``,
    ...(network
      ? [
          `// Go offline is not code: the network drops under the socket. Then socket.io-client reconnects with`,
          `// its defaults: reconnectionDelay 1000 ms, doubling up to reconnectionDelayMax 5000 ms, ±50%`,
          `// (randomizationFactor), attempts without end (reconnectionAttempts). The Timeline shows them:`,
          `socket.io.on("reconnect_attempt", (attempt) => note("reconnection attempt " + attempt));`,
          `socket.io.on("reconnect_error", (err) => note("attempt failed: " + err.message));`,
          `socket.io.on("reconnect", (attempts) => note("reconnected after " + attempts + " attempts"));`,
          ``,
          `// while disconnected, emits wait in socket.sendBuffer; with "volatile" ticked, Send is`,
          `socket.volatile.emit(${JSON.stringify(event)}, message); // dropped if the connection cannot take it`,
          ``,
          `// with connectionStateRecovery on the server: true when the id, rooms and missed emits came back`,
          `socket.on("connect", () => log("connected", socket.recovered ? "(recovered)" : ""));`,
          ``,
        ]
      : []),
  ];
  return lines.join("\n");
}
