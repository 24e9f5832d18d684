/** Walks each of the four lessons in real Chromium, step by step as a learner would, and completes every challenge. */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { serverAndBrowser } from "../support/server.ts";
import { loadLessons, type LoadedLesson } from "../../server/lessons/lesson-loader.ts";
import { arrive, card, challengeIs, consoleShows, entry, nextStep, room, roomsShown, send, socketId, status, type } from "./lesson-walker.ts";

const live = serverAndBrowser();
let context: BrowserContext | undefined;
const lessons = loadLessons(fileURLToPath(new URL("../../lessons", import.meta.url)));

afterEach(async () => {
  await context?.close();
  context = undefined;
});

async function open(slug: string): Promise<{ page: Page; lesson: LoadedLesson }> {
  context = await live.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${live.server.url}/lessons/${slug}`);
  return { page, lesson: lessons.find((candidate) => candidate.slug === slug)! };
}

describe("walking the lessons", () => {
  it("chat: the tutorial's server, then its homework", { timeout: 180_000 }, async () => {
    const { page, lesson } = await open("chat");
    await arrive(page, lesson, 0);
    await nextStep(page);

    await arrive(page, lesson, 1);
    await page.getByRole("button", { name: "Add client" }).click();
    await status(page, "C", "connected");
    await consoleShows(page, "a user connected");
    await nextStep(page);

    await arrive(page, lesson, 2);
    await send(page, "A", "hello");
    await entry(page, "A", /^sent chat message "hello"/).waitFor();
    await consoleShows(page, "message: hello");
    await nextStep(page);

    await arrive(page, lesson, 3);
    await send(page, "B", "hi all");
    for (const name of "ABC") await entry(page, name, /^received chat message "hi all"/).waitFor();
    await nextStep(page);

    await arrive(page, lesson, 4);
    await card(page, "C").getByRole("button", { name: "Disconnect" }).click();
    await status(page, "C", "disconnected");
    await consoleShows(page, "user disconnected");
    await card(page, "C").getByRole("button", { name: "Connect", exact: true }).click();
    await status(page, "C", "connected");
    await nextStep(page);

    await arrive(page, lesson, 5);
    await send(page, "A", "no echo");
    for (const name of "BC") await entry(page, name, /^received chat message "no echo"/).waitFor();
    expect(await entry(page, "A", /^received chat message "no echo"/).count()).toBe(0);
    // Following the text does not complete the step's challenge; the console's io.emit does, switch still on.
    await challengeIs(page, lesson, "chat-everyone", "not done");
    await type(page, 'io.emit("chat message", "for everyone")');
    await challengeIs(page, lesson, "chat-everyone", "done");
    await nextStep(page);

    await arrive(page, lesson, 6);
    await send(page, "A", "Ana", "nickname");
    await consoleShows(page, "is now Ana");
    await nextStep(page);

    await arrive(page, lesson, 7);
    await send(page, "C", "Cleo", "nickname");
    for (const name of "AB") await entry(page, name, /^received user joined "Cleo"/).waitFor();
    expect(await entry(page, "C", /^received user joined "Cleo"/).count()).toBe(0);
    await challengeIs(page, lesson, "chat-announce", "not done");
    await type(page, 'socket("C").broadcast.emit("user joined", "Cleo")');
    await challengeIs(page, lesson, "chat-announce", "done");
    await card(page, "C").getByRole("button", { name: "Disconnect" }).click();
    for (const name of "AB") await entry(page, name, /^received user left "Cleo"/).waitFor();
    await nextStep(page);

    await arrive(page, lesson, 8);
    await send(page, "A", "yes", "typing");
    await entry(page, "B", /^received typing "Ana"/).waitFor();
    await nextStep(page);

    await arrive(page, lesson, 9);
    await send(page, "B", "Bo", "nickname");
    await entry(page, "A", /^received online \["Ana","Bo"\]/).waitFor();
  });

  it("broadcast: io.emit, socket.broadcast.emit, socket.emit and the own-id room", { timeout: 180_000 }, async () => {
    const { page, lesson } = await open("broadcast");
    await arrive(page, lesson, 0);
    await send(page, "A", "same");
    for (const name of "ABC") await entry(page, name, /^received chat message "same"/).waitFor();
    await nextStep(page);

    await arrive(page, lesson, 1);
    await send(page, "A", "same again");
    for (const name of "BC") await entry(page, name, /^received chat message "same again"/).waitFor();
    expect(await entry(page, "A", /^received chat message "same again"/).count()).toBe(0);
    await nextStep(page);

    await arrive(page, lesson, 2);
    await page.getByRole("switch", { name: /broadcast/ }).check();
    await send(page, "A", "on");
    await entry(page, "B", /^received chat message "on"/).waitFor();
    await page.getByRole("switch", { name: /broadcast/ }).uncheck();
    await send(page, "A", "flipped");
    await entry(page, "A", /^received chat message "flipped"/).waitFor();
    await challengeIs(page, lesson, "everyone-but-sender", "not done");
    await type(page, 'socket("A").broadcast.emit("x", 1)');
    await challengeIs(page, lesson, "everyone-but-sender", "done");
    await nextStep(page);

    await arrive(page, lesson, 3);
    await card(page, "B").getByRole("button", { name: "Disconnect" }).click();
    await status(page, "B", "disconnected");
    await card(page, "B").getByRole("button", { name: "Connect", exact: true }).click();
    await status(page, "B", "connected");
    await expect.poll(() => entry(page, "B", /^received welcome "your id is/).count()).toBe(2);
    await type(page, 'socket("C").emit("ping", 1)');
    await entry(page, "C", /^received ping 1/).waitFor();
    await consoleShows(page, "→ C");
    await nextStep(page);

    await arrive(page, lesson, 4);
    expect((await roomsShown(page, "A")).filter((name) => name.endsWith("(own id)"))).toHaveLength(1);
    const id = await socketId(page, "A");
    await type(page, `io.to("${id}").emit("x", 1)`);
    await entry(page, "A", /^received x 1/).waitFor();
    await type(page, `socket("A").to("${id}").emit("x", 2)`);
    await consoleShows(page, "→ nobody");
    await page.getByRole("button", { name: 'Run io.except("<A\'s id>").emit("x", 1)' }).click();
    await consoleShows(page, "→ B, C");
    await challengeIs(page, lesson, "own-room-message", "not done");
    await type(page, `io.to("${await socketId(page, "B")}").emit("x", 3)`);
    await challengeIs(page, lesson, "own-room-message", "done");
  });

  it("rooms: join, leave, to, union, except, a room vanishing, disconnecting", { timeout: 180_000 }, async () => {
    const { page, lesson } = await open("rooms");
    await arrive(page, lesson, 0);
    await room(page, "C", "Join", "lobby");
    await expect.poll(() => roomsShown(page, "C")).toContain("lobby");
    await nextStep(page);

    await arrive(page, lesson, 1);
    await room(page, "A", "Leave", "lobby");
    await expect.poll(() => roomsShown(page, "A")).not.toContain("lobby");
    await nextStep(page);

    await arrive(page, lesson, 2);
    await page.getByRole("button", { name: "Add client" }).click();
    await status(page, "C", "connected");
    await expect.poll(async () => (await roomsShown(page, "C")).length).toBe(1);
    expect((await roomsShown(page, "C"))[0]).toMatch(/\(own id\)$/);
    await nextStep(page);

    await arrive(page, lesson, 3);
    await type(page, 'io.to("lobby").emit("news", 1)');
    for (const name of "AB") await entry(page, name, /^received news 1/).waitFor();
    await type(page, 'socket("A").to("lobby").emit("news", 2)');
    await entry(page, "B", /^received news 2/).waitFor();
    await room(page, "A", "Join", "lobby");
    await card(page, "A").getByRole("checkbox", { name: "Send to this room" }).check();
    await send(page, "A", "hi room");
    for (const name of "AB") await entry(page, name, /^received chat message "hi room"/).waitFor();
    expect(await entry(page, "C", /^received chat message "hi room"/).count()).toBe(0);
    expect(await entry(page, "A", /^received news 2/).count()).toBe(0);
    await nextStep(page);

    await arrive(page, lesson, 4);
    await type(page, 'io.to("lobby").to("vip").emit("news", 3)');
    for (const name of "ABC") await entry(page, name, /^received news 3/).waitFor();
    await consoleShows(page, "→ A, B, C");
    expect(await entry(page, "B", /^received news 3/).count()).toBe(1);
    await nextStep(page);

    await arrive(page, lesson, 5);
    await type(page, 'io.to("lobby").except("vip").emit("news", 4)');
    await entry(page, "A", /^received news 4/).waitFor();
    await challengeIs(page, lesson, "lobby-xor-vip", "not done");
    await type(page, 'socket("B").to("lobby").to("vip").emit("news", 5)');
    await challengeIs(page, lesson, "lobby-xor-vip", "done");
    await nextStep(page);

    await arrive(page, lesson, 6);
    await room(page, "A", "Leave", "lobby");
    await consoleShows(page, "room lobby was deleted");
    await nextStep(page);

    await arrive(page, lesson, 7);
    await challengeIs(page, lesson, "room-but-sender", "not done");
    await type(page, 'socket("A").to("lobby").emit("user left", "A")');
    await challengeIs(page, lesson, "room-but-sender", "done");
    await card(page, "A").getByRole("button", { name: "Disconnect" }).click();
    await consoleShows(page, "disconnecting, still in rooms:");
  });

  it("namespaces: handlers, rooms and middlewares per namespace, tenants, io.emit, one connection", { timeout: 180_000 }, async () => {
    const { page, lesson } = await open("namespaces");
    await arrive(page, lesson, 0);
    await consoleShows(page, "an admin connected");
    await nextStep(page);

    await arrive(page, lesson, 1);
    await send(page, "A", "hi");
    for (const name of "AB") await entry(page, name, /^received chat message "hi"/).waitFor();
    await send(page, "C", "hi");
    await entry(page, "C", /^received chat message "\[admin\] hi"/).waitFor();
    expect(await entry(page, "C", /^received chat message "hi"/).count()).toBe(0);
    await nextStep(page);

    await arrive(page, lesson, 2);
    await type(page, 'io.of("/admin").to("lobby").emit("news", 1)');
    await entry(page, "B", /^received news 1/).waitFor();
    expect(await entry(page, "A", /^received news 1/).count()).toBe(0);
    await nextStep(page);

    await arrive(page, lesson, 3, ["B"]);
    await entry(page, "B", /^error connect_error Not authorized/).waitFor();
    await card(page, "B").getByRole("textbox", { name: "Auth token" }).fill("let-me-in");
    await card(page, "B").getByRole("button", { name: "Connect", exact: true }).click();
    await status(page, "B", "connected");
    await send(page, "B", "admin here");
    await entry(page, "B", /^received chat message "\[admin\] admin here"/).waitFor();
    await challengeIs(page, lesson, "admin-from-a", "not done");
    await card(page, "A").getByLabel("Namespace").fill("/admin");
    await card(page, "A").getByRole("textbox", { name: "Auth token" }).fill("let-me-in");
    await card(page, "A").getByRole("button", { name: "Disconnect" }).click();
    await card(page, "A").getByRole("button", { name: "Connect", exact: true }).click();
    await status(page, "A", "connected");
    await send(page, "A", "A in admin");
    await challengeIs(page, lesson, "admin-from-a", "done");
    await nextStep(page);

    await arrive(page, lesson, 4);
    await send(page, "A", "acme only");
    for (const name of "AB") await entry(page, name, /^received chat message "acme only"/).waitFor();
    expect(await entry(page, "C", /^received chat message "acme only"/).count()).toBe(0);
    await card(page, "C").getByRole("button", { name: "Disconnect" }).click();
    await card(page, "C").getByLabel("Namespace").fill("/tenant-42");
    await card(page, "C").getByRole("button", { name: "Connect", exact: true }).click();
    await entry(page, "C", /^error connect_error Invalid namespace/).waitFor();
    await nextStep(page);

    await arrive(page, lesson, 5);
    await type(page, 'io.emit("news", 1)');
    await entry(page, "A", /^received news 1/).waitFor();
    expect(await entry(page, "B", /^received news 1/).count()).toBe(0);
    await challengeIs(page, lesson, "only-tenant-acme", "not done");
    await type(page, 'io.of("/tenant-acme").emit("news", 2)');
    await challengeIs(page, lesson, "only-tenant-acme", "done");
    await nextStep(page);

    await arrive(page, lesson, 6);
    await card(page, "B").getByRole("checkbox", { name: "Raw frames" }).check();
    await send(page, "B", "frames");
    await entry(page, "B", /^frame out 42\/admin,\["chat message","frames"\]/).waitFor();
    await entry(page, "B", /^frame out 40\/admin,/).waitFor();
  });
});
