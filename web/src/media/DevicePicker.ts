import { h } from '../dom';
import { t } from '../i18n';
import { canChooseSpeaker, listDevices, type DeviceKind } from './Devices';
import { playTestSound } from './LevelMeter';

export interface DevicePickerActions {
  choose(kind: DeviceKind, deviceId: string): Promise<void>;
}

// Camera, microphone and speaker lists with the microphone's level and a test sound: on
// the pre-join page and in the meeting's settings.
export class DevicePicker {
  readonly element: HTMLElement;
  private selects: Record<DeviceKind, HTMLSelectElement>;
  private labels: Record<DeviceKind, HTMLLabelElement>;
  private meter = h('meter', { min: 0, max: 1, low: 0.25, high: 0.85, optimum: 0.5, value: 0, 'data-testid': 'mic-level' });
  private meterLabel: HTMLLabelElement;
  private testButton = h('button', { type: 'button', class: 'small', 'data-testid': 'test-speaker' });
  private problem = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'device-error' });
  private onDeviceChange = (): void => void this.refresh();

  constructor(prefix: string, private actions: DevicePickerActions, private current: () => Partial<Record<DeviceKind, string>>) {
    const kinds: DeviceKind[] = ['videoinput', 'audioinput', 'audiooutput'];
    this.selects = {} as Record<DeviceKind, HTMLSelectElement>;
    this.labels = {} as Record<DeviceKind, HTMLLabelElement>;
    for (const kind of kinds) {
      const select = h('select', { id: `${prefix}-${kind}`, 'data-testid': `device-${kind}` });
      select.addEventListener('change', () => void this.pick(kind, select.value));
      this.selects[kind] = select;
      this.labels[kind] = h('label', { for: select.id });
    }
    this.meter.id = `${prefix}-level`;
    this.meterLabel = h('label', { for: this.meter.id });
    this.testButton.addEventListener('click', () => {
      void playTestSound(this.selects.audiooutput.value || undefined).catch(() => (this.problem.textContent = t().speakerTestFailed));
    });
    const row = (kind: DeviceKind, ...extra: HTMLElement[]) => h('div', { class: 'device-row' }, this.labels[kind], this.selects[kind], ...extra);
    this.element = h('div', { class: 'device-picker', 'data-testid': 'device-picker' },
      row('videoinput'),
      row('audioinput'),
      h('div', { class: 'device-row level' }, this.meterLabel, this.meter),
      canChooseSpeaker() ? row('audiooutput', this.testButton) : h('div', { class: 'device-row' }, this.testButton),
      this.problem);
    navigator.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange);
    this.relabel();
  }

  setLevel(level: number): void {
    this.meter.value = level;
  }

  relabel(): void {
    const m = t();
    this.labels.videoinput.textContent = m.camera;
    this.labels.audioinput.textContent = m.microphone;
    this.labels.audiooutput.textContent = m.speaker;
    this.meterLabel.textContent = m.microphoneLevel;
    this.testButton.textContent = m.testSpeaker;
  }

  // Fills the lists (again after a device is plugged in or out), the current one selected.
  async refresh(): Promise<void> {
    const lists = await listDevices().catch(() => null);
    if (!lists) return;
    const current = this.current();
    const m = t();
    for (const kind of Object.keys(this.selects) as DeviceKind[]) {
      const select = this.selects[kind];
      const devices = lists[kind];
      select.replaceChildren(...devices.map((device, i) =>
        h('option', { value: device.deviceId }, device.label || `${m.deviceNames[kind]} ${i + 1}`)));
      if (devices.length === 0) select.append(h('option', { value: '' }, m.noDevice));
      const chosen = current[kind];
      if (chosen && devices.some((d) => d.deviceId === chosen)) select.value = chosen;
      select.disabled = devices.length === 0;
    }
  }

  close(): void {
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange);
  }

  private async pick(kind: DeviceKind, deviceId: string): Promise<void> {
    this.problem.textContent = '';
    try {
      await this.actions.choose(kind, deviceId);
    } catch {
      this.problem.textContent = t().deviceFailed;
      await this.refresh();
    }
  }
}
