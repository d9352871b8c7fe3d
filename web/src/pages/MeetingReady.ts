import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';
import type { RoomInfo } from '../api';

// Right after "New meeting": the link to share, with a copy button.
export function meetingReadyCard(roomId: string): HTMLElement {
  const m = t();
  const link = `${location.origin}/r/${roomId}`;
  const copied = h('span', { class: 'copied', role: 'status', 'data-testid': 'meeting-link-copied' });
  const copy = h('button', { type: 'button', class: 'small', 'data-testid': 'copy-meeting-link' }, icon('copy'), m.copyLink);
  copy.addEventListener('click', () => {
    void navigator.clipboard?.writeText(link).then(() => (copied.textContent = m.copied));
  });
  return h('section', { class: 'meeting-ready', 'aria-labelledby': 'meeting-ready-title', 'data-testid': 'meeting-ready' },
    h('h2', { id: 'meeting-ready-title' }, m.meetingReady),
    h('p', {}, m.meetingReadyBody),
    h('div', { class: 'meeting-link' }, h('code', { 'data-testid': 'meeting-link' }, link), copy, copied));
}

// "Ana and Bruno are in the meeting" for those who may see names (moderators), a count for
// everyone else.
export function whoIsHere(room: RoomInfo): string {
  const m = t();
  const names = room.participants?.map((p) => p.name) ?? [];
  if (names.length > 0) {
    const shown = names.slice(0, 3);
    return m.peopleHereNamed(shown, names.length - shown.length);
  }
  return room.participant_count > 0 ? m.peopleHere(room.participant_count) : m.nobodyHere;
}
