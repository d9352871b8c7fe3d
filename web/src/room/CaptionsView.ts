import { h } from '../dom';
import { t } from '../i18n';
import { CaptionLines, type CaptionMessage } from './CaptionLines';
import { guestBadge } from './ParticipantsPanel';

const SIZES = ['small', 'medium', 'large'] as const;
type CaptionSize = (typeof SIZES)[number];
const SIZE_KEY = 'parley.captionSize';

// The captions a participant chose to see: a band between the stage and the toolbar (never
// over the controls), shown only when there is text, in the size they picked.
export class CaptionsView {
  // Focusable: on a small screen it may scroll, and keyboard users must reach it.
  readonly box = h('section', { class: 'captions hidden', role: 'region', 'aria-live': 'polite', tabindex: 0, 'data-testid': 'captions' });
  readonly toggle = h('button', { type: 'button', class: 'small', 'data-testid': 'toggle-captions' });
  readonly sizeButton = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'caption-size' });
  private lines = new CaptionLines();
  private on = false;
  private size: CaptionSize = (SIZES as readonly string[]).includes(localStorage.getItem(SIZE_KEY) ?? '')
    ? (localStorage.getItem(SIZE_KEY) as CaptionSize) : 'medium';

  constructor() {
    this.toggle.addEventListener('click', () => {
      this.on = !this.on;
      this.render();
    });
    this.sizeButton.addEventListener('click', () => {
      this.size = SIZES[(SIZES.indexOf(this.size) + 1) % SIZES.length];
      localStorage.setItem(SIZE_KEY, this.size);
      this.render();
    });
    this.render();
  }

  apply(message: CaptionMessage): void {
    this.lines.apply(message);
    this.render();
  }

  clear(): void {
    this.lines.clear();
    this.render();
  }

  render(): void {
    const m = t();
    this.toggle.textContent = this.on ? m.captionsOff : m.captionsOn;
    this.toggle.setAttribute('aria-pressed', String(this.on));
    this.sizeButton.classList.toggle('hidden', !this.on);
    this.sizeButton.textContent = `${m.captionSize}: ${m.captionSizes[this.size]}`;
    this.box.dataset.size = this.size;
    this.box.setAttribute('aria-label', m.captions);
    const lines = this.lines.lines;
    this.box.classList.toggle('hidden', !this.on || lines.length === 0);
    this.box.replaceChildren(
      ...lines.map((line) =>
        h('p', { class: line.final ? 'caption' : 'caption partial', 'data-testid': line.final ? 'caption' : 'caption-partial' },
          h('strong', {}, line.name, line.guest ? ' ' : '', guestBadge(line.guest), ': '), line.text)),
    );
  }
}
