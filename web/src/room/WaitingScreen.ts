import { h } from '../dom';
import { t } from '../i18n';

// What someone in the waiting room sees: that they wait, for which room, with their own
// camera, until a moderator lets them in (the room then appears without a reload).
export class WaitingScreen {
  readonly element = h('div', { class: 'waiting-screen hidden', role: 'status', 'data-testid': 'waiting-screen' });
  private preview = h('video', { autoplay: true, playsinline: true, muted: true, class: 'mirror', 'data-testid': 'waiting-preview' });

  constructor(stream: MediaStream) {
    this.preview.muted = true;
    this.preview.srcObject = stream;
  }

  show(roomName: string): void {
    const m = t();
    this.element.replaceChildren(
      this.preview,
      h('h2', {}, m.waitingTitle),
      h('p', { 'data-testid': 'waiting-message' }, m.waitingBody(roomName)),
    );
    this.element.classList.remove('hidden');
  }

  hide(): void {
    this.element.classList.add('hidden');
  }
}
