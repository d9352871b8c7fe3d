import { describe, expect, it } from 'vitest';
import { receivedQuality, sampleByParticipant, sentQuality } from '../src/room/ConnectionQuality';
import type { InboundStats, OutboundStats } from '../src/media/MediaSession';

const sample = (packets: number, lost: number, videoPackets = 0, framesDecoded = 0) => ({ packets, lost, videoPackets, framesDecoded });
const out = (remoteFractionLost: number, roundTripTime: number) =>
  ({ kind: 'video', packetsSent: 1, rid: '', frameWidth: 0, frameHeight: 0, framesEncoded: 0, scalabilityMode: '',
    remoteFractionLost, roundTripTime }) as OutboundStats;

describe('connection quality', () => {
  it('rates what arrives from someone by loss and decoded frames', () => {
    expect(receivedQuality(sample(0, 0), sample(1000, 0, 800, 60), 2)).toBe('good');
    expect(receivedQuality(sample(0, 0), sample(1000, 50, 800, 60), 2)).toBe('fair');
    expect(receivedQuality(sample(0, 0), sample(1000, 200, 800, 60), 2)).toBe('poor');
    expect(receivedQuality(sample(0, 0), sample(1000, 0, 800, 6), 2)).toBe('poor');  // frozen video
    expect(receivedQuality(sample(0, 0), sample(100, 0, 0, 0), 2)).toBe('good');  // no video sent: audio alone counts
    expect(receivedQuality(sample(5, 0), sample(5, 0), 2)).toBe('unknown');
  });

  it('rates our own uplink from the server reports', () => {
    expect(sentQuality([])).toBe('unknown');
    expect(sentQuality([out(0, 0.02)])).toBe('good');
    expect(sentQuality([out(0.05, 0.02)])).toBe('fair');
    expect(sentQuality([out(0, 0.8)])).toBe('poor');
  });

  it('sums a participant streams', () => {
    const s = (participant: string, kind: string, packetsReceived: number, framesDecoded: number) =>
      ({ id: '', kind, mid: '', packetsReceived, framesDecoded, bytesReceived: 0, totalAudioEnergy: 0, frameWidth: 0,
        frameHeight: 0, participant, source: kind === 'video' ? 'camera' : 'microphone', packetsLost: 1 }) as InboundStats;
    const byId = sampleByParticipant([s('a', 'audio', 50, 0), s('a', 'video', 300, 30), s('b', 'audio', 10, 0)]);
    expect(byId.get('a')).toEqual({ packets: 350, lost: 2, videoPackets: 300, framesDecoded: 30 });
    expect(byId.get('b')?.packets).toBe(10);
  });
});
