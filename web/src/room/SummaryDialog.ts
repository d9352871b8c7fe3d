import { h } from '../dom';
import { t } from '../i18n';
import { downloadSummary, getSummary, regenerateSummary, type MeetingSummaryDoc } from '../api';

// The meeting's summary for moderators, as the server's language model wrote it: read in the
// room, downloaded as Markdown, or asked for again. Every text the model wrote goes in as
// text (never HTML). A modal <dialog>: the browser keeps the focus inside, Escape closes.
export class SummaryDialog {
  readonly element = h('dialog', { class: 'dialog settings', 'aria-labelledby': 'summary-title', 'data-testid': 'summary-dialog' });

  constructor(
    private roomId: string,
    private token: string | null,
    private notify: (text: string) => void,
  ) {}

  async open(): Promise<void> {
    let doc: MeetingSummaryDoc;
    try {
      doc = await getSummary(this.roomId, this.token);
    } catch {
      this.notify(t().error);
      return;
    }
    this.render(doc);
    if (!this.element.open) this.element.showModal();
  }

  private render(doc: MeetingSummaryDoc): void {
    const m = t();
    const list = (items: string[]) =>
      items.length ? h('ul', {}, ...items.map((item) => h('li', {}, item))) : h('p', {}, m.summaryNone);
    const s = doc.summary;
    const body = s
      ? [
          ...(s.overview ? [h('h3', {}, m.summaryOverview), h('p', { 'data-testid': 'summary-overview' }, s.overview)] : []),
          h('h3', {}, m.summaryPoints),
          list(s.main_points),
          h('h3', {}, m.summaryDecisions),
          list(s.decisions),
          h('h3', {}, m.summaryActions),
          list(s.action_items.map((a) => `${a.owner ?? m.summaryUnassigned} — ${a.task}`)),
          h('h3', {}, m.summaryParticipants),
          list(s.participants),
        ]
      : [h('p', {}, doc.state === 'failed' ? `${m.summaryFailed} ${doc.error ?? ''}` : m.summaryPending)];
    const download = h('button', { type: 'button', 'data-testid': 'summary-download' }, m.downloadSummary);
    download.disabled = !s;
    download.addEventListener('click', () => void downloadSummary(this.roomId, this.token).catch(() => this.notify(m.error)));
    const again = h('button', { type: 'button', 'data-testid': 'summary-regenerate' }, m.regenerateSummary);
    again.addEventListener('click', () => {
      void regenerateSummary(this.roomId, this.token).then(
        () => {
          this.element.close();
          this.notify(m.summaryPending);
        },
        () => this.notify(m.error),
      );
    });
    const close = h('button', { type: 'button', class: 'primary', 'data-testid': 'summary-close', onclick: () => this.element.close() }, m.close);
    this.element.replaceChildren(
      h('h2', { id: 'summary-title' }, m.summaryTitle),
      h('div', { class: 'summary-body' }, ...body),
      h('div', { class: 'dialog-actions' }, again, download, close),
    );
  }
}
