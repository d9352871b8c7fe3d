// French and English. The language comes from the browser unless the user picked one.
import { en, type Messages } from './i18n/en';
import { fr } from './i18n/fr';

export type { Messages };
export type Language = 'en' | 'fr';
const catalogs: Record<Language, Messages> = { en, fr };
const STORAGE_KEY = 'parley.language';

function detect(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fr') return saved;
  for (const lang of navigator.languages ?? [navigator.language]) {
    if (lang.toLowerCase().startsWith('fr')) return 'fr';
    if (lang.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

let current: Language = detect();
const listeners = new Set<() => void>();

export function t(): Messages {
  return catalogs[current];
}

export function language(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  listeners.forEach((l) => l());
}

export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

document.documentElement.lang = current;
