// WebRTC with the server's SFU: one peer connection to publish (we offer, the server
// answers) and one to receive (the server offers whenever tracks come and go, we answer).
import type { ClientMessage, ServerMessage, TrackInfo } from '../signaling';

export type Source = 'camera' | 'microphone' | 'screen' | 'screen-audio';

export interface RemoteTrackEvents {
  onTrack(mid: string, participantId: string, source: Source, track: MediaStreamTrack): void;
  onTrackEnded(mid: string): void;
  // A peer connection failed (ICE found no path any more).
  onFailed(): void;
}

// Quarter, half and full resolution; the browser drops the upper ones when its uplink or
// the camera's resolution is short. Each in three temporal layers (L1T3: a third, two
// thirds and all of the frames), so the server can halve a subscriber's frame rate before
// it lowers its resolution. A browser that does not know scalabilityMode ignores it.
// (TypeScript's DOM types do not have scalabilityMode yet: WebRTC-SVC.)
type LayerParameters = RTCRtpEncodingParameters & { scalabilityMode?: string };
const cameraLayers: LayerParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000, scalabilityMode: 'L1T3' },
];

export interface InboundStats {
  id: string; kind: string; mid: string; packetsReceived: number; framesDecoded: number; bytesReceived: number;
  totalAudioEnergy: number; frameWidth: number; frameHeight: number; packetsLost: number;
  participant: string; source: string;  // whose track, and what it shows
}

export interface OutboundStats {
  kind: string; packetsSent: number;
  rid: string; frameWidth: number; frameHeight: number; framesEncoded: number;  // per simulcast layer
  scalabilityMode: string;  // L1T3 when the browser makes temporal layers
  // What the server reports receiving (its receiver reports): loss over its last report and
  // the round trip; -1 before the first report.
  remoteFractionLost: number; roundTripTime: number;
}

export class MediaSession {
  private publisher: RTCPeerConnection;
  private subscriber: RTCPeerConnection;
  private sources = new Map<RTCRtpTransceiver, Source>();
  private pendingAnswer: ((sdp: string) => void) | null = null;
  private publishing: Promise<void> = Promise.resolve();
  private publishAgain = false;
  private remoteTracks = new Map<string, TrackInfo>();
  private subscribing: Promise<void> = Promise.resolve();

  // `iceServers`: the TURN relays the server handed us (with our own short-lived credential),
  // for networks that block the direct path.
  constructor(private send: (message: ClientMessage) => void, private events: RemoteTrackEvents,
    iceServers: RTCIceServer[] = []) {
    const config: RTCConfiguration = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers };
    this.publisher = new RTCPeerConnection(config);
    this.subscriber = new RTCPeerConnection(config);
    for (const pc of [this.publisher, this.subscriber]) {
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState === 'failed') this.events.onFailed();
      });
    }
    this.subscriber.addEventListener('track', (event) => {
      const mid = event.transceiver.mid ?? '';
      const info = this.remoteTracks.get(mid);
      if (info) this.events.onTrack(mid, info.participant, info.source as Source, event.track);
    });
  }

  // Adds a local track to send; takes effect with the next publish(). The camera goes out in
  // three layers (simulcast, lowest first), so the server can send each person the one that
  // fits their screen and their network; a screen goes out in one, at full quality.
  addTrack(track: MediaStreamTrack, source: Source): RTCRtpTransceiver {
    const init: RTCRtpTransceiverInit = { direction: 'sendonly' };
    if (source === 'camera' && track.kind === 'video') init.sendEncodings = cameraLayers;
    const transceiver = this.publisher.addTransceiver(track, init);
    this.sources.set(transceiver, source);
    return transceiver;
  }

  // Another device of the same kind for `source`, in place: no new offer, the others see
  // no gap beyond a key frame. False when nothing of that source is being sent.
  async replaceTrack(source: Source, track: MediaStreamTrack): Promise<boolean> {
    for (const [transceiver, kept] of this.sources) {
      if (kept === source && transceiver.sender.track?.kind === track.kind) {
        await transceiver.sender.replaceTrack(track);
        return true;
      }
    }
    return false;
  }

  // What goes out now for the camera or the microphone (tests and diagnostics).
  sentTrack(kind: 'audio' | 'video'): MediaStreamTrack | null {
    const source: Source = kind === 'audio' ? 'microphone' : 'camera';
    for (const [transceiver, kept] of this.sources) {
      if (kept === source && transceiver.sender.track?.kind === kind) return transceiver.sender.track;
    }
    return null;
  }

  removeTrack(transceiver: RTCRtpTransceiver): void {
    this.sources.delete(transceiver);
    transceiver.stop();
  }

  // Sends an offer for what we publish now. Calls made while one is in flight coalesce.
  publish(): Promise<void> {
    if (this.publishAgain) return this.publishing;
    this.publishAgain = true;
    this.publishing = this.publishing.then(async () => {
      this.publishAgain = false;
      if (this.publisher.getTransceivers().length === 0) return;  // nothing to send yet
      const offer = await this.publisher.createOffer();
      await this.publisher.setLocalDescription(offer);
      const sources: Record<string, Source> = {};
      for (const [transceiver, source] of this.sources) {
        if (transceiver.mid !== null) sources[transceiver.mid] = source;
      }
      const answer = new Promise<string>((resolve) => (this.pendingAnswer = resolve));
      this.send({ type: 'publish', sdp: offer.sdp ?? '', sources });
      await this.publisher.setRemoteDescription({ type: 'answer', sdp: await answer });
    }).catch((error) => console.warn('publish failed', error));
    return this.publishing;
  }

  // Server frames about media; returns true if it was one.
  handle(message: ServerMessage): boolean {
    if (message.type === 'publish-answer') {
      this.pendingAnswer?.(message.sdp);
      this.pendingAnswer = null;
      return true;
    }
    if (message.type === 'video-layers') {
      // Layers nobody receives are stopped (the encoder's CPU and the uplink are spared),
      // and started again when someone needs them.
      this.publishing = this.publishing.then(() => this.setLayers(message.mid, message.layers)).catch((error) =>
        console.warn('could not change the layers sent', error),
      );
      return true;
    }
    if (message.type === 'subscribe-offer') {
      this.subscribing = this.subscribing.then(() => this.answerOffer(message.sdp, message.tracks)).catch((error) =>
        console.warn('subscribe failed', error),
      );
      return true;
    }
    return false;
  }

  private async setLayers(mid: string, layers: { rid: string; active: boolean }[]): Promise<void> {
    const transceiver = this.publisher.getTransceivers().find((t) => t.mid === mid);
    if (!transceiver) return;
    const parameters = transceiver.sender.getParameters();
    let changed = false;
    for (const encoding of parameters.encodings ?? []) {
      const wanted = layers.find((l) => l.rid === encoding.rid);
      if (wanted && encoding.active !== wanted.active) {
        encoding.active = wanted.active;
        changed = true;
      }
    }
    if (changed) await transceiver.sender.setParameters(parameters);
  }

  private async answerOffer(sdp: string, tracks: TrackInfo[]): Promise<void> {
    const before = new Set(this.remoteTracks.keys());
    this.remoteTracks = new Map(tracks.map((t) => [t.mid, t]));
    await this.subscriber.setRemoteDescription({ type: 'offer', sdp });
    const answer = await this.subscriber.createAnswer();
    await this.subscriber.setLocalDescription(answer);
    this.send({ type: 'subscribe-answer', sdp: answer.sdp ?? '' });
    for (const mid of before) {
      if (!this.remoteTracks.has(mid)) this.events.onTrackEnded(mid);
    }
  }

  close(): void {
    this.publisher.close();
    this.subscriber.close();
  }

  // For diagnostics and tests: what arrives, and over which path.
  async stats(): Promise<{
    inbound: InboundStats[];
    outbound: OutboundStats[];
    remotePorts: number[];
    remoteAddresses: string[];
    // Each peer connection's selected path: candidate types (host, relay...), transport.
    selectedPairs: { localType: string; remoteType: string; protocol: string; relayProtocol: string;
      remoteAddress: string }[];
    // The server's candidates, as its SDP offered them (a=candidate values).
    offeredCandidates: string[];
  }> {
    const inbound: InboundStats[] = [];
    const outbound: OutboundStats[] = [];
    const remotePorts: number[] = [];
    const remoteAddresses: string[] = [];
    const selectedPairs: { localType: string; remoteType: string; protocol: string; relayProtocol: string;
      remoteAddress: string }[] = [];
    const offeredCandidates: string[] = [];
    for (const pc of [this.publisher, this.subscriber]) {
      for (const line of (pc.remoteDescription?.sdp ?? '').split(/\r?\n/)) {
        if (line.startsWith('a=candidate:') && !offeredCandidates.includes(line.slice(12))) offeredCandidates.push(line.slice(12));
      }
      const report = await pc.getStats();
      const byId = new Map<string, any>();
      report.forEach((s: any) => byId.set(s.id, s));
      report.forEach((s: any) => {
        if (s.type === 'inbound-rtp') {
          const track = pc === this.subscriber ? this.remoteTracks.get(s.mid ?? '') : undefined;
          inbound.push({ id: s.id, kind: s.kind, mid: s.mid ?? '', packetsReceived: s.packetsReceived ?? 0,
            framesDecoded: s.framesDecoded ?? 0, bytesReceived: s.bytesReceived ?? 0, totalAudioEnergy: s.totalAudioEnergy ?? 0,
            frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0, participant: track?.participant ?? '',
            source: track?.source ?? '', packetsLost: s.packetsLost ?? 0 });
        } else if (s.type === 'outbound-rtp') {
          const remote = s.remoteId ? byId.get(s.remoteId) : undefined;
          outbound.push({ kind: s.kind, packetsSent: s.packetsSent ?? 0, rid: s.rid ?? '', frameWidth: s.frameWidth ?? 0,
            frameHeight: s.frameHeight ?? 0, framesEncoded: s.framesEncoded ?? 0, scalabilityMode: s.scalabilityMode ?? '',
            remoteFractionLost: remote?.fractionLost ?? -1, roundTripTime: remote?.roundTripTime ?? -1 });
        } else if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = byId.get(s.selectedCandidatePairId);
          const remote = pair && byId.get(pair.remoteCandidateId);
          const local = pair && byId.get(pair.localCandidateId);
          if (remote) {
            remotePorts.push(remote.port);
            remoteAddresses.push(remote.address ?? remote.ip ?? '');
          }
          if (remote && local) {
            selectedPairs.push({ localType: local.candidateType ?? '', remoteType: remote.candidateType ?? '',
              protocol: local.protocol ?? '', relayProtocol: local.relayProtocol ?? '',
              remoteAddress: remote.address ?? remote.ip ?? '' });
          }
        }
      });
    }
    return { inbound, outbound, remotePorts, remoteAddresses, selectedPairs, offeredCandidates };
  }
}
