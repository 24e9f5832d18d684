/** A timer every sandbox shares (the feed stream's tick) is started outside any handling, so it carries no sandbox's context. */
import type { Socket } from "socket.io";
import { expect, it } from "vitest";
import { HandlerContext } from "../../server/sandbox/handler-context.ts";

/** What `context.current()` says inside a timer started while `context` handles a connection, through `start`. */
function seenInTimer(context: HandlerContext, start: (fn: () => NodeJS.Timeout) => NodeJS.Timeout): Promise<unknown> {
  const socket = { id: "handled" } as unknown as Socket; // only its identity is kept
  return new Promise((resolve) => context.connecting(socket, () => void start(() => setTimeout(() => resolve(context.current()), 0))));
}

it("a timer started in a handling sees it; one started through HandlerContext.outside sees none", async () => {
  const context = new HandlerContext();
  expect(await seenInTimer(context, (fn) => fn())).toMatchObject({ socket: { id: "handled" } });
  expect(await seenInTimer(context, (fn) => HandlerContext.outside(fn))).toBeUndefined();
});
