import { describe, expect, it } from 'vitest';
import { Roster } from '../src/room/Roster';
import type { Participant } from '../src/signaling';

const person = (id: string, name: string, extra: Partial<Participant> = {}): Participant => ({
  id, name, role: 'member', joined_at: '2026-11-30T10:00:00Z', hand_raised: false, audio_muted: false, video_muted: false, ...extra,
});

const welcome = (you: Participant, participants: Participant[]) => ({
  type: 'welcome' as const, version: 1, room: { id: 'abc-defg-hij', name: '' }, you, participants, chat: [], chat_more: false, media: true,
});

describe('Roster', () => {
  it('starts from the welcome and follows joins, updates and leaves', () => {
    const roster = new Roster();
    const ana = person('a', 'Ana');
    expect(roster.apply(welcome(ana, [ana, person('b', 'Bruno')]))).toBeNull();
    expect(roster.selfId).toBe('a');
    expect(roster.self?.name).toBe('Ana');
    expect(roster.list.map((p) => p.name)).toEqual(['Ana', 'Bruno']);

    expect(roster.apply({ type: 'participant-joined', participant: person('c', 'Camille') })).toEqual({ kind: 'joined', name: 'Camille' });
    expect(roster.apply({ type: 'participant-updated', participant: person('b', 'Bruno', { hand_raised: true }) }))
      .toEqual({ kind: 'hand', name: 'Bruno' });
    // Still raised: no second announcement; lowered: none either.
    expect(roster.apply({ type: 'participant-updated', participant: person('b', 'Bruno', { hand_raised: true, audio_muted: true }) })).toBeNull();
    expect(roster.get('b')?.audio_muted).toBe(true);
    expect(roster.apply({ type: 'participant-left', id: 'b', reason: 'left' })).toEqual({ kind: 'left', name: 'Bruno' });
    expect(roster.list.map((p) => p.name)).toEqual(['Ana', 'Camille']);
    // Someone unknown leaving (already gone) is not announced.
    expect(roster.apply({ type: 'participant-left', id: 'zz', reason: 'left' })).toBeNull();
  });

  it('does not announce one\'s own raised hand', () => {
    const roster = new Roster();
    const ana = person('a', 'Ana');
    roster.apply(welcome(ana, [ana]));
    expect(roster.apply({ type: 'participant-updated', participant: person('a', 'Ana', { hand_raised: true }) })).toBeNull();
    expect(roster.self?.hand_raised).toBe(true);
  });

  it('a new welcome (after a reconnection) replaces everything', () => {
    const roster = new Roster();
    roster.apply(welcome(person('a', 'Ana'), [person('a', 'Ana'), person('b', 'Bruno')]));
    roster.apply(welcome(person('x', 'Ana'), [person('x', 'Ana')]));
    expect(roster.selfId).toBe('x');
    expect(roster.list.map((p) => p.id)).toEqual(['x']);
  });
});
