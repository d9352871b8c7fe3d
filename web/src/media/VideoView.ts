// Tells the server which received videos are on screen and how tall they are drawn, so it
// sends each the simulcast layer that fits and nothing to those not shown: a tile scrolled
// away, a hidden panel, a minimised window. Reports are coalesced (one per 250 ms at most)
// and sent only when something changed.
import type { ClientMessage } from '../signaling';

// Heights are rounded up to this step: a tile resized by a few pixels is the same request.
const kHeightStep = 60;
const kCoalesceMs = 250;

export class VideoViewReporter {
  private videos = new Map<string, HTMLVideoElement>();  // by the m-line it arrives on
  private onScreen = new Map<HTMLVideoElement, boolean>();
  private lastSent = '';
  private timer: number | undefined;
  private readonly intersection = new IntersectionObserver((entries) => {
    for (const entry of entries) this.onScreen.set(entry.target as HTMLVideoElement, entry.isIntersecting);
    this.schedule();
  });
  private readonly resize = new ResizeObserver(() => this.schedule());
  private readonly onVisibility = () => this.schedule();

  constructor(private send: (message: ClientMessage) => void) {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  watch(mid: string, video: HTMLVideoElement): void {
    this.unwatch(mid);
    this.videos.set(mid, video);
    this.intersection.observe(video);
    this.resize.observe(video);
    this.schedule();
  }

  unwatch(mid: string): void {
    const video = this.videos.get(mid);
    if (!video) return;
    this.videos.delete(mid);
    this.onScreen.delete(video);
    this.intersection.unobserve(video);
    this.resize.unobserve(video);
  }

  // After a reconnection the server knows nothing of what we show: say it again.
  resend(): void {
    this.lastSent = '';
    this.schedule();
  }

  close(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.intersection.disconnect();
    this.resize.disconnect();
    window.clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      this.report();
    }, kCoalesceMs);
  }

  private height(video: HTMLVideoElement): number {
    if (document.hidden || !video.isConnected || !this.onScreen.get(video)) return 0;
    const pixels = video.getBoundingClientRect().height * window.devicePixelRatio;
    if (pixels <= 0) return 0;
    return Math.min(8192, Math.ceil(pixels / kHeightStep) * kHeightStep);
  }

  private report(): void {
    const tracks = [...this.videos].map(([mid, video]) => ({ mid, height: this.height(video) }));
    const key = JSON.stringify(tracks);
    if (key === this.lastSent || tracks.length === 0) return;
    this.lastSent = key;
    this.send({ type: 'video-view', tracks });
  }
}
