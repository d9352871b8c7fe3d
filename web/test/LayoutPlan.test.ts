import { describe, expect, it } from 'vitest';
import { gridShape, planLayout, tilesPerPage, type LayoutInput } from '../src/room/LayoutPlan';

const people = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
const base = (over: Partial<LayoutInput>): LayoutInput => ({
  people: people(4), screens: [], self: 'p0', speaker: '', pinned: '', mode: 'grid', page: 0, width: 1280, height: 640,
  ...over,
});

describe('gridShape', () => {
  it('gives the largest tiles (the last row is centred when short)', () => {
    expect(gridShape(1, 1280, 640)).toEqual({ columns: 1, rows: 1 });
    expect(gridShape(2, 1280, 640)).toEqual({ columns: 2, rows: 1 });
    expect(gridShape(3, 1280, 640)).toEqual({ columns: 2, rows: 2 });
    expect(gridShape(3, 1600, 500)).toEqual({ columns: 3, rows: 1 });
    expect(gridShape(9, 1280, 720)).toEqual({ columns: 3, rows: 3 });
  });
  it('stacks on a tall phone', () => {
    expect(gridShape(2, 390, 700)).toEqual({ columns: 1, rows: 2 });
    expect(gridShape(4, 390, 700)).toEqual({ columns: 1, rows: 4 });
  });
});

describe('planLayout', () => {
  it('pages a large meeting at most 49 tiles a page, fewer on a small stage', () => {
    expect(tilesPerPage(1920, 1080)).toBe(49);
    expect(tilesPerPage(390, 600)).toBe(12);
    const big = planLayout(base({ people: people(120), width: 1920, height: 1080 }));
    expect(big.tiles).toHaveLength(49);
    expect(big.pages).toBe(3);
    const last = planLayout(base({ people: people(120), width: 1920, height: 1080, page: 7 }));
    expect(last.page).toBe(2);
    expect(last.tiles).toEqual(people(120).slice(98));
  });

  it('shows a screen large with the cameras in a strip, the speaker first', () => {
    const plan = planLayout(base({ screens: ['screen:3'], speaker: 'p2' }));
    expect(plan.focus).toBe('screen:3');
    expect(plan.tiles[0]).toBe('p2');
    expect(plan.tiles).toHaveLength(4);
  });

  it('puts the active speaker large in speaker view, never oneself unless alone', () => {
    expect(planLayout(base({ mode: 'speaker', speaker: 'p3' })).focus).toBe('p3');
    expect(planLayout(base({ mode: 'speaker', speaker: 'p0' })).focus).toBe('p1');
    expect(planLayout(base({ mode: 'speaker', people: ['p0'] })).focus).toBe('p0');
  });

  it('keeps a pinned tile large whatever the speaker or the screens', () => {
    expect(planLayout(base({ pinned: 'p1', speaker: 'p3', screens: ['screen:3'] })).focus).toBe('p1');
    expect(planLayout(base({ pinned: 'gone' })).focus).toBe('');
  });

  it('fills the strip only as far as it fits', () => {
    const plan = planLayout(base({ mode: 'speaker', people: people(30), speaker: 'p5', width: 800, height: 600 }));
    expect(plan.focus).toBe('p5');
    expect(plan.tiles.length).toBe(Math.floor(800 / 213));
    expect(plan.tiles).not.toContain('p5');
  });

  it('puts the other of two people on the whole stage and oneself small', () => {
    const plan = planLayout(base({ people: ['p0', 'p1'] }));
    expect(plan).toMatchObject({ focus: '', tiles: ['p1'], columns: 1, rows: 1, floating: 'p0' });
    // A screen or a pin takes over as before.
    expect(planLayout(base({ people: ['p0', 'p1'], screens: ['s1'] })).floating).toBe('');
    expect(planLayout(base({ people: ['p0', 'p1'], pinned: 'p0' })).focus).toBe('p0');
    // Three people: a grid again.
    expect(planLayout(base({ people: people(3) })).floating).toBe('');
  });
});
