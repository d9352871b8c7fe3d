import { h } from '../dom';
import { t } from '../i18n';
import { languageSwitch } from '../languageSwitch';

// A full-page message (meeting not found, you left, you were removed) with a way onward.
export function renderNotice(
  root: HTMLElement,
  title: string,
  body: string,
  action?: { label: string; run: () => void; testid: string },
): void {
  const heading = h('h1', { tabindex: -1, 'data-testid': 'notice-title' }, title);
  root.replaceChildren(
    h(
      'main',
      { class: 'notice' },
      h('div', { class: 'notice-top' }, languageSwitch()),
      heading,
      h('p', { 'data-testid': 'notice-body' }, body),
      h(
        'div',
        { class: 'notice-actions' },
        action &&
          h('button', { class: 'primary', 'data-testid': action.testid, onclick: () => action.run() }, action.label),
        h('a', { href: '/', class: 'button-link' }, t().backHome),
      ),
    ),
  );
  heading.focus();
}
