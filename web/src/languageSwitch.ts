import { h } from './dom';
import { language, setLanguage, t, type Language } from './i18n';

// A select that switches between French and English at once.
export function languageSwitch(): HTMLElement {
  const select = h(
    'select',
    { 'data-testid': 'language-switch', 'aria-label': t().language, class: 'language-switch' },
    h('option', { value: 'fr' }, 'Français'),
    h('option', { value: 'en' }, 'English'),
  );
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value as Language));
  return select;
}
