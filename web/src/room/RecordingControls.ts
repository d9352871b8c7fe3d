import { h } from '../dom';
import { t } from '../i18n';
import { setRecording } from '../api';
import { RecordingsDialog } from './RecordingsDialog';

// Start and stop recording (moderators: through REST, with the moderator token or the
// owner's session), the indicator everyone sees while it runs, and the moderators' list of
// the meeting's recordings. The state is the server's: reset on every welcome, set by its
// recording frames (which also say when a recording stopped by itself, and why).
export class RecordingControls {
  readonly indicator = h('div', { class: 'recording-indicator hidden', role: 'status', 'data-testid': 'recording-indicator' });
  readonly toggle = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'toggle-recording' });
  readonly list = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'view-recordings' });
  readonly dialog: RecordingsDialog;
  active = false;

  constructor(roomId: string, token: string | null, failed: (text: string) => void) {
    this.toggle.addEventListener('click', () => {
      void setRecording(roomId, token, this.active ? 'stop' : 'start').catch((e: Error) =>
        failed(`${t().recordingFailed} ${e.message}`),
      );
    });
    this.dialog = new RecordingsDialog(roomId, token, failed);
    this.list.addEventListener('click', () => void this.dialog.open());
  }

  // A recording frame: what to tell everyone.
  onFrame(active: boolean, by: string | undefined, error: string | undefined): string {
    const m = t();
    this.active = active;
    if (error) return `${m.recordingStoppedError} ${error}`;
    if (active) return by ? m.recordingStartedBy(by) : m.recordingActive;
    return by ? m.recordingStoppedBy(by) : m.recordingStopped;
  }

  render(moderator: boolean): void {
    const m = t();
    this.toggle.textContent = this.active ? m.stopRecording : m.startRecording;
    this.toggle.classList.toggle('hidden', !moderator);
    this.toggle.setAttribute('aria-pressed', String(this.active));
    this.list.textContent = m.viewRecordings;
    this.list.classList.toggle('hidden', !moderator);
    this.indicator.replaceChildren(h('span', { class: 'recording-dot', 'aria-hidden': 'true' }), m.recordingActive);
    this.indicator.classList.toggle('hidden', !this.active);
  }
}
