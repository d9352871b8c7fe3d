import { describe, expect, it } from 'vitest';
import { RECONNECT_DELAYS_MS, ReconnectSchedule } from '../src/room/ReconnectSchedule';

describe('ReconnectSchedule', () => {
  it('waits longer each time, then gives up', () => {
    const schedule = new ReconnectSchedule();
    const delays: number[] = [];
    for (let d = schedule.next(); d !== null; d = schedule.next()) delays.push(d);
    expect(delays).toEqual(RECONNECT_DELAYS_MS);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(schedule.next()).toBeNull();
  });

  it('starts over once connected again', () => {
    const schedule = new ReconnectSchedule([10, 20]);
    expect(schedule.next()).toBe(10);
    expect(schedule.next()).toBe(20);
    schedule.reset();
    expect(schedule.attempts).toBe(0);
    expect(schedule.next()).toBe(10);
  });
});
