import { h } from '../dom';
import { t } from '../i18n';
import type { AccessLevel, RoomInfo, WaitingPerson } from '../signaling';

export interface HostActions {
  setAccess(access: AccessLevel): void;
  setLocked(locked: boolean): void;
  muteAll(): void;
  lowerHands(): void;
  endForAll(): void;
  admit(id: string): void;
  admitAll(): void;
  deny(id: string): void;
}

// What moderators have over the whole meeting: who waits at the door (admit, deny, admit
// all), who joins without waiting, the lock, mute everyone, lower all hands, end for all.
// Rebuilt only when its own state changes, so a choice in progress is not lost.
export class HostControls {
  readonly element = h('section', { class: 'panel host-controls', 'aria-labelledby': 'host-heading', 'data-testid': 'host-controls' });
  private waiting: WaitingPerson[] = [];
  private room: RoomInfo | null = null;
  private seen = new Set<string>();

  constructor(private actions: HostActions) {}

  // The people waiting now; true if someone new arrived (the caller chimes).
  setWaiting(people: WaitingPerson[]): boolean {
    const newcomer = people.some((p) => !this.seen.has(p.id));
    people.forEach((p) => this.seen.add(p.id));
    this.waiting = people;
    this.render();
    return newcomer;
  }

  setRoom(room: RoomInfo): void {
    this.room = room;
    this.render();
  }

  render(): void {
    const m = t();
    const room = this.room;
    const waitingList = h('ul', { class: 'waiting-list', 'data-testid': 'waiting-list' },
      ...this.waiting.map((p) =>
        h('li', { class: 'participant', 'data-testid': 'waiting-item', 'data-name': p.name },
          h('span', { class: 'participant-name' }, p.name),
          p.guest ? h('span', { class: 'role guest', 'data-testid': 'guest-badge' }, m.guest) : null,
          h('span', { class: 'participant-controls' },
            h('button', { type: 'button', class: 'small primary', 'data-testid': 'admit', 'aria-label': `${m.admit} ${p.name}`, onclick: () => this.actions.admit(p.id) }, m.admit),
            h('button', { type: 'button', class: 'small danger', 'data-testid': 'deny', 'aria-label': `${m.deny} ${p.name}`, onclick: () => this.actions.deny(p.id) }, m.deny)))));
    const waitingSection = this.waiting.length === 0 ? null : h('div', { class: 'waiting', role: 'region', 'aria-label': m.waitingRoom },
      h('h3', {}, `${m.waitingRoom} (${this.waiting.length})`),
      waitingList,
      this.waiting.length > 1 ? h('button', { type: 'button', class: 'small', 'data-testid': 'admit-all', onclick: () => this.actions.admitAll() }, m.admitAll) : null);

    const access = h('select', { id: 'room-access', 'data-testid': 'room-access' },
      ...(['public', 'trusted', 'restricted'] as AccessLevel[]).map((level) =>
        h('option', { value: level, selected: room?.access === level }, m.accessNames[level])));
    access.addEventListener('change', () => this.actions.setAccess((access as HTMLSelectElement).value as AccessLevel));
    const locked = room?.locked ?? false;
    this.element.replaceChildren(
      h('h2', { id: 'host-heading' }, m.hostControls),
      ...(waitingSection ? [waitingSection] : []),
      h('label', { for: 'room-access' }, m.whoEnters),
      access,
      h('div', { class: 'host-actions' },
        h('button', { type: 'button', class: 'small', 'data-testid': 'toggle-lock', 'aria-pressed': String(locked), onclick: () => this.actions.setLocked(!locked) },
          locked ? m.unlockMeeting : m.lockMeeting),
        h('button', { type: 'button', class: 'small', 'data-testid': 'mute-all', onclick: () => this.actions.muteAll() }, m.muteAll),
        h('button', { type: 'button', class: 'small', 'data-testid': 'lower-hands', onclick: () => this.actions.lowerHands() }, m.lowerHands),
        h('button', { type: 'button', class: 'small danger', 'data-testid': 'end-for-all', onclick: () => { if (confirm(m.confirmEndForAll)) this.actions.endForAll(); } }, m.endForAll)),
    );
  }
}

// A short two-note chime, made here (no sound file to fetch): someone is at the door.
export function chime(): void {
  try {
    const context = new AudioContext();
    const gain = context.createGain();
    gain.connect(context.destination);
    gain.gain.value = 0.08;
    [660, 880].forEach((frequency, i) => {
      const tone = context.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(context.currentTime + i * 0.15);
      tone.stop(context.currentTime + i * 0.15 + 0.12);
    });
    window.setTimeout(() => void context.close(), 600);
  } catch {
    // No audio output: the list and the announcement still say it.
  }
}
