import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';
import type { Participant } from '../signaling';

// Raised hands in the order they went up (the server's time), for moderators to give the
// floor fairly. Pure ordering plus a small banner over the stage.
export function handOrder(participants: Participant[]): Participant[] {
  const when = (p: Participant) => Date.parse(p.hand_raised_at ?? '') || Number.MAX_SAFE_INTEGER;
  return participants.filter((p) => p.hand_raised).sort((a, b) => when(a) - when(b) || a.name.localeCompare(b.name));
}

export class HandQueue {
  readonly element = h('div', { class: 'hand-queue hidden', role: 'region', 'data-testid': 'hand-queue' });

  // Shown to moderators only, and only while a hand is up.
  update(participants: Participant[], moderator: boolean): void {
    const m = t();
    const queue = moderator ? handOrder(participants) : [];
    this.element.classList.toggle('hidden', queue.length === 0);
    this.element.setAttribute('aria-label', m.handQueue);
    this.element.replaceChildren(
      icon('hand'),
      h('span', { class: 'visually-hidden' }, m.handQueue),
      h('ol', { class: 'hand-queue-list' },
        ...queue.map((p, i) => h('li', { 'data-testid': 'hand-queue-item', 'data-name': p.name }, `${m.handQueueOrder(i + 1)} ${p.name}`))),
    );
  }
}
