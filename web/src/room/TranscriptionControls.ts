import { h } from '../dom';
import { t } from '../i18n';
import { downloadTranscript, setTranscription } from '../api';
import { SummaryDialog } from './SummaryDialog';

// Start and stop transcription and download the transcript (moderators: through REST, with
// the moderator token or the owner's session), and the banner that tells everyone it runs.
// The state is the server's: reset on every welcome, set by its transcription frames. Once a
// transcription stops, the server's language model (if it has one) writes a summary; its
// progress comes to moderators as summary frames, and the summary can then be downloaded.
export class TranscriptionControls {
  readonly banner = h('div', { class: 'transcription-banner hidden', role: 'status', 'data-testid': 'transcription-indicator' });
  readonly toggle = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'toggle-transcription' });
  readonly download = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'download-transcript' });
  readonly viewSummary = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'view-summary' });
  readonly summaryDialog: SummaryDialog;
  active = false;
  summaryReady = false;

  constructor(roomId: string, token: string | null, failed: (text: string) => void) {
    this.toggle.addEventListener('click', () => {
      void setTranscription(roomId, token, this.active ? 'stop' : 'start').catch(() => failed(t().error));
    });
    this.download.addEventListener('click', () => {
      void downloadTranscript(roomId, token, 'vtt').catch(() => failed(t().error));
    });
    this.summaryDialog = new SummaryDialog(roomId, token, failed);
    this.viewSummary.addEventListener('click', () => void this.summaryDialog.open());
  }

  // A summary frame: what to tell the moderator (null: nothing new).
  onSummary(state: 'pending' | 'done' | 'failed', error: string | undefined, stepsDone: number): string | null {
    const m = t();
    if (state === 'done') {
      this.summaryReady = true;
      return m.summaryReady;
    }
    if (state === 'failed') return error ? `${m.summaryFailed} (${error})` : m.summaryFailed;
    if (error) return m.summaryRetrying;
    return stepsDone === 0 ? m.summaryPending : null;
  }

  render(moderator: boolean): void {
    const m = t();
    this.toggle.textContent = this.active ? m.stopTranscription : m.startTranscription;
    this.toggle.classList.toggle('hidden', !moderator);
    this.download.textContent = m.downloadTranscript;
    this.download.classList.toggle('hidden', !moderator);
    this.viewSummary.textContent = m.viewSummary;
    this.viewSummary.classList.toggle('hidden', !moderator || !this.summaryReady);
    this.banner.textContent = m.transcriptionActive;
    this.banner.classList.toggle('hidden', !this.active);
  }
}
