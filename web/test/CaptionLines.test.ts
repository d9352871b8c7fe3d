import { describe, expect, it } from 'vitest';
import { CaptionLines } from '../src/room/CaptionLines';

const caption = (participant: string, text: string, final: boolean) => ({ participant, name: participant.toUpperCase(), text, final });

describe('CaptionLines', () => {
  it('replaces a partial line as the words firm up, then keeps the final', () => {
    const lines = new CaptionLines();
    lines.apply(caption('ana', 'bonjour', false));
    lines.apply(caption('ana', 'bonjour à tous', false));
    expect(lines.lines).toEqual([{ participant: 'ana', name: 'ANA', text: 'bonjour à tous', final: false }]);
    lines.apply(caption('ana', 'bonjour à tous', true));
    expect(lines.lines).toEqual([{ participant: 'ana', name: 'ANA', text: 'bonjour à tous', final: true }]);
    // Her next utterance starts a new line below the final one.
    lines.apply(caption('ana', 'alors', false));
    expect(lines.lines.map((l) => l.text)).toEqual(['bonjour à tous', 'alors']);
  });

  it('takes a partial line away when its final is empty', () => {
    const lines = new CaptionLines();
    lines.apply(caption('bruno', 'euh', false));
    lines.apply(caption('bruno', '', true));
    expect(lines.lines).toEqual([]);
    // An empty final with nothing on screen adds nothing.
    lines.apply(caption('bruno', '', true));
    expect(lines.lines).toEqual([]);
  });

  it('keeps each speaker\'s partial line apart and only the last three lines', () => {
    const lines = new CaptionLines();
    lines.apply(caption('ana', 'one', true));
    lines.apply(caption('bruno', 'two', false));
    lines.apply(caption('ana', 'three', false));
    lines.apply(caption('bruno', 'two and more', false));
    expect(lines.lines.map((l) => `${l.participant}:${l.text}`)).toEqual(['ana:one', 'bruno:two and more', 'ana:three']);
    lines.apply(caption('camille', 'four', true));
    expect(lines.lines.map((l) => l.text)).toEqual(['two and more', 'three', 'four']);
    lines.clear();
    expect(lines.lines).toEqual([]);
  });
});
