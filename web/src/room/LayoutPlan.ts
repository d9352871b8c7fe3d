// Where tiles go on the stage: pure, so the rules are tested on their own.
// - A grid fills the stage: columns and rows chosen for the largest 16:9 tiles, a short last
//   row centred (three people: two above, one centred below, no empty quarter), at most 49
//   tiles a page and no tile smaller than about 160×100 CSS pixels (fewer a page on a phone).
// - A focus layout shows one tile large and the others in a strip below: a pinned tile
//   (a person or a screen), else a screen being shared, else in speaker view the active
//   speaker (never oneself unless alone). The strip holds what fits; the rest are not shown
//   (their videos are then paused by the server).
// - Two people and nothing else: the other fills the stage and oneself floats small in a
//   corner, as a mirror, not half of the screen.

export type LayoutMode = 'grid' | 'speaker';

export interface LayoutInput {
  people: string[];  // tile keys of participants, in roster order (oneself included)
  screens: string[];  // tile keys of screens being shared, newest first
  self: string;
  speaker: string;  // '' when nobody speaks yet
  pinned: string;  // a tile key, or ''
  mode: LayoutMode;
  page: number;  // asked for; clamped to what exists
  width: number;  // the stage, CSS pixels
  height: number;
}

export interface LayoutPlan {
  focus: string;  // the large tile, '' for a grid
  tiles: string[];  // the grid's tiles on this page, or the strip's tiles
  columns: number;
  rows: number;
  page: number;
  pages: number;
  floating: string;  // oneself, small over the stage; '' when in the grid or strip
}

export const maxTilesPerPage = 49;
const minTileWidth = 160;
const minTileHeight = 100;
const stripShare = 0.2;  // of the stage's height

// Columns and rows for `count` tiles of 16:9 in a width × height area: the largest tiles,
// then the fewest rows.
export function gridShape(count: number, width: number, height: number): { columns: number; rows: number } {
  let best = { columns: 1, rows: Math.max(1, count), size: -1 };
  for (let columns = 1; columns <= Math.max(1, count); columns++) {
    const rows = Math.max(1, Math.ceil(count / columns));
    const size = Math.min(width / columns, ((height / rows) * 16) / 9);
    if (size > best.size + 0.5) best = { columns, rows, size };
  }
  return { columns: best.columns, rows: best.rows };
}

// How many tiles a page of this stage holds.
export function tilesPerPage(width: number, height: number): number {
  const fit = Math.floor(width / minTileWidth) * Math.floor(height / minTileHeight);
  return Math.min(maxTilesPerPage, Math.max(1, fit));
}

function focusOf(input: LayoutInput): string {
  const all = [...input.screens, ...input.people];
  if (input.pinned && all.includes(input.pinned)) return input.pinned;
  if (input.screens.length > 0) return input.screens[0];
  if (input.mode !== 'speaker' || input.people.length === 0) return '';
  if (input.speaker && input.speaker !== input.self && input.people.includes(input.speaker)) return input.speaker;
  return input.people.find((p) => p !== input.self) ?? input.people[0];
}

export function planLayout(input: LayoutInput): LayoutPlan {
  const focus = focusOf(input);
  if (focus) {
    // The strip: whoever speaks first, then the others in order, as many as fit its width.
    const others = [...input.screens, ...input.people].filter((k) => k !== focus);
    const ordered = others.includes(input.speaker) ? [input.speaker, ...others.filter((k) => k !== input.speaker)] : others;
    const stripHeight = input.height * stripShare;
    const fit = Math.max(1, Math.floor(input.width / Math.max(minTileWidth, (stripHeight * 16) / 9)));
    const tiles = ordered.slice(0, fit);
    return { focus, tiles, columns: Math.max(1, tiles.length), rows: tiles.length > 0 ? 2 : 1, page: 0, pages: 1, floating: '' };
  }
  if (input.people.length === 2 && input.people.includes(input.self)) {
    const other = input.people.find((p) => p !== input.self) ?? '';
    return { focus: '', tiles: [other], columns: 1, rows: 1, page: 0, pages: 1, floating: input.self };
  }
  const perPage = tilesPerPage(input.width, input.height);
  const pages = Math.max(1, Math.ceil(input.people.length / perPage));
  const page = Math.min(Math.max(0, input.page), pages - 1);
  const tiles = input.people.slice(page * perPage, (page + 1) * perPage);
  const { columns, rows } = gridShape(tiles.length, input.width, input.height);
  return { focus: '', tiles, columns, rows, page, pages, floating: '' };
}
