/** A sandbox is idle only while it has no owner page and no socket, counted from the moment the last one left. */
import { describe, expect, it } from "vitest";
import { Occupancy } from "../../server/sandbox/occupancy.ts";

function setup(startAt = 1_000) {
  const clock = { now: startAt, sockets: 0 };
  const occupancy = new Occupancy(() => clock.sockets, () => clock.now);
  return { clock, occupancy };
}

describe("Occupancy", () => {
  it("counts a new sandbox as idle from its creation", () => {
    const { occupancy } = setup(1_000);
    expect(occupancy.idleFor(500, 1_499)).toBe(false);
    expect(occupancy.idleFor(500, 1_500)).toBe(true);
  });

  it("is never idle while an owner page or a socket is there, even with a zero idle time", () => {
    const { clock, occupancy } = setup();
    occupancy.ownerJoined();
    expect(occupancy.idleFor(0, clock.now + 1e9)).toBe(false);
    clock.sockets = 1;
    occupancy.socketJoined();
    occupancy.ownerLeft();
    expect(occupancy.owners).toBe(0);
    expect(occupancy.idleFor(0, clock.now + 1e9), "a socket is still connected").toBe(false);
  });

  it("starts the idle time when the last socket or owner leaves, whichever is last", () => {
    const { clock, occupancy } = setup(0);
    occupancy.ownerJoined();
    clock.sockets = 1;
    occupancy.socketJoined();
    clock.now = 100;
    occupancy.ownerLeft();
    clock.now = 300;
    clock.sockets = 0;
    occupancy.socketLeft();
    expect(occupancy.idleFor(1_000, 1_299)).toBe(false);
    expect(occupancy.idleFor(1_000, 1_300)).toBe(true);
  });

  it("starts from a given idle time (a sandbox back after a restart) and says since when it is idle", () => {
    const clock = { now: 10_000, sockets: 0 };
    const occupancy = new Occupancy(() => clock.sockets, () => clock.now, 4_000);
    expect(occupancy.idleSince).toBe(4_000);
    expect(occupancy.idleFor(6_001)).toBe(false);
    expect(occupancy.idleFor(6_000)).toBe(true);
    occupancy.ownerJoined();
    expect(occupancy.idleSince).toBeUndefined();
    clock.now = 12_000;
    occupancy.ownerLeft();
    expect(occupancy.idleSince).toBe(12_000);
  });

  it("keeps the owner count at zero when an owner leaves twice", () => {
    const { occupancy } = setup();
    occupancy.ownerLeft();
    occupancy.ownerJoined();
    expect(occupancy.owners).toBe(1);
  });
});
