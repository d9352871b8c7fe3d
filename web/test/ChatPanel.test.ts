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
