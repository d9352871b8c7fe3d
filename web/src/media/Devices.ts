// Which camera, microphone and speaker: the lists the browser gives, the person's choice
// (kept in this browser), and switching one device without touching the others.

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';
export type DeviceChoice = Partial<Record<DeviceKind, string>>;

const KEY = 'parley.devices';

export function savedChoice(): DeviceChoice {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

export function saveChoice(kind: DeviceKind, deviceId: string): void {
  localStorage.setItem(KEY, JSON.stringify({ ...savedChoice(), [kind]: deviceId }));
}

// The devices of each kind; labels are empty until a permission was granted.
export async function listDevices(): Promise<Record<DeviceKind, MediaDeviceInfo[]>> {
  const lists: Record<DeviceKind, MediaDeviceInfo[]> = { audioinput: [], videoinput: [], audiooutput: [] };
  const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  for (const device of devices) {
    if (device.deviceId && device.kind in lists) lists[device.kind as DeviceKind].push(device);
  }
  return lists;
}

export const videoConstraints: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
export const audioConstraints: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

// A new track of `kind` from `deviceId` (exact: the person chose it), or the default device.
export async function openTrack(kind: 'audio' | 'video', deviceId?: string): Promise<MediaStreamTrack> {
  const base = kind === 'audio' ? audioConstraints : videoConstraints;
  const constraints = deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
  const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
  return stream.getTracks()[0];
}

// The devices in use (the stream's tracks) and the speaker chosen.
export function currentDevices(stream: MediaStream): DeviceChoice {
  const choice: DeviceChoice = { audiooutput: savedChoice().audiooutput };
  for (const track of stream.getTracks()) {
    const id = track.getSettings().deviceId;
    if (id) choice[track.kind === 'audio' ? 'audioinput' : 'videoinput'] = id;
  }
  return choice;
}

// Puts `track` in `stream` in place of the one of its kind (stopped), keeping on or off.
export function swapTrack(stream: MediaStream, track: MediaStreamTrack): void {
  const old = stream.getTracks().find((t) => t.kind === track.kind);
  if (old) {
    track.enabled = old.enabled;
    stream.removeTrack(old);
    old.stop();
  }
  stream.addTrack(track);
}

// Plays remote sound on the chosen speaker where the browser can choose (setSinkId).
export function canChooseSpeaker(): boolean {
  return typeof (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId === 'function';
}

export async function useSpeaker(element: HTMLMediaElement, deviceId: string): Promise<void> {
  const sink = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
  if (sink.setSinkId) await sink.setSinkId(deviceId);
}
