import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';
import type { Participant } from '../signaling';
import { handOrder } from './HandQueue';

export interface ModeratorActions {
  mute(id: string): void;
  remove(id: string): void;
  promote(id: string): void;
  demote(id: string): void;
}

// "guest" next to the name of someone who did not sign in, wherever names are shown.
export function guestBadge(guest: boolean | undefined): HTMLElement | null {
  return guest ? h('span', { class: 'role guest', 'data-testid': 'guest-badge' }, t().guest) : null;
}

// Who is here, with hand and microphone state; moderators get mute and remove.
export class ParticipantsPanel {
  readonly list = h('ul', { class: 'participant-list', 'data-testid': 'participant-list' });
  readonly heading = h('h2', { id: 'participants-heading' });
  readonly element = h('section', { class: 'panel', 'aria-labelledby': 'participants-heading', 'data-testid': 'participants-panel' }, this.heading, this.list);

  constructor(private actions: ModeratorActions) {}

  update(participants: Participant[], selfId: string, selfIsModerator: boolean): void {
    const m = t();
    this.heading.textContent = `${m.participants} (${participants.length})`;
    // Raised hands first, in the order they went up; then everyone in the order they joined.
    const ordered = [...handOrder(participants), ...participants.filter((p) => !p.hand_raised)];
    this.list.replaceChildren(
      ...ordered.map((p) => {
        const self = p.id === selfId;
        const details: (Node | string)[] = [];
        const guest = guestBadge(p.guest);
        if (guest) details.push(guest);
        if (p.owner) details.push(h('span', { class: 'role' }, m.owner));
        else if (p.role === 'moderator') details.push(h('span', { class: 'role', 'data-testid': 'moderator-badge' }, m.moderator));
        if (p.hand_raised) details.push(h('span', { class: 'badge hand', title: m.handRaised, 'data-testid': 'participant-hand' }, icon('hand')));
        if (p.audio_muted) {
          const muted = h('span', { class: 'badge', title: m.micMuted, 'data-testid': 'participant-muted' });
          muted.append(icon('micOff'));
          details.push(muted);
        }
        const controls: Node[] = [];
        if (selfIsModerator && !self) {
          controls.push(
            h('button', { type: 'button', class: 'small', 'data-testid': 'moderator-mute', 'aria-label': `${m.muteParticipant} ${p.name}`, disabled: p.audio_muted, onclick: () => this.actions.mute(p.id) }, m.muteParticipant),
            h('button', { type: 'button', class: 'small danger', 'data-testid': 'moderator-remove', 'aria-label': `${m.removeParticipant} ${p.name}`, onclick: () => this.actions.remove(p.id) }, m.removeParticipant),
          );
          // Moderators are people the identity provider vouches for: no guests; the owner stays.
          if (p.role === 'member' && !p.guest) {
            controls.push(h('button', { type: 'button', class: 'small', 'data-testid': 'moderator-promote', 'aria-label': `${m.promote}: ${p.name}`, onclick: () => this.actions.promote(p.id) }, m.promote));
          } else if (p.role === 'moderator' && !p.owner) {
            controls.push(h('button', { type: 'button', class: 'small', 'data-testid': 'moderator-demote', 'aria-label': `${m.demote}: ${p.name}`, onclick: () => this.actions.demote(p.id) }, m.demote));
          }
        }
        return h(
          'li',
          { class: 'participant', 'data-testid': 'participant-item', 'data-participant-id': p.id, 'data-name': p.name },
          h('span', { class: 'participant-name' }, self ? `${p.name} (${m.you})` : p.name),
          h('span', { class: 'participant-details' }, ...details),
          controls.length ? h('span', { class: 'participant-controls' }, ...controls) : null,
        );
      }),
    );
  }
}
