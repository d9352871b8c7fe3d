import { h } from '../dom';
import { t } from '../i18n';
import { icon, reactionEmoji, type IconName } from '../icons';

export interface ToolbarState {
  audioOn: boolean;
  videoOn: boolean;
  haveAudio: boolean;
  haveVideo: boolean;
  handRaised: boolean;
  sharingScreen: boolean;
  canShareScreen: boolean;
  chatOpen: boolean;
  participantsOpen: boolean;
  unreadChat: number;
}

export interface ToolbarActions {
  toggleMic(): void;
  toggleCamera(): void;
  toggleHand(): void;
  toggleScreen(): void;
  react(reaction: string): void;
  toggleChat(): void;
  toggleParticipants(): void;
  leave(): void;
}

function toggleButton(testid: string, onClick: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: 'round', 'data-testid': testid, onclick: onClick });
}

function setButton(button: HTMLButtonElement, iconName: IconName, label: string, pressed?: boolean): void {
  button.replaceChildren(icon(iconName));
  button.setAttribute('aria-label', label);
  button.title = label;
  if (pressed !== undefined) button.setAttribute('aria-pressed', String(pressed));
}

// The bottom bar: microphone, camera, hand, reactions, chat, participants, leave.
export class Toolbar {
  readonly element = h('nav', { class: 'toolbar' });
  private mic: HTMLButtonElement;
  private camera: HTMLButtonElement;
  private hand: HTMLButtonElement;
  private screen: HTMLButtonElement;
  private reactions: HTMLButtonElement;
  private reactionMenu: HTMLElement;
  private chat: HTMLButtonElement;
  private unread = h('span', { class: 'unread', 'data-testid': 'chat-unread' });
  private people: HTMLButtonElement;
  private leave: HTMLButtonElement;

  constructor(actions: ToolbarActions) {
    this.mic = toggleButton('toggle-mic', actions.toggleMic);
    this.camera = toggleButton('toggle-camera', actions.toggleCamera);
    this.hand = toggleButton('raise-hand', actions.toggleHand);
    this.screen = toggleButton('toggle-screen', actions.toggleScreen);
    this.reactionMenu = h(
      'div',
      { class: 'reaction-menu hidden', role: 'menu', 'data-testid': 'reaction-menu' },
      ...Object.entries(reactionEmoji).map(([name, emoji]) =>
        h('button', { type: 'button', role: 'menuitem', class: 'reaction-choice', 'data-testid': `reaction-${name}`, 'data-reaction': name,
          onclick: () => { actions.react(name); this.closeReactions(); } }, emoji),
      ),
    );
    this.reactionMenu.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        this.closeReactions();
        this.reactions.focus();
      }
    });
    this.reactions = toggleButton('reactions', () => {
      const opening = this.reactionMenu.classList.contains('hidden');
      this.reactionMenu.classList.toggle('hidden', !opening);
      this.reactions.setAttribute('aria-expanded', String(opening));
      if (opening) (this.reactionMenu.firstElementChild as HTMLElement | null)?.focus();
    });
    this.reactions.setAttribute('aria-haspopup', 'menu');
    this.chat = toggleButton('toggle-chat', actions.toggleChat);
    this.people = toggleButton('toggle-participants', actions.toggleParticipants);
    this.leave = h('button', { type: 'button', class: 'round danger', 'data-testid': 'leave', onclick: actions.leave });
    // In a phone's "more" sheet, opening the reactions keeps the sheet open for the choice.
    this.reactions.dataset.keepOpen = '';
    this.secondary = h('div', { class: 'toolbar-group' }, this.screen, this.hand,
      h('div', { class: 'reaction-wrap' }, this.reactions, this.reactionMenu));
    this.last = h('div', { class: 'toolbar-group' }, h('div', { class: 'chat-wrap' }, this.chat, this.unread), this.people, this.leave);
    this.element.append(h('div', { class: 'toolbar-group' }, this.mic, this.camera), this.secondary, this.last);
  }

  // Screen, hand and reactions: what a phone's toolbar moves into its "more" sheet.
  readonly secondary: HTMLElement;
  private last: HTMLElement;

  addMore(button: HTMLElement): void {
    this.last.insertBefore(button, this.leave);
  }

  restoreSecondary(): void {
    if (this.secondary.parentElement !== this.element) this.element.insertBefore(this.secondary, this.last);
  }

  private closeReactions(): void {
    this.reactionMenu.classList.add('hidden');
    this.reactions.setAttribute('aria-expanded', 'false');
  }

  update(state: ToolbarState): void {
    const m = t();
    setButton(this.mic, state.audioOn && state.haveAudio ? 'mic' : 'micOff', state.audioOn ? m.micOff : m.micOn, !state.audioOn);
    this.mic.disabled = !state.haveAudio;
    this.mic.classList.toggle('off', !state.audioOn || !state.haveAudio);
    setButton(this.camera, state.videoOn && state.haveVideo ? 'camera' : 'cameraOff', state.videoOn ? m.cameraOff : m.cameraOn, !state.videoOn);
    this.camera.disabled = !state.haveVideo;
    this.camera.classList.toggle('off', !state.videoOn || !state.haveVideo);
    setButton(this.screen, 'screen', state.sharingScreen ? m.stopSharing : m.shareScreen, state.sharingScreen);
    this.screen.classList.toggle('active', state.sharingScreen);
    this.screen.disabled = !state.canShareScreen;
    setButton(this.hand, 'hand', state.handRaised ? m.lowerHand : m.raiseHand, state.handRaised);
    this.hand.classList.toggle('active', state.handRaised);
    setButton(this.reactions, 'smile', m.reactions);
    this.reactionMenu.setAttribute('aria-label', m.reactions);
    for (const button of this.reactionMenu.querySelectorAll<HTMLButtonElement>('button')) {
      button.setAttribute('aria-label', m.reactionNames[button.dataset.reaction ?? ''] ?? '');
    }
    setButton(this.chat, 'chat', m.chat, state.chatOpen);
    this.unread.textContent = state.unreadChat > 0 ? String(state.unreadChat) : '';
    this.unread.classList.toggle('hidden', state.unreadChat === 0);
    setButton(this.people, 'people', m.participants, state.participantsOpen);
    setButton(this.leave, 'leave', m.leaveMeeting);
  }
}
