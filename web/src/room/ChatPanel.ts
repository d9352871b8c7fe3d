import { h } from '../dom';
import { guestBadge } from './ParticipantsPanel';
import { t } from '../i18n';
import { icon } from '../icons';
import type { ChatMessage } from '../signaling';

const MAX_CHARS = 2000;

// The room's chat: the latest history from the welcome (older pages on request), new lines
// as they come, a field to write.
export class ChatPanel {
  private log = h('ol', { class: 'chat-log', 'data-testid': 'chat-log', 'aria-live': 'off' });
  private earlier = h('button', { type: 'button', class: 'small chat-earlier hidden', 'data-testid': 'chat-earlier' });
  private oldestId = 0;
  private empty = h('p', { class: 'chat-empty' });
  private input = h('textarea', { rows: 2, maxlength: MAX_CHARS, 'data-testid': 'chat-input' });
  private sendButton = h('button', { type: 'submit', class: 'round small', 'data-testid': 'chat-send' });
  readonly heading = h('h2', { id: 'chat-heading' });
  readonly element: HTMLElement;

  constructor(send: (text: string) => void, loadEarlier: (beforeId: number) => void) {
    this.earlier.addEventListener('click', () => {
      if (this.oldestId > 0) loadEarlier(this.oldestId);
      this.earlier.classList.add('hidden');
    });
    const form = h('form', { class: 'chat-form' }, this.input, this.sendButton);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      send(text);
      this.input.value = '';
      this.input.focus();
    });
    // Enter sends, Shift+Enter starts a new line.
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.element = h('section', { class: 'panel chat', 'aria-labelledby': 'chat-heading', 'data-testid': 'chat-panel' }, this.heading, this.empty, this.earlier, this.log, form);
    this.relabel();
  }

  relabel(): void {
    const m = t();
    this.heading.textContent = m.chat;
    this.empty.textContent = m.chatEmpty;
    this.input.placeholder = m.chatPlaceholder;
    this.input.setAttribute('aria-label', m.chatPlaceholder);
    this.sendButton.setAttribute('aria-label', m.send);
    this.sendButton.replaceChildren(icon('send'));
    this.earlier.textContent = m.chatEarlier;
  }

  // The welcome's page: the latest messages, and whether older ones remain.
  reset(messages: ChatMessage[], more: boolean): void {
    this.log.replaceChildren();
    this.oldestId = messages[0]?.id ?? 0;
    messages.forEach((message) => this.add(message));
    this.earlier.classList.toggle('hidden', !more);
  }

  // An older page, asked for with the button: goes above what is shown.
  prepend(messages: ChatMessage[], more: boolean): void {
    if (messages.length) this.oldestId = messages[0].id;
    this.log.prepend(...messages.map((message) => this.line(message)));
    this.empty.classList.toggle('hidden', this.log.childElementCount > 0);
    this.earlier.classList.toggle('hidden', !more);
  }

  add(message: ChatMessage): void {
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(this.line(message));
    this.empty.classList.toggle('hidden', this.log.childElementCount > 0);
    if (nearBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  private line(message: ChatMessage): HTMLElement {
    const time = new Date(message.sent_at);
    return h(
      'li',
      { class: 'chat-message', 'data-testid': 'chat-message' },
      h('span', { class: 'chat-author' }, message.name),
      guestBadge(message.guest),
      h('time', { datetime: message.sent_at }, time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
      h('p', { class: 'chat-text' }, message.text),
    );
  }

  focus(): void {
    this.input.focus();
  }
}
