import { h } from '../dom';
import { t } from '../i18n';
import { BACKGROUND_CHOICES, BackgroundEffect, type BackgroundChoice } from '../media/effects/BackgroundEffect';
import { NoiseSuppressor } from '../media/effects/NoiseSuppression';

const KEY = 'parley.effects';
interface EffectChoice {
  background: BackgroundChoice;
  noiseSuppression: boolean;
}

function savedEffects(): EffectChoice {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<EffectChoice>;
    return { background: BACKGROUND_CHOICES.includes(value.background as BackgroundChoice) ? (value.background as BackgroundChoice) : 'none',
      noiseSuppression: value.noiseSuppression === true };
  } catch {
    return { background: 'none', noiseSuppression: false };
  }
}

export interface EffectHooks {
  // The track to send for the camera or the microphone now (processed or raw).
  send(track: MediaStreamTrack): Promise<void>;
  // What oneself's tile shows (the processed camera), or null for the camera itself.
  preview(track: MediaStreamTrack | null): void;
  failed(text: string): void;
}

// Background blur or a picture on the camera, noise suppression on the microphone: each
// turns the raw track into a processed one sent in its place; off, the raw one goes back.
// The choice is kept in the browser and applies to the next meeting too.
export class LocalEffects {
  readonly element: HTMLElement;
  private background = h('select', { id: 'effect-background', 'data-testid': 'effect-background' });
  private backgroundLabel = h('label', { for: 'effect-background' });
  private noise = h('input', { type: 'checkbox', id: 'effect-noise', 'data-testid': 'effect-noise' });
  private noiseLabel = h('label', { for: 'effect-noise', class: 'inline' });
  private choice = savedEffects();
  private effect: BackgroundEffect | null = null;
  private suppressor: NoiseSuppressor | null = null;
  private camera: MediaStreamTrack | null = null;
  private microphone: MediaStreamTrack | null = null;

  constructor(private hooks: EffectHooks) {
    this.background.addEventListener('change', () => void this.setBackground(this.background.value as BackgroundChoice));
    this.noise.addEventListener('change', () => void this.setNoiseSuppression(this.noise.checked));
    this.element = h('div', { class: 'device-picker effects' },
      h('div', { class: 'device-row' }, this.backgroundLabel, this.background),
      h('div', { class: 'device-row checkbox' }, this.noise, this.noiseLabel));
    this.relabel();
  }

  relabel(): void {
    const m = t();
    this.backgroundLabel.textContent = m.background;
    this.noiseLabel.textContent = m.noiseSuppression;
    this.background.replaceChildren(...BACKGROUND_CHOICES.map((choice) =>
      h('option', { value: choice, selected: choice === this.choice.background }, m.backgrounds[choice])));
    this.noise.checked = this.choice.noiseSuppression;
  }

  // A new raw camera or microphone (joining, another device, a replugged one): the effect
  // chosen is put on it, and what to send comes back.
  async use(raw: MediaStreamTrack): Promise<MediaStreamTrack> {
    if (raw.kind === 'video') {
      this.camera = raw;
      this.effect?.stop();
      this.effect = null;
      return this.choice.background === 'none' ? raw : this.startBackground(raw, this.choice.background);
    }
    this.microphone = raw;
    this.suppressor?.stop();
    this.suppressor = null;
    return this.choice.noiseSuppression ? this.startSuppression(raw) : raw;
  }

  // Processed frames a second of the camera (for the cost measurements), 0 without effect.
  framesPerSecond(): number {
    return this.effect?.framesPerSecond() ?? 0;
  }

  sample(): { fps: number; msPerFrame: number } {
    return this.effect?.sample() ?? { fps: 0, msPerFrame: 0 };
  }

  stop(): void {
    this.effect?.stop();
    this.suppressor?.stop();
    this.effect = null;
    this.suppressor = null;
  }

  private save(): void {
    localStorage.setItem(KEY, JSON.stringify(this.choice));
  }

  private async setBackground(choice: BackgroundChoice): Promise<void> {
    this.choice.background = choice;
    this.save();
    if (!this.camera) return;
    if (choice === 'none') {
      this.effect?.stop();
      this.effect = null;
      this.hooks.preview(null);
      await this.hooks.send(this.camera);
    } else if (this.effect) {
      this.effect.setChoice(choice);
    } else {
      await this.hooks.send(await this.startBackground(this.camera, choice));
    }
  }

  private async setNoiseSuppression(on: boolean): Promise<void> {
    this.choice.noiseSuppression = on;
    this.save();
    if (!this.microphone) return;
    this.suppressor?.stop();
    this.suppressor = null;
    await this.hooks.send(on ? await this.startSuppression(this.microphone) : this.microphone);
  }

  private async startBackground(raw: MediaStreamTrack, choice: BackgroundChoice): Promise<MediaStreamTrack> {
    try {
      this.effect = await BackgroundEffect.create(raw, choice);
      this.hooks.preview(this.effect.track);
      return this.effect.track;
    } catch {
      this.hooks.failed(t().effectFailed);
      return raw;
    }
  }

  private async startSuppression(raw: MediaStreamTrack): Promise<MediaStreamTrack> {
    try {
      this.suppressor = await NoiseSuppressor.create(raw);
      return this.suppressor.track;
    } catch {
      this.hooks.failed(t().effectFailed);
      return raw;
    }
  }
}
