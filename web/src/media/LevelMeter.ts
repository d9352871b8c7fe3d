// How loud the microphone is, ten times a second, from an AnalyserNode on a copy of the
// track: the copy stays enabled when the person mutes, so "you are muted" can be said when
// they talk anyway. The audio context starts on the first gesture (autoplay rules).

export class LevelMeter {
  private context: AudioContext | null = null;
  private source: MediaStreamAudioSourceNode | null = null;
  private copy: MediaStreamTrack | null = null;
  private timer = 0;
  private samples = new Float32Array(1024);
  private resume = (): void => void this.context?.resume();

  constructor(private onLevel: (level: number) => void) {
    document.addEventListener('pointerdown', this.resume);
    document.addEventListener('keydown', this.resume);
  }

  attach(track: MediaStreamTrack | null): void {
    this.detach();
    if (!track || typeof AudioContext === 'undefined') return;
    this.context ??= new AudioContext();
    void this.context.resume();
    this.copy = track.clone();
    this.copy.enabled = true;
    this.source = this.context.createMediaStreamSource(new MediaStream([this.copy]));
    const analyser = this.context.createAnalyser();
    analyser.fftSize = this.samples.length;
    this.source.connect(analyser);
    this.timer = window.setInterval(() => {
      analyser.getFloatTimeDomainData(this.samples);
      let sum = 0;
      for (const x of this.samples) sum += x * x;
      // RMS on a log scale: 0 at -60 dBFS and below, 1 at 0 dBFS; speech sits around 0.4-0.7.
      const rms = Math.sqrt(sum / this.samples.length);
      this.onLevel(Math.max(0, Math.min(1, 1 + Math.log10(rms + 1e-9) / 3)));
    }, 100);
  }

  stop(): void {
    this.detach();
    document.removeEventListener('pointerdown', this.resume);
    document.removeEventListener('keydown', this.resume);
    void this.context?.close();
    this.context = null;
  }

  private detach(): void {
    window.clearInterval(this.timer);
    this.source?.disconnect();
    this.source = null;
    this.copy?.stop();
    this.copy = null;
  }
}

// A short test sound on the chosen speaker: an <audio> element fed by an oscillator, as
// only media elements can be sent to a chosen output.
export async function playTestSound(speakerId: string | undefined): Promise<void> {
  const context = new AudioContext();
  const destination = context.createMediaStreamDestination();
  const gain = context.createGain();
  gain.gain.value = 0.2;
  gain.connect(destination);
  [523, 659, 784].forEach((frequency, i) => {
    const tone = context.createOscillator();
    tone.frequency.value = frequency;
    tone.connect(gain);
    tone.start(context.currentTime + i * 0.25);
    tone.stop(context.currentTime + i * 0.25 + 0.2);
  });
  const audio = new Audio();
  audio.srcObject = destination.stream;
  const sink = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  if (speakerId && sink.setSinkId) await sink.setSinkId(speakerId);
  await audio.play();
  window.setTimeout(() => {
    audio.srcObject = null;
    void context.close();
  }, 1000);
}
