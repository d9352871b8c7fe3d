import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';
import { DevicePicker } from '../media/DevicePicker';
import { currentDevices, openTrack, saveChoice, savedChoice, swapTrack, type DeviceKind } from '../media/Devices';
import { LevelMeter } from '../media/LevelMeter';
import { LocalEffects } from './LocalEffects';

export interface LocalDeviceHooks {
  // The new camera or microphone track, to send in place of the old one.
  replace(track: MediaStreamTrack): Promise<void>;
  setSpeaker(deviceId: string): void;
  // Oneself's tile shows this (the camera with its background effect), or the camera.
  preview(track: MediaStreamTrack | null): void;
  microphoneOn(): boolean;
  notify(text: string): void;
  changed(): void;
}

// Speech, not a click or a beep: half of the last second (ten samples) above about -33 dBFS.
const TALKING_LEVEL = 0.45;
const TALKING_WINDOW = 10;
const TALKING_SAMPLES = 5;
const MUTED_REMINDER_MS = 20000;

// The meeting's own camera and microphone: the settings dialog (switch devices, level, test
// sound), "you are muted" when someone talks into a muted microphone, and a device that
// stops (unplugged) replaced by the default one when there is one.
export class LocalDevices {
  readonly settingsButton = h('button', { type: 'button', class: 'small', 'data-testid': 'open-settings' });
  readonly dialog = h('dialog', { class: 'dialog settings', 'aria-labelledby': 'settings-title', 'data-testid': 'settings-dialog' });
  private picker: DevicePicker;
  private meter: LevelMeter;
  private recent: boolean[] = [];
  private remindedAt = 0;
  private title = h('h2', { id: 'settings-title' });
  private closeButton = h('button', { type: 'button', 'data-testid': 'close-settings' });
  private effects: LocalEffects;
  // What goes out for the camera and the microphone: the raw track or a processed one.
  private sending = new Map<string, MediaStreamTrack>();

  constructor(private stream: MediaStream, private hooks: LocalDeviceHooks) {
    this.picker = new DevicePicker('room', { choose: (kind, id) => this.choose(kind, id) }, () => currentDevices(this.stream));
    this.meter = new LevelMeter((level) => this.onLevel(level));
    this.settingsButton.addEventListener('click', () => {
      void this.picker.refresh();
      this.dialog.showModal();
    });
    this.closeButton.addEventListener('click', () => this.dialog.close());
    this.effects = new LocalEffects({ send: (track) => this.send(track), preview: (track) => hooks.preview(track),
      failed: (text) => hooks.notify(text) });
    this.dialog.append(this.title, this.picker.element, this.effects.element, h('div', { class: 'dialog-actions' }, this.closeButton));
    for (const track of stream.getTracks()) {
      this.watch(track);
      this.sending.set(track.kind, track);
      // The effects chosen last time, on again.
      void this.effects.use(track).then((out) => (out !== track ? this.send(out) : undefined));
    }
    this.meter.attach(stream.getAudioTracks()[0] ?? null);
    const speaker = savedChoice().audiooutput;
    if (speaker) hooks.setSpeaker(speaker);
    this.relabel();
  }

  relabel(): void {
    const m = t();
    this.settingsButton.replaceChildren(icon('settings'), m.settings);
    this.title.textContent = m.devicesTitle;
    this.closeButton.textContent = m.close;
    this.picker.relabel();
    this.effects.relabel();
  }

  // The track to send for `kind` when media starts (a processed one once it is ready).
  outgoing(kind: string): MediaStreamTrack | undefined {
    return this.sending.get(kind);
  }

  framesPerSecond(): number {
    return this.effects.framesPerSecond();
  }

  effectSample(): { fps: number; msPerFrame: number } {
    return this.effects.sample();
  }

  stop(): void {
    this.meter.stop();
    this.picker.close();
    this.effects.stop();
    if (this.dialog.open) this.dialog.close();
  }

  private async choose(kind: DeviceKind, deviceId: string): Promise<void> {
    if (kind === 'audiooutput') {
      this.hooks.setSpeaker(deviceId);
    } else {
      await this.use(await openTrack(kind === 'audioinput' ? 'audio' : 'video', deviceId));
    }
    saveChoice(kind, deviceId);
  }

  private async use(track: MediaStreamTrack): Promise<void> {
    swapTrack(this.stream, track);
    this.watch(track);
    if (track.kind === 'audio') this.meter.attach(track);
    await this.send(await this.effects.use(track));
    this.hooks.changed();
  }

  private async send(track: MediaStreamTrack): Promise<void> {
    this.sending.set(track.kind, track);
    await this.hooks.replace(track);
  }

  // An unplugged device ends its track: take the default one of that kind, or say so.
  private watch(track: MediaStreamTrack): void {
    track.addEventListener('ended', () => {
      if (!this.stream.getTracks().includes(track)) return;  // replaced on purpose
      const what = track.kind === 'audio' ? t().microphone.toLowerCase() : t().camera.toLowerCase();
      void openTrack(track.kind as 'audio' | 'video').then(
        (replacement) => this.use(replacement).then(() => this.hooks.notify(t().deviceBack(what))),
        () => {
          this.hooks.notify(t().deviceLost(what));
          this.hooks.changed();
        },
      );
    });
  }

  private onLevel(level: number): void {
    this.picker.setLevel(level);
    if (this.hooks.microphoneOn()) {
      this.recent = [];
      return;
    }
    this.recent = [...this.recent.slice(1 - TALKING_WINDOW), level > TALKING_LEVEL];
    const loud = this.recent.filter(Boolean).length;
    if (loud >= TALKING_SAMPLES && Date.now() - this.remindedAt > MUTED_REMINDER_MS) {
      this.remindedAt = Date.now();
      this.hooks.notify(t().youAreMuted);
    }
  }
}
