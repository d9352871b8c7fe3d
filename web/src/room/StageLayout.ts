import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';
import { planLayout, type LayoutInput, type LayoutMode, type LayoutPlan } from './LayoutPlan';

// Puts a LayoutPlan on the stage: which tiles show (the others are hidden, so their videos
// report 0 pixels and the server pauses them), in which order, which one is large; the
// grid's columns with a short last row centred; the pager; the grid/speaker switch. Keeps
// what the user chose (mode, pinned tile, page) and lays out again when the stage resizes.
export class StageLayout {
  // The grid/speaker switch, for the room's header.
  readonly toggle = h('button', { type: 'button', class: 'small layout-toggle', 'data-testid': 'layout-toggle' });
  private pager = h('div', { class: 'pager', 'data-testid': 'pager', hidden: true });
  private pageLabel = h('span', { class: 'page-label', 'aria-live': 'polite', 'data-testid': 'page-label' });
  private previous = h('button', { type: 'button', class: 'small', 'data-testid': 'previous-page' });
  private next = h('button', { type: 'button', class: 'small', 'data-testid': 'next-page' });
  private mode: LayoutMode = 'grid';
  private page = 0;
  pinned = '';
  private plan: LayoutPlan | null = null;
  private resize = new ResizeObserver(() => this.relayout());

  constructor(private stage: HTMLElement, private relayout: () => void) {
    this.previous.addEventListener('click', () => this.turn(-1));
    this.next.addEventListener('click', () => this.turn(1));
    this.toggle.addEventListener('click', () => {
      this.mode = this.mode === 'grid' ? 'speaker' : 'grid';
      this.relayout();
    });
    this.pager.append(this.previous, this.pageLabel, this.next);
    stage.append(this.pager);
    this.resize.observe(stage);
    this.labels();
  }

  togglePin(key: string): void {
    this.pinned = this.pinned === key ? '' : key;
    this.relayout();
  }

  // Lays out `tiles` (by key) for the room as it is.
  apply(input: Omit<LayoutInput, 'mode' | 'page' | 'pinned' | 'width' | 'height'>, tiles: Map<string, HTMLElement>): void {
    const plan = planLayout({ ...input, mode: this.mode, page: this.page, pinned: this.pinned,
      width: this.stage.clientWidth || 1280, height: this.stage.clientHeight || 720 });
    this.plan = plan;
    this.page = plan.page;
    const shown = [...(plan.focus ? [plan.focus, ...plan.tiles] : plan.tiles), ...(plan.floating ? [plan.floating] : [])];
    const lastRow = plan.focus ? 0 : plan.tiles.length - (plan.rows - 1) * plan.columns;
    for (const [key, tile] of tiles) {
      const at = shown.indexOf(key);
      tile.hidden = at < 0;
      tile.style.order = String(at);
      tile.classList.toggle('focused', key === plan.focus);
      tile.classList.toggle('floating', key === plan.floating);
      // A short last row is centred: columns are halves, each tile two of them.
      const lastRowStart = !plan.focus && lastRow < plan.columns && at === plan.tiles.length - lastRow;
      tile.style.gridColumnStart = lastRowStart ? String(plan.columns - lastRow + 1) : '';
    }
    this.stage.classList.toggle('layout-focus', plan.focus !== '');
    this.stage.dataset.layout = plan.focus ? 'focus' : 'grid';
    const style = this.stage.style;
    if (plan.focus) {
      style.gridTemplateColumns = `repeat(${Math.max(1, plan.tiles.length)}, minmax(0, 1fr))`;
      style.gridTemplateRows = plan.tiles.length ? 'minmax(0, 4fr) minmax(0, 1fr)' : 'minmax(0, 1fr)';
    } else {
      style.gridTemplateColumns = `repeat(${2 * plan.columns}, minmax(0, 1fr))`;
      style.gridTemplateRows = `repeat(${plan.rows}, minmax(0, 1fr))`;
    }
    this.pager.hidden = plan.pages <= 1;
    this.labels();
  }

  private turn(by: number): void {
    this.page += by;
    this.relayout();
  }

  private labels(): void {
    this.toggle.replaceChildren(icon('speaker'), t().speakerView);
    this.toggle.setAttribute('aria-pressed', String(this.mode === 'speaker'));
    const plan = this.plan;
    this.pageLabel.textContent = plan ? t().pageOf(plan.page + 1, plan.pages) : '';
    this.previous.replaceChildren(icon('previous'));
    this.previous.setAttribute('aria-label', t().previousPage);
    this.previous.disabled = !plan || plan.page === 0;
    this.next.replaceChildren(icon('next'));
    this.next.setAttribute('aria-label', t().nextPage);
    this.next.disabled = !plan || plan.page >= plan.pages - 1;
  }

  close(): void {
    this.resize.disconnect();
  }
}
