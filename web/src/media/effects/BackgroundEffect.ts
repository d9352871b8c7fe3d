// Background blur and replacement: MediaPipe's selfie segmentation (its npm package, the
// model and WebAssembly served by Parley from /vendor/mediapipe, loaded only when someone
// turns an effect on) finds the person in each camera frame; a canvas draws them over a
// blurred copy of the frame or over a picture, and its track is sent in the camera's place.

export type BackgroundChoice = 'none' | 'blur' | 'blue' | 'office';
export const BACKGROUND_CHOICES: BackgroundChoice[] = ['none', 'blur', 'blue', 'office'];

interface SegmentationResults {
  image: CanvasImageSource;
  segmentationMask: CanvasImageSource;
}
interface Segmenter {
  setOptions(options: { modelSelection: number; selfieMode?: boolean }): void;
  onResults(callback: (results: SegmentationResults) => void): void;
  initialize(): Promise<void>;
  send(input: { image: HTMLVideoElement }): Promise<void>;
  close(): Promise<void>;
}
type SegmenterClass = new (config: { locateFile: (file: string) => string }) => Segmenter;

const VENDOR = '/vendor/mediapipe';
const MAX_WIDTH = 640;
let loading: Promise<SegmenterClass> | null = null;

// The package is a classic script that defines window.SelfieSegmentation.
function loadSegmenter(): Promise<SegmenterClass> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${VENDOR}/selfie_segmentation.js`;
    script.onload = () => {
      const found = (window as unknown as { SelfieSegmentation?: SegmenterClass }).SelfieSegmentation;
      if (found) resolve(found);
      else reject(new Error('selfie segmentation did not load'));
    };
    script.onerror = () => {
      loading = null;
      reject(new Error('selfie segmentation could not be fetched'));
    };
    document.head.append(script);
  });
  return loading;
}

// Our own pictures, drawn here (no image files, nothing from elsewhere).
function paintBackground(choice: BackgroundChoice, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  if (choice === 'blue') {
    const gradient = ctx.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, '#000091');
    gradient.addColorStop(1, '#6a6af4');
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, width, height);
  } else {
    // A calm office: a warm wall, a window of light, a shelf.
    ctx.fillStyle = '#e9e2d6';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#f8f4ec';
    ctx.fillRect(width * 0.62, height * 0.12, width * 0.28, height * 0.5);
    ctx.fillStyle = '#b9a58a';
    ctx.fillRect(width * 0.06, height * 0.35, width * 0.3, height * 0.03);
    ctx.fillStyle = '#8c6f4e';
    ctx.fillRect(0, height * 0.82, width, height * 0.18);
  }
  return canvas;
}

export class BackgroundEffect {
  readonly track: MediaStreamTrack;
  private video = document.createElement('video');
  private canvas = document.createElement('canvas');
  private ctx: CanvasRenderingContext2D;
  // The background for blur, a quarter of the size: blurring few pixels and scaling up looks
  // the same and costs a sixteenth.
  private small = document.createElement('canvas');
  private smallCtx: CanvasRenderingContext2D;
  private picture: HTMLCanvasElement | null = null;
  private stopped = false;
  private frames = 0;
  private since = performance.now();
  private busyMs = 0;  // segmentation and drawing, since the last framesPerSecond()

  private constructor(private segmenter: Segmenter, raw: MediaStreamTrack, private choice: BackgroundChoice) {
    const settings = raw.getSettings();
    // Drawn at most 640 wide: the cost of compositing goes with the pixels, and a camera in
    // a call is rarely seen larger (the layers above are not worth a processing machine).
    const scale = Math.min(1, MAX_WIDTH / (settings.width ?? MAX_WIDTH));
    this.canvas.width = Math.round((settings.width ?? 640) * scale);
    this.canvas.height = Math.round((settings.height ?? 360) * scale);
    this.small.width = Math.round(this.canvas.width / 4);
    this.small.height = Math.round(this.canvas.height / 4);
    this.smallCtx = this.small.getContext('2d') as CanvasRenderingContext2D;
    this.ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = new MediaStream([raw]);
    // A video outside the document gets few frames decoded: it stays in, unseen.
    this.video.className = 'effect-source';
    this.video.setAttribute('aria-hidden', 'true');
    document.body.append(this.video);
    this.track = this.canvas.captureStream(settings.frameRate ?? 30).getVideoTracks()[0];
    segmenter.onResults((results) => this.draw(results));
  }

  static async create(raw: MediaStreamTrack, choice: BackgroundChoice): Promise<BackgroundEffect> {
    const Segmentation = await loadSegmenter();
    const segmenter = new Segmentation({ locateFile: (file) => `${VENDOR}/${file}` });
    // The landscape model: 144x256 input, made for video calls.
    segmenter.setOptions({ modelSelection: 1 });
    await segmenter.initialize();
    const effect = new BackgroundEffect(segmenter, raw, choice);
    await effect.video.play();
    effect.loop();
    return effect;
  }

  setChoice(choice: BackgroundChoice): void {
    this.choice = choice;
    this.picture = null;
  }

  // Frames drawn per second since the last call, and the main thread's milliseconds per
  // frame (segmentation and drawing): what a machine pays for the effect.
  framesPerSecond(): number {
    return this.sample().fps;
  }

  sample(): { fps: number; msPerFrame: number } {
    const now = performance.now();
    const fps = (this.frames * 1000) / Math.max(1, now - this.since);
    const msPerFrame = this.frames ? this.busyMs / this.frames : 0;
    this.frames = 0;
    this.busyMs = 0;
    this.since = now;
    return { fps, msPerFrame };
  }

  stop(): void {
    this.stopped = true;
    this.track.stop();
    this.video.srcObject = null;
    this.video.remove();
    void this.segmenter.close();
  }

  // One frame at a time, 30 a second at most: the next is asked for when this one is
  // drawn, so a slow machine gets fewer frames rather than a growing queue. A timer, not
  // requestVideoFrameCallback: that waits for the compositor, which a software-rendered
  // page (no GPU) runs at a few frames a second.
  private loop(): void {
    const step = async (): Promise<void> => {
      if (this.stopped) return;
      const start = performance.now();
      if (this.video.readyState >= 2) {
        try {
          await this.segmenter.send({ image: this.video });
        } catch {
          // A frame the model could not take: the next one will do.
        }
        this.busyMs += performance.now() - start;
      }
      window.setTimeout(() => void step(), Math.max(0, 1000 / 30 - (performance.now() - start)));
    };
    void step();
  }

  private draw(results: SegmentationResults): void {
    if (this.stopped) return;
    const { width, height } = this.canvas;
    const ctx = this.ctx;
    ctx.save();
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(results.segmentationMask, 0, 0, width, height);
    // Keep the person where the mask is...
    ctx.globalCompositeOperation = 'source-in';
    ctx.drawImage(results.image, 0, 0, width, height);
    // ...and put the background behind them.
    ctx.globalCompositeOperation = 'destination-over';
    if (this.choice === 'blur') {
      this.smallCtx.filter = 'blur(3px)';
      this.smallCtx.drawImage(results.image, 0, 0, this.small.width, this.small.height);
      ctx.drawImage(this.small, 0, 0, width, height);
    } else {
      this.picture ??= paintBackground(this.choice, width, height);
      ctx.drawImage(this.picture, 0, 0, width, height);
    }
    ctx.restore();
    this.frames++;
  }
}
