import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';

export type PanelTab = 'participants' | 'chat';

// The room's one side panel, with the participants and the chat as its tabs. Built once:
// the tabs' contents are updated in place, so a scroll position, a half-typed message or a
// focused button survives every room event. On a phone it is a bottom sheet (styles.css).
export class SidePanel {
  readonly element = h('aside', { class: 'sidebar hidden', 'data-testid': 'side-panel' });
  private open: PanelTab | null = null;
  private tabButtons: Record<PanelTab, HTMLButtonElement>;
  private bodies: Record<PanelTab, HTMLElement>;
  private closeButton = h('button', { type: 'button', class: 'small panel-close', 'data-testid': 'close-panel' });

  constructor(participants: HTMLElement[], chat: HTMLElement, private onChange: (open: PanelTab | null) => void) {
    const tab = (name: PanelTab) =>
      h('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `tabpanel-${name}`, 'data-testid': `tab-${name}`,
        onclick: () => this.show(name) });
    this.tabButtons = { participants: tab('participants'), chat: tab('chat') };
    this.bodies = {
      participants: h('div', { role: 'tabpanel', id: 'tabpanel-participants', 'aria-labelledby': 'tab-participants', class: 'tab-body' }, ...participants),
      chat: h('div', { role: 'tabpanel', id: 'tabpanel-chat', 'aria-labelledby': 'tab-chat', class: 'tab-body' }, chat),
    };
    const tabs = h('div', { role: 'tablist', class: 'panel-tabs' }, this.tabButtons.participants, this.tabButtons.chat);
    // Arrow keys move between tabs, as the ARIA tabs pattern has it.
    tabs.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const next: PanelTab = this.open === 'chat' ? 'participants' : 'chat';
      this.show(next);
      this.tabButtons[next].focus();
    });
    this.closeButton.addEventListener('click', () => this.show(null));
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.element.classList.contains('sheet-open')) this.show(null);
    });
    this.element.append(h('div', { class: 'panel-top' }, tabs, this.closeButton), this.bodies.participants, this.bodies.chat);
    this.relabel();
  }

  get current(): PanelTab | null {
    return this.open;
  }

  // The toolbar's buttons: the tab shown closes the panel, another tab switches to it.
  toggle(tab: PanelTab): void {
    this.show(this.open === tab ? null : tab);
  }

  show(tab: PanelTab | null): void {
    this.open = tab;
    this.element.classList.toggle('hidden', tab === null);
    this.element.classList.toggle('sheet-open', tab !== null);
    for (const name of ['participants', 'chat'] as PanelTab[]) {
      const selected = name === tab;
      this.tabButtons[name].setAttribute('aria-selected', String(selected));
      this.tabButtons[name].tabIndex = selected ? 0 : -1;
      this.bodies[name].hidden = !selected;
    }
    this.onChange(tab);
  }

  relabel(): void {
    const m = t();
    this.element.setAttribute('aria-label', m.sidePanel);
    this.tabButtons.participants.textContent = m.participants;
    this.tabButtons.chat.textContent = m.chat;
    this.closeButton.replaceChildren(icon('close'));
    this.closeButton.setAttribute('aria-label', m.close);
  }
}
