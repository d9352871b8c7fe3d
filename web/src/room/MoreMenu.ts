import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';

// On a phone the toolbar keeps one row (microphone, camera, chat, people, more, leave) and
// the header only the meeting's name: everything else opens from "more" as a bottom sheet.
// A disclosure (button + region), not an ARIA menu: it holds a select and toggles.
export class MoreMenu {
  readonly button = h('button', { type: 'button', class: 'round more-button', 'aria-expanded': 'false', 'aria-controls': 'more-sheet', 'data-testid': 'more' });
  readonly sheet = h('div', { id: 'more-sheet', class: 'more-sheet hidden', role: 'region', 'data-testid': 'more-sheet' });
  readonly actions = h('div', { class: 'more-actions' });

  constructor() {
    this.button.addEventListener('click', () => this.setOpen(this.sheet.classList.contains('hidden')));
    this.sheet.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        this.setOpen(false);
        this.button.focus();
      }
    });
    // A choice made in the sheet closes it, except for selects and the reactions row.
    this.sheet.addEventListener('click', (event) => {
      const target = event.target as HTMLElement;
      if (target.closest('button') && !target.closest('[data-keep-open]')) this.setOpen(false);
    });
    this.sheet.append(this.actions);
    this.relabel();
  }

  setOpen(open: boolean): void {
    this.sheet.classList.toggle('hidden', !open);
    this.button.setAttribute('aria-expanded', String(open));
    if (open) this.sheet.querySelector<HTMLElement>('button, select')?.focus();
  }

  relabel(): void {
    const m = t();
    this.button.replaceChildren(icon('more'));
    this.button.setAttribute('aria-label', m.more);
    this.button.title = m.more;
    this.sheet.setAttribute('aria-label', m.more);
  }
}

// True while the window is phone-sized; the callback runs on every change.
export function watchPhone(onChange: (phone: boolean) => void): { phone: boolean; stop(): void } {
  const query = window.matchMedia?.('(max-width: 640px)');
  const listener = () => onChange(!!query?.matches);
  query?.addEventListener('change', listener);
  return { phone: !!query?.matches, stop: () => query?.removeEventListener('change', listener) };
}
