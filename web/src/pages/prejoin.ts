import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';
import { languageSwitch } from '../languageSwitch';
import { hasTrack, openLocalMedia, setTrackEnabled, type LocalMedia } from '../media';
import type { RoomInfo } from '../api';
import { meetingReadyCard, whoIsHere } from './MeetingReady';
import { DevicePicker } from '../media/DevicePicker';
import { currentDevices, openTrack, saveChoice, swapTrack } from '../media/Devices';
import { LevelMeter } from '../media/LevelMeter';

export interface JoinChoice {
  name: string;
  media: LocalMedia;
  audioOn: boolean;
  videoOn: boolean;
}

const NAME_KEY = 'parley.displayName';

export interface PrejoinRoom {
  title: string;
  info: RoomInfo;
  justCreated: boolean;  // "your meeting is ready", with the link
}

// Camera and microphone preview and the name field; resolves when the person joins. A
// signed-in user's name is their account's: shown, not editable. The meeting's code and who
// is already in are shown, as the link alone says neither.
export function renderPrejoin(root: HTMLElement, room: PrejoinRoom, accountName?: string): Promise<JoinChoice> {
  const m = t();
  return new Promise((resolve) => {
    let media: LocalMedia = { stream: new MediaStream(), problem: null };
    let audioOn = true;
    let videoOn = true;

    const preview = h('video', {
      autoplay: true,
      playsinline: true,
      muted: true,
      'aria-label': m.cameraPreview,
      'data-testid': 'prejoin-preview',
    });
    preview.muted = true;
    const deviceMessage = h('p', { class: 'device-message', role: 'status', 'data-testid': 'device-message' });
    const micButton = h('button', { type: 'button', class: 'round', 'data-testid': 'prejoin-toggle-mic' });
    const camButton = h('button', { type: 'button', class: 'round', 'data-testid': 'prejoin-toggle-camera' });

    const refreshButtons = () => {
      const haveAudio = hasTrack(media.stream, 'audio');
      const haveVideo = hasTrack(media.stream, 'video');
      micButton.replaceChildren(icon(audioOn && haveAudio ? 'mic' : 'micOff'));
      micButton.setAttribute('aria-label', audioOn ? m.micOff : m.micOn);
      micButton.setAttribute('aria-pressed', String(!audioOn));
      micButton.disabled = !haveAudio;
      camButton.replaceChildren(icon(videoOn && haveVideo ? 'camera' : 'cameraOff'));
      camButton.setAttribute('aria-label', videoOn ? m.cameraOff : m.cameraOn);
      camButton.setAttribute('aria-pressed', String(!videoOn));
      camButton.disabled = !haveVideo;
      preview.classList.toggle('hidden', !(videoOn && haveVideo));
      if (media.problem === 'denied') deviceMessage.textContent = m.devicesDenied;
      else if (media.problem === 'missing') {
        deviceMessage.textContent = !haveAudio && !haveVideo ? m.devicesMissing : !haveVideo ? m.cameraUnavailable : m.microphoneUnavailable;
      } else deviceMessage.textContent = '';
    };
    micButton.addEventListener('click', () => {
      audioOn = !audioOn;
      setTrackEnabled(media.stream, 'audio', audioOn);
      refreshButtons();
    });
    camButton.addEventListener('click', () => {
      videoOn = !videoOn;
      setTrackEnabled(media.stream, 'video', videoOn);
      refreshButtons();
    });

    const nameInput = h('input', {
      id: 'display-name',
      type: 'text',
      maxlength: 64,
      required: true,
      autocomplete: 'name',
      'data-testid': 'prejoin-name',
    });
    nameInput.value = accountName ?? localStorage.getItem(NAME_KEY) ?? '';
    if (accountName) {
      nameInput.readOnly = true;
      nameInput.setAttribute('aria-describedby', 'name-from-account');
    }
    const nameNote = accountName ? h('p', { id: 'name-from-account', class: 'hint', 'data-testid': 'name-from-account' }, m.nameFromAccount) : null;
    const nameError = h('p', { class: 'form-error', role: 'alert' });
    const joinButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'prejoin-join' }, m.joinNow);
    const form = h(
      'form',
      { class: 'prejoin-form' },
      h('h1', {}, m.readyToJoin),
      h('p', { class: 'room-title' }, room.title),
      h('p', { class: 'prejoin-code', 'data-testid': 'prejoin-code' }, m.meetingCodeIs(room.info.id)),
      h('p', { class: 'prejoin-who', 'data-testid': 'prejoin-who' }, whoIsHere(room.info)),
      room.info.recording
        ? h('p', { class: 'recording-notice', role: 'note', 'data-testid': 'prejoin-recording' }, m.recordingJoinNotice)
        : null,
      h('label', { for: 'display-name' }, m.yourName),
      nameInput,
      ...(nameNote ? [nameNote] : []),
      nameError,
      joinButton,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = nameInput.value.trim();
      if (name.length < 1 || Array.from(name).length > 64) {
        nameError.textContent = m.nameRequired;
        nameInput.setAttribute('aria-invalid', 'true');
        nameInput.focus();
        return;
      }
      if (!accountName) localStorage.setItem(NAME_KEY, name);
      joinButton.disabled = true;
      // Devices may still be opening: join with them, not without.
      void opening.then(() => {
        meter.stop();
        picker.close();
        resolve({ name, media, audioOn, videoOn });
      });
    });

    // Choosing a device opens it at once: the preview and the level show the new one.
    const meter = new LevelMeter((level) => picker.setLevel(level));
    const picker = new DevicePicker('prejoin', {
      async choose(kind, deviceId) {
        if (kind !== 'audiooutput') {
          const track = await openTrack(kind === 'audioinput' ? 'audio' : 'video', deviceId);
          swapTrack(media.stream, track);
          if (track.kind === 'audio') meter.attach(track);
          refreshButtons();
        }
        saveChoice(kind, deviceId);
      },
    }, () => currentDevices(media.stream));

    root.replaceChildren(
      h(
        'main',
        { class: 'prejoin' },
        h('div', { class: 'notice-top' }, languageSwitch()),
        room.justCreated ? meetingReadyCard(room.info.id) : null,
        h(
          'div',
          { class: 'prejoin-layout' },
          h('div', { class: 'prejoin-media' },
            h('section', { class: 'preview' }, preview, h('div', { class: 'preview-controls' }, micButton, camButton), deviceMessage),
            picker.element),
          form,
        ),
      ),
    );
    refreshButtons();
    nameInput.focus();

    const opening = openLocalMedia(true, true).then((opened) => {
      media = opened;
      setTrackEnabled(media.stream, 'audio', audioOn);
      setTrackEnabled(media.stream, 'video', videoOn);
      preview.srcObject = media.stream;
      refreshButtons();
      meter.attach(media.stream.getAudioTracks()[0] ?? null);
      // Labels come with the permission: list the devices now.
      void picker.refresh();
    });
  });
}
