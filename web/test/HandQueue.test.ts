import { describe, expect, it } from 'vitest';
import { handOrder } from '../src/room/HandQueue';
import type { Participant } from '../src/signaling';

const person = (name: string, raisedAt: string | null): Participant => ({
  id: name, name, role: 'member', joined_at: '2026-12-01T09:00:00Z', hand_raised: raisedAt !== null, hand_raised_at: raisedAt,
  audio_muted: false, video_muted: false,
} as Participant);

describe('handOrder', () => {
  it('lists raised hands by the time they went up, not by name or arrival', () => {
    const order = handOrder([
      person('Ana', null),
      person('Bruno', '2026-12-01T09:05:02Z'),
      person('Camille', '2026-12-01T09:04:59Z'),
      person('Denis', '2026-12-01T09:05:01Z'),
    ]);
    expect(order.map((p) => p.name)).toEqual(['Camille', 'Denis', 'Bruno']);
  });

  it('puts hands of unknown time (an older server) last', () => {
    const old = { ...person('Eve', null), hand_raised: true, hand_raised_at: undefined };
    expect(handOrder([old, person('Bruno', '2026-12-01T09:05:02Z')]).map((p) => p.name)).toEqual(['Bruno', 'Eve']);
  });
});
