import { describe, expect, it } from 'vitest';
import { splitLinks } from '../src/room/ChatText';

describe('splitLinks', () => {
  it('keeps plain text whole', () => {
    expect(splitLinks('Bonjour à tous')).toEqual([{ text: 'Bonjour à tous' }]);
    expect(splitLinks('')).toEqual([]);
  });

  it('cuts links out, without the punctuation that ends a sentence', () => {
    expect(splitLinks('Voir https://a.fr/x, puis (http://b.fr/y).')).toEqual([
      { text: 'Voir ' },
      { text: 'https://a.fr/x', href: 'https://a.fr/x' },
      { text: ', puis (' },
      { text: 'http://b.fr/y', href: 'http://b.fr/y' },
      { text: ').' },
    ]);
    expect(splitLinks('https://fr.wikipedia.org/wiki/Loi_(droit)')[0]).toEqual({
      text: 'https://fr.wikipedia.org/wiki/Loi_(droit)', href: 'https://fr.wikipedia.org/wiki/Loi_(droit)' });
    expect(splitLinks('www.numerique.gouv.fr')).toEqual([{ text: 'www.numerique.gouv.fr', href: 'https://www.numerique.gouv.fr/' }]);
  });

  it('never links other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'ftp://x.fr']) {
      expect(splitLinks(text).every((piece) => !('href' in piece))).toBe(true);
    }
  });
});
