// When to try again after the connection to the server dropped: further apart each time, at
// most 30 s apart, for about three minutes, then give up (the page says the connection
// failed). A welcome resets it. The first attempts fall within the server's 20 s resume
// window, so a short outage brings the same participant back.

export const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000, 30000];

export class ReconnectSchedule {
  private attempt = 0;

  constructor(private readonly delays: readonly number[] = RECONNECT_DELAYS_MS) {}

  get attempts(): number {
    return this.attempt;
  }

  // The delay before the next attempt, or null when it is time to give up.
  next(): number | null {
    if (this.attempt >= this.delays.length) return null;
    return this.delays[this.attempt++];
  }

  // Connected again: the next drop starts from the shortest delay.
  reset(): void {
    this.attempt = 0;
  }
}
