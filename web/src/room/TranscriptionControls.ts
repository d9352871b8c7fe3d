import { h } from '../dom';
import { t } from '../i18n';
import { downloadTranscript, setTranscription } from '../api';

// Start and stop transcription and download the transcript (moderators: through REST, with
// the moderator token or the owner's session), and the banner that tells everyone it runs.
// The state is the server's: reset on every welcome, set by its transcription frames.
export class TranscriptionControls {
  readonly banner = h('div', { class: 'transcription-banner hidden', role: 'status', 'data-testid': 'transcription-indicator' });
  readonly toggle = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'toggle-transcription' });
  readonly download = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'download-transcript' });
  active = false;

  constructor(roomId: string, token: string | null, failed: (text: string) => void) {
    this.toggle.addEventListener('click', () => {
      void setTranscription(roomId, token, this.active ? 'stop' : 'start').catch(() => failed(t().error));
    });
    this.download.addEventListener('click', () => {
      void downloadTranscript(roomId, token, 'vtt').catch(() => failed(t().error));
    });
  }

  render(moderator: boolean): void {
    const m = t();
    this.toggle.textContent = this.active ? m.stopTranscription : m.startTranscription;
    this.toggle.classList.toggle('hidden', !moderator);
    this.download.textContent = m.downloadTranscript;
    this.download.classList.toggle('hidden', !moderator);
    this.banner.textContent = m.transcriptionActive;
    this.banner.classList.toggle('hidden', !this.active);
  }
}
