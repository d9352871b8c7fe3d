import { h } from '../dom';
import { guestBadge } from './ParticipantsPanel';
import { t } from '../i18n';
import { icon } from '../icons';
import type { ChatMessage } from '../signaling';
import { splitLinks } from './ChatText';

const MAX_CHARS = 2000;
// Closer to the end than this counts as reading the newest messages.
const STICK_PX = 48;

// The room's chat: the latest history from the welcome (older pages on request), new lines
// as they come, a field to write. It stays at the newest message unless the reader scrolled
// up to read; then new lines wait below a "new messages" button.
export class ChatPanel {
  private log = h('ol', { class: 'chat-log', 'data-testid': 'chat-log', 'aria-live': 'off', tabindex: 0 });
  private newBelow = h('button', { type: 'button', class: 'small chat-new hidden', 'data-testid': 'chat-new-messages' });
  // Whether the reader follows the newest line; kept while the panel is hidden.
  private following = true;
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
    this.log.addEventListener('scroll', () => {
      // A hidden log reports no size: its scroll position means nothing then.
      if (this.log.clientHeight === 0) return;
      this.following = this.distanceFromEnd() < STICK_PX;
      if (this.following) this.newBelow.classList.add('hidden');
    });
    this.newBelow.addEventListener('click', () => this.scrollToEnd());
    this.element = h('section', { class: 'panel chat', 'aria-labelledby': 'chat-heading', 'data-testid': 'chat-panel' },
      this.heading, this.empty, this.earlier, h('div', { class: 'chat-scroll' }, this.log, this.newBelow), form);
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
    this.newBelow.textContent = m.newMessages;
    this.log.setAttribute('aria-label', m.chat);
  }

  // The welcome's page: the latest messages, and whether older ones remain.
  reset(messages: ChatMessage[], more: boolean): void {
    this.log.replaceChildren(...messages.map((message) => this.line(message)));
    this.oldestId = messages[0]?.id ?? 0;
    this.empty.classList.toggle('hidden', messages.length > 0);
    this.earlier.classList.toggle('hidden', !more);
    this.scrollToEnd();
  }

  // An older page, asked for with the button: goes above what is shown.
  prepend(messages: ChatMessage[], more: boolean): void {
    if (messages.length) this.oldestId = messages[0].id;
    // What the reader was looking at stays in place.
    const fromEnd = this.distanceFromEnd();
    this.log.prepend(...messages.map((message) => this.line(message)));
    this.log.scrollTop = this.log.scrollHeight - this.log.clientHeight - fromEnd;
    this.empty.classList.toggle('hidden', this.log.childElementCount > 0);
    this.earlier.classList.toggle('hidden', !more);
  }

  // `own`: the reader sent it, and wants to see it whatever they were reading.
  add(message: ChatMessage, own = false): void {
    this.log.append(this.line(message));
    this.empty.classList.toggle('hidden', this.log.childElementCount > 0);
    if (this.following || own) this.scrollToEnd();
    else this.newBelow.classList.remove('hidden');
  }

  // After the panel was hidden: a log that follows shows its newest line again.
  shown(): void {
    if (this.following) this.scrollToEnd();
  }

  scrollToEnd(): void {
    this.following = true;
    this.newBelow.classList.add('hidden');
    this.log.scrollTop = this.log.scrollHeight;
  }

  private distanceFromEnd(): number {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight;
  }

  private line(message: ChatMessage): HTMLElement {
    const time = new Date(message.sent_at);
    return h(
      'li',
      { class: 'chat-message', 'data-testid': 'chat-message' },
      h('span', { class: 'chat-author' }, message.name),
      guestBadge(message.guest),
      h('time', { datetime: message.sent_at }, time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
      h('p', { class: 'chat-text' }, ...splitLinks(message.text).map((piece) =>
        'href' in piece ? h('a', { href: piece.href, target: '_blank', rel: 'noopener noreferrer' }, piece.text) : piece.text)),
    );
  }

  focus(): void {
    this.input.focus();
  }
}
