// The local camera and microphone. Failures are reported as reasons a person can act on.

export type DeviceProblem = 'denied' | 'missing' | null;

export interface LocalMedia {
  stream: MediaStream;
  problem: DeviceProblem;
}

function classify(error: unknown): DeviceProblem {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  return 'missing';
}

import { audioConstraints, savedChoice, videoConstraints } from './media/Devices';

// Asks for camera and microphone together, then for each alone, so that a missing camera
// does not cost the microphone.
export async function openLocalMedia(wantVideo: boolean, wantAudio: boolean): Promise<LocalMedia> {
  const stream = new MediaStream();
  if (!navigator.mediaDevices?.getUserMedia) return { stream, problem: 'missing' };
  if (!wantVideo && !wantAudio) return { stream, problem: null };
  // The devices chosen last time, when they are still there ("ideal": else the default).
  const chosen = savedChoice();
  const video: MediaTrackConstraints = { ...videoConstraints, ...(chosen.videoinput ? { deviceId: { ideal: chosen.videoinput } } : {}) };
  const audio: MediaTrackConstraints = { ...audioConstraints, ...(chosen.audioinput ? { deviceId: { ideal: chosen.audioinput } } : {}) };
  try {
    const both = await navigator.mediaDevices.getUserMedia({
      video: wantVideo ? video : false,
      audio: wantAudio ? audio : false,
    });
    return { stream: both, problem: null };
  } catch (error) {
    let problem: DeviceProblem = classify(error);
    if (problem === 'denied') return { stream, problem };
    for (const [kind, constraints] of [
      ['video', video],
      ['audio', audio],
    ] as const) {
      if ((kind === 'video' && !wantVideo) || (kind === 'audio' && !wantAudio)) continue;
      try {
        const one = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
        one.getTracks().forEach((track) => stream.addTrack(track));
      } catch (e) {
        problem = classify(e);
      }
    }
    return { stream, problem };
  }
}

export function hasTrack(stream: MediaStream, kind: 'audio' | 'video'): boolean {
  return stream.getTracks().some((track) => track.kind === kind && track.readyState === 'live');
}

export function setTrackEnabled(stream: MediaStream, kind: 'audio' | 'video', enabled: boolean): void {
  stream.getTracks().forEach((track) => {
    if (track.kind === kind) track.enabled = enabled;
  });
}

export function stopAll(stream: MediaStream): void {
  stream.getTracks().forEach((track) => track.stop());
}
