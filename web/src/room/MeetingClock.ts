import { h } from '../dom';
import { t } from '../i18n';

// How long the meeting has been going, from the earliest arrival of those present: what
// people glance at to keep a meeting to its time.
export class MeetingClock {
  // A timer (ARIA): named, and not read out every second.
  readonly element = h('span', { class: 'meeting-clock', role: 'timer', 'aria-live': 'off', 'data-testid': 'meeting-clock' });
  private since = 0;
  private timer = window.setInterval(() => this.tick(), 1000);

  setStart(joinedAt: string[]): void {
    const times = joinedAt.map((at) => Date.parse(at)).filter((ms) => Number.isFinite(ms));
    this.since = times.length ? Math.min(...times) : 0;
    this.tick();
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private tick(): void {
    this.element.setAttribute('aria-label', t().elapsed);
    if (!this.since) {
      this.element.textContent = '';
      return;
    }
    this.element.textContent = formatElapsed(Date.now() - this.since);
  }
}

// 0:07, 12:45, 1:02:03.
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
