// Noise suppression on the microphone with RNNoise (compiled to WebAssembly, from npm,
// served by Parley), in an AudioWorklet: the raw track in, a cleaned track out to send in
// its place. The raw track stays the one muted and unmuted: silence in, silence out.
import workletUrl from './rnnoise.worklet.ts?worker&url';

export class NoiseSuppressor {
  private constructor(
    private context: AudioContext,
    private node: AudioWorkletNode,
    private source: MediaStreamAudioSourceNode,
    readonly track: MediaStreamTrack,
  ) {}

  static async create(raw: MediaStreamTrack): Promise<NoiseSuppressor> {
    // RNNoise's frames are 10 ms at 48 kHz.
    const context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    try {
      await context.audioWorklet.addModule(workletUrl);
      const node = new AudioWorkletNode(context, 'parley-rnnoise', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
      const source = context.createMediaStreamSource(new MediaStream([raw]));
      const destination = context.createMediaStreamDestination();
      source.connect(node).connect(destination);
      await context.resume();
      const track = destination.stream.getAudioTracks()[0];
      return new NoiseSuppressor(context, node, source, track);
    } catch (error) {
      void context.close();
      throw error;
    }
  }

  stop(): void {
    this.node.port.postMessage('stop');
    this.source.disconnect();
    this.node.disconnect();
    this.track.stop();
    void this.context.close();
  }
}
