import { h } from '../dom';
import { t } from '../i18n';
import { deleteRecording, downloadRecordingFile, listRecordings, type RecordingItem } from '../api';

// The meeting's recordings for moderators: each with its state, length and size, its files
// to download, and a delete button. A modal <dialog>, as the summary's.
export class RecordingsDialog {
  readonly element = h('dialog', { class: 'dialog settings', 'aria-labelledby': 'recordings-title', 'data-testid': 'recordings-dialog' });

  constructor(
    private roomId: string,
    private token: string | null,
    private notify: (text: string) => void,
  ) {}

  async open(): Promise<void> {
    let items: RecordingItem[];
    try {
      items = await listRecordings(this.roomId, this.token);
    } catch {
      this.notify(t().error);
      return;
    }
    this.render(items);
    if (!this.element.open) this.element.showModal();
  }

  private render(items: RecordingItem[]): void {
    const m = t();
    const minutes = (ms: number) => `${Math.floor(ms / 60000)}:${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}`;
    const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
    const rows = items.map((item) => {
      const state = item.state === 'recording' ? m.recordingRunning : item.state === 'failed' ? `${m.recordingStoppedError} ${item.error ?? ''}` : '';
      const composite = item.composite;
      const rendering =
        composite && (composite.state === 'pending' || composite.state === 'rendering')
          ? h('p', { 'data-testid': 'recording-render' }, m.recordingRendering(Math.round(composite.progress * 100)))
          : composite?.state === 'failed'
            ? h('p', {}, `${m.recordingRenderFailed} ${composite.error ?? ''}`)
            : null;
      const files = item.files.map((file) => {
        // Who and what, as people say it; the file's own name for the composite.
        const label = file.kind === 'composite' ? m.recordingComposite : `${file.participant_name || file.participant} — ${m.recordingSource(file.source)}`;
        const button = h('button', { type: 'button', class: 'small', 'data-testid': 'recording-file', title: file.name }, `${label} (${megabytes(file.size)})`);
        button.addEventListener('click', () => void downloadRecordingFile(file, this.token).catch(() => this.notify(m.error)));
        return h('li', {}, button);
      });
      const remove = h('button', { type: 'button', class: 'small', 'data-testid': 'recording-delete' }, m.deleteRecording);
      remove.disabled = item.state === 'recording';
      remove.addEventListener('click', () => {
        if (!window.confirm(m.deleteRecordingConfirm)) return;
        void deleteRecording(this.roomId, item.id, this.token).then(() => this.open(), () => this.notify(m.error));
      });
      return h(
        'li',
        { class: 'recording-item', 'data-testid': 'recording-item' },
        h('p', {}, `${new Date(item.started_at).toLocaleString()} — ${minutes(item.duration_ms)} — ${megabytes(item.size)} ${state}`),
        rendering,
        h('ul', {}, ...files),
        remove,
      );
    });
    const close = h('button', { type: 'button', class: 'primary', 'data-testid': 'recordings-close', onclick: () => this.element.close() }, m.close);
    this.element.replaceChildren(
      h('h2', { id: 'recordings-title' }, m.recordingsTitle),
      rows.length ? h('ul', { class: 'recordings-list' }, ...rows) : h('p', {}, m.recordingsNone),
      h('div', { class: 'dialog-actions' }, close),
    );
  }
}
