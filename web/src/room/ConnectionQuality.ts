// How well each participant's media arrives, from getStats, for a mark on their tile (as
// Meet and Jitsi show one): good, fair or poor. Pure rules plus a small monitor.
// - Someone else: over the last interval, the share of their packets lost on the way to us
//   (after the server's repairs) and, while their video flows, the frames decoded a second.
// - Oneself: what the server reports of our uplink (its receiver reports): loss and round trip.
import type { InboundStats, OutboundStats } from '../media/MediaSession';

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface ReceivedSample {
  packets: number;
  lost: number;
  videoPackets: number;
  framesDecoded: number;
}

export function receivedQuality(before: ReceivedSample, after: ReceivedSample, seconds: number): Quality {
  const packets = after.packets - before.packets;
  const lost = Math.max(0, after.lost - before.lost);
  if (packets + lost <= 0 || seconds <= 0) return 'unknown';
  const loss = lost / (packets + lost);
  const videoFlows = after.videoPackets > before.videoPackets;
  const fps = (after.framesDecoded - before.framesDecoded) / seconds;
  if (loss >= 0.1 || (videoFlows && fps < 5)) return 'poor';
  if (loss >= 0.03 || (videoFlows && fps < 12)) return 'fair';
  return 'good';
}

export function sentQuality(outbound: OutboundStats[]): Quality {
  const reported = outbound.filter((o) => o.remoteFractionLost >= 0);
  if (reported.length === 0) return 'unknown';
  const loss = Math.max(...reported.map((o) => o.remoteFractionLost));
  const rtt = Math.max(...reported.map((o) => o.roundTripTime));
  if (loss >= 0.1 || rtt >= 0.5) return 'poor';
  if (loss >= 0.03 || rtt >= 0.25) return 'fair';
  return 'good';
}

// Sums a participant's inbound streams (their microphone, camera and screen).
export function sampleByParticipant(inbound: InboundStats[]): Map<string, ReceivedSample> {
  const out = new Map<string, ReceivedSample>();
  for (const s of inbound) {
    if (!s.participant) continue;
    const sample = out.get(s.participant) ?? { packets: 0, lost: 0, videoPackets: 0, framesDecoded: 0 };
    sample.packets += s.packetsReceived;
    sample.lost += s.packetsLost;
    if (s.kind === 'video' && s.source === 'camera') {
      sample.videoPackets += s.packetsReceived;
      sample.framesDecoded += s.framesDecoded;
    }
    out.set(s.participant, sample);
  }
  return out;
}

// Every few seconds: everyone's quality, through `show(participantId, quality)`.
export class QualityMonitor {
  private timer = 0;
  private last = new Map<string, ReceivedSample>();
  private lastAt = 0;

  constructor(
    private stats: () => Promise<{ inbound: InboundStats[]; outbound: OutboundStats[] }>,
    private selfId: () => string,
    private show: (participantId: string, quality: Quality) => void,
    private intervalMs = 2000,
  ) {
    this.timer = window.setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    const { inbound, outbound } = await this.stats();
    const now = performance.now();
    const current = sampleByParticipant(inbound);
    const seconds = (now - this.lastAt) / 1000;
    for (const [id, sample] of current) {
      const before = this.last.get(id);
      if (before) this.show(id, receivedQuality(before, sample, seconds));
    }
    if (this.selfId()) this.show(this.selfId(), sentQuality(outbound));
    this.last = current;
    this.lastAt = now;
  }
}
