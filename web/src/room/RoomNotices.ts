import { h } from '../dom';
import { t } from '../i18n';

// What the room tells its participant in passing: the connection's state (a status line),
// notices that stack (three at most, 5 s each: "Ana muted your microphone" and "Ana muted
// everyone" arrive together and both must be read), and a preview of a chat line while the
// chat is closed, which opens it.
export class RoomNotices {
  readonly status = h('div', { class: 'status hidden', role: 'status', 'data-testid': 'connection-status' });
  readonly toast = h('div', { class: 'toast hidden', role: 'alert', 'data-testid': 'toast' });
  readonly chatPreview = h('button', { type: 'button', class: 'chat-preview hidden', 'data-testid': 'chat-preview' });
  private chatPreviewTimer = 0;

  constructor(openChat: () => void) {
    this.chatPreview.addEventListener('click', openChat);
  }

  showStatus(text: string): void {
    this.status.textContent = text;
    this.status.classList.remove('hidden');
  }

  hideStatus(): void {
    this.status.classList.add('hidden');
  }

  showToast(text: string): void {
    const line = h('p', { class: 'toast-line' }, text);
    this.toast.append(line);
    while (this.toast.childElementCount > 3) this.toast.firstElementChild?.remove();
    this.toast.classList.remove('hidden');
    window.setTimeout(() => {
      line.remove();
      if (this.toast.childElementCount === 0) this.toast.classList.add('hidden');
    }, 5000);
  }

  showChatPreview(text: string): void {
    this.chatPreview.textContent = text.length > 90 ? `${text.slice(0, 89)}…` : text;
    this.chatPreview.setAttribute('aria-label', `${t().openChat}: ${this.chatPreview.textContent}`);
    this.chatPreview.classList.remove('hidden');
    window.clearTimeout(this.chatPreviewTimer);
    this.chatPreviewTimer = window.setTimeout(() => this.hideChatPreview(), 5000);
  }

  hideChatPreview(): void {
    window.clearTimeout(this.chatPreviewTimer);
    this.chatPreview.classList.add('hidden');
  }
}
