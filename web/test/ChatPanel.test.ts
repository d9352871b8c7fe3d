import { describe, expect, it, vi } from 'vitest';
import { ChatPanel } from '../src/room/ChatPanel';
import type { ChatMessage } from '../src/signaling';

const message = (id: number, text: string): ChatMessage => ({ id, from: 'p', name: 'Ana', text, sent_at: '2026-11-30T10:00:00Z' });
const texts = (panel: ChatPanel) => [...panel.element.querySelectorAll('[data-testid="chat-message"] .chat-text')].map((e) => e.textContent);

describe('ChatPanel', () => {
  it('shows the welcome\'s page, asks for older ones and puts them above', () => {
    const loadEarlier = vi.fn();
    const panel = new ChatPanel(() => {}, loadEarlier);
    panel.reset([message(5, 'five'), message(6, 'six')], true);
    expect(texts(panel)).toEqual(['five', 'six']);
    const earlier = panel.element.querySelector<HTMLButtonElement>('[data-testid="chat-earlier"]')!;
    expect(earlier.classList.contains('hidden')).toBe(false);
    earlier.click();
    expect(loadEarlier).toHaveBeenCalledWith(5);
    panel.prepend([message(3, 'three'), message(4, 'four')], false);
    expect(texts(panel)).toEqual(['three', 'four', 'five', 'six']);
    expect(earlier.classList.contains('hidden')).toBe(true);
    panel.add(message(7, 'seven'));
    expect(texts(panel)).toEqual(['three', 'four', 'five', 'six', 'seven']);
  });

  it('sends trimmed text and never renders it as HTML', () => {
    const send = vi.fn();
    const panel = new ChatPanel(send, () => {});
    document.body.append(panel.element);
    const input = panel.element.querySelector('textarea')!;
    input.value = '  <img src=x onerror=alert(1)>  ';
    panel.element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(send).toHaveBeenCalledWith('<img src=x onerror=alert(1)>');
    expect(input.value).toBe('');
    panel.add(message(1, '<b>bold</b>'));
    expect(panel.element.querySelector('.chat-text')!.innerHTML).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(panel.element.querySelector('img')).toBeNull();
    // Blank lines are not sent.
    input.value = '   ';
    panel.element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('ChatPanel links and scrolling', () => {
  it('makes web links clickable and safe, and nothing else', () => {
    const panel = new ChatPanel(() => {}, () => {});
    panel.add(message(1, 'Compte rendu : https://wiki.example.fr/cr?id=3&x=1. Voir aussi www.service-public.fr, et javascript:alert(1)'));
    const links = [...panel.element.querySelectorAll<HTMLAnchorElement>('.chat-text a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://wiki.example.fr/cr?id=3&x=1', 'https://www.service-public.fr/']);
    expect(links.map((a) => a.textContent)).toEqual(['https://wiki.example.fr/cr?id=3&x=1', 'www.service-public.fr']);
    for (const a of links) {
      expect(a.rel).toBe('noopener noreferrer');
      expect(a.target).toBe('_blank');
    }
    expect(panel.element.querySelector('.chat-text')!.textContent).toContain('javascript:alert(1)');
  });

  it('follows the newest line unless the reader scrolled up, then offers a button', () => {
    const panel = new ChatPanel(() => {}, () => {});
    const log = panel.element.querySelector<HTMLElement>('[data-testid="chat-log"]')!;
    const button = panel.element.querySelector<HTMLButtonElement>('[data-testid="chat-new-messages"]')!;
    // jsdom lays nothing out: give the log a height and a content height.
    let contentHeight = 1000;
    Object.defineProperty(log, 'clientHeight', { get: () => 200 });
    Object.defineProperty(log, 'scrollHeight', { get: () => contentHeight });
    panel.reset([message(1, 'one')], false);
    expect(log.scrollTop).toBe(1000);
    contentHeight = 1100;
    panel.add(message(2, 'two'));
    expect(log.scrollTop).toBe(1100);
    expect(button.classList.contains('hidden')).toBe(true);
    // The reader goes up to read: new lines do not move the log.
    log.scrollTop = 100;
    log.dispatchEvent(new Event('scroll'));
    contentHeight = 1200;
    panel.add(message(3, 'three'));
    expect(log.scrollTop).toBe(100);
    expect(button.classList.contains('hidden')).toBe(false);
    // Their own line brings them down; so does the button.
    panel.add(message(4, 'mine'), true);
    expect(log.scrollTop).toBe(1200);
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    panel.add(message(5, 'five'));
    button.click();
    expect(log.scrollTop).toBe(1200);
    expect(button.classList.contains('hidden')).toBe(true);
  });
});
