import { h } from '../dom';
import { t } from '../i18n';
import { stopAll } from '../media';
import type { MediaSession } from '../media/MediaSession';

// Sharing one's screen: the capture, its track on the current media session (again on the
// next one after a reconnect), and the "you are presenting" bar with a stop button, as the
// presenter no longer sees the room's controls while they show another window.
export class ScreenShare {
  readonly bar = h('div', { class: 'presenting hidden', role: 'status', 'data-testid': 'presenting' });
  private stream: MediaStream | null = null;
  private transceiver: RTCRtpTransceiver | null = null;
  private label = h('span');
  private stopButton = h('button', { type: 'button', class: 'small', 'data-testid': 'stop-presenting' });

  constructor(private media: () => MediaSession | null, private changed: () => void, private failed: (text: string) => void) {
    this.stopButton.addEventListener('click', () => this.stop());
    this.bar.append(this.label, this.stopButton);
  }

  get sharing(): boolean {
    return this.stream !== null;
  }

  toggle(): void {
    if (this.stream) this.stop();
    else void this.start();
  }

  // A new media session (after a reconnect): the screen goes out on it too.
  attach(session: MediaSession): void {
    this.transceiver = this.stream ? session.addTrack(this.stream.getVideoTracks()[0], 'screen') : null;
  }

  detach(): void {
    this.transceiver = null;
  }

  render(): void {
    const m = t();
    this.label.textContent = m.youArePresenting;
    this.stopButton.textContent = m.stopSharing;
    this.bar.classList.toggle('hidden', !this.stream);
  }

  stop(): void {
    if (!this.stream) return;
    stopAll(this.stream);
    this.stream = null;
    const session = this.media();
    if (session && this.transceiver) {
      session.removeTrack(this.transceiver);
      void session.publish();
    }
    this.transceiver = null;
    this.changed();
  }

  private async start(): Promise<void> {
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
      const track = stream.getVideoTracks()[0];
      if (!track) return;
      // Text on screens matters more than motion.
      track.contentHint = 'detail';
      this.stream = stream;
      track.addEventListener('ended', () => this.stop());
      const session = this.media();
      if (session) {
        this.transceiver = session.addTrack(track, 'screen');
        void session.publish();
      }
    } catch {
      this.failed(t().screenShareFailed);
    }
    this.changed();
  }
}
