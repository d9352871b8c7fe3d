// RNNoise in the audio thread: 128-sample blocks in, 480-sample frames (10 ms at 48 kHz)
// through the recurrent network, 128-sample blocks out, 10 ms later. No allocation after
// construction: the rings and the WebAssembly buffers are made once.
import createRNNWasmModuleSync from '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js';

declare const sampleRate: number;
declare function registerProcessor(name: string, processor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

interface RnnoiseModule {
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _rnnoise_create(model: number): number;
  _rnnoise_destroy(state: number): void;
  _rnnoise_process_frame(state: number, out: number, input: number): number;
}

const FRAME = 480;
const RING = FRAME * 4;
// RNNoise works on 16-bit sample values.
const SCALE = 32768;

class RnnoiseProcessor extends AudioWorkletProcessor {
  private module = (createRNNWasmModuleSync as unknown as () => RnnoiseModule)();
  private state = this.module._rnnoise_create(0);
  private frameIn = this.module._malloc(FRAME * 4);
  private frameOut = this.module._malloc(FRAME * 4);
  // Samples waiting for a whole frame: `inCount` of them from `inStart`.
  private input = new Float32Array(RING);
  private inStart = 0;
  private inCount = 0;
  // Denoised samples waiting to go out: `outCount` of them from `outRead`.
  private output = new Float32Array(RING);
  private outRead = 0;
  private outCount = FRAME;  // one frame of silence first: the output never runs dry
  private stopped = false;

  constructor() {
    super();
    if (sampleRate !== 48000) this.port.postMessage({ error: `RNNoise needs 48 kHz, the context runs at ${sampleRate}` });
    this.port.onmessage = (event) => {
      if (event.data === 'stop') this.stop();
    };
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.stopped) return false;
    const input = inputs[0]?.[0];
    const output = outputs[0]?.[0];
    if (!output) return true;
    if (input) {
      for (let i = 0; i < input.length && this.inCount < RING; i++) {
        this.input[(this.inStart + this.inCount) % RING] = input[i];
        this.inCount++;
      }
      while (this.inCount >= FRAME) this.denoiseFrame();
    }
    for (let i = 0; i < output.length; i++) {
      if (this.outCount === 0) {
        output[i] = 0;
        continue;
      }
      output[i] = this.output[this.outRead];
      this.outRead = (this.outRead + 1) % RING;
      this.outCount--;
    }
    for (let channel = 1; channel < outputs[0].length; channel++) outputs[0][channel].set(output);
    return true;
  }

  private denoiseFrame(): void {
    const heap = this.module.HEAPF32;
    const inAt = this.frameIn >> 2;
    for (let i = 0; i < FRAME; i++) heap[inAt + i] = this.input[(this.inStart + i) % RING] * SCALE;
    this.inStart = (this.inStart + FRAME) % RING;
    this.inCount -= FRAME;
    this.module._rnnoise_process_frame(this.state, this.frameOut, this.frameIn);
    // A full output ring (the output stalled) drops the new frame rather than growing.
    if (this.outCount + FRAME > RING) return;
    const outAt = this.frameOut >> 2;
    const writeAt = (this.outRead + this.outCount) % RING;
    for (let i = 0; i < FRAME; i++) this.output[(writeAt + i) % RING] = heap[outAt + i] / SCALE;
    this.outCount += FRAME;
  }

  private stop(): void {
    this.stopped = true;
    this.module._rnnoise_destroy(this.state);
  }
}

registerProcessor('parley-rnnoise', RnnoiseProcessor);
