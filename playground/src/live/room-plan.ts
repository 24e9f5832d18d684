/** What a step's set-up asks the server about rooms: only requests the lesson's program has a handler for. */

/** One request a client sends to set up its rooms. */
export interface RoomRequest {
  action: "join" | "leave";
  room: string;
}

/** How a client gets from its rooms to a step's: requests to send, after a fresh connection if leaving is impossible. */
export interface RoomPlan {
  /** The program cannot take the client out of a room (no `leave` handler): connect afresh, in no room at all. */
  reconnect: boolean;
  requests: RoomRequest[];
}

/**
 * The requests that take a socket from the rooms it is in to the rooms a step wants (its own-id room stays),
 * using only events the program handles; a room it cannot leave is dropped by reconnecting instead.
 *
 * @example
 * roomPlan(["sid", "vip"], ["lobby"], "sid", ["join", "leave"]);
 * // { reconnect: false, requests: [{ action: "leave", room: "vip" }, { action: "join", room: "lobby" }] }
 * roomPlan(["sid", "vip"], ["lobby"], "sid", ["join"]);
 * // { reconnect: true, requests: [{ action: "join", room: "lobby" }] }
 */
export function roomPlan(current: readonly string[], wanted: readonly string[], socketId: string, handled: readonly string[]): RoomPlan {
  const leaves = current.filter((room) => room !== socketId && !wanted.includes(room));
  const reconnect = leaves.length > 0 && !handled.includes("leave");
  const from = reconnect ? [] : current;
  const requests: RoomRequest[] = [
    ...(reconnect ? [] : leaves.map((room): RoomRequest => ({ action: "leave", room }))),
    ...wanted.filter((room) => !from.includes(room)).map((room): RoomRequest => ({ action: "join", room })),
  ];
  return { reconnect, requests: requests.filter((request) => handled.includes(request.action)) };
}
