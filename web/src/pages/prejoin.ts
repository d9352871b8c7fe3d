import { h } from '../dom';
import { t } from '../i18n';
import { icon } from '../icons';
import { languageSwitch } from '../languageSwitch';
import { hasTrack, openLocalMedia, setTrackEnabled, type LocalMedia } from '../media';

export interface JoinChoice {
  name: string;
  media: LocalMedia;
  audioOn: boolean;
  videoOn: boolean;
}

const NAME_KEY = 'parley.displayName';

// Camera and microphone preview and the name field; resolves when the person joins. A
// signed-in user's name is their account's: shown, not editable.
export function renderPrejoin(root: HTMLElement, roomTitle: string, accountName?: string): Promise<JoinChoice> {
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
      h('p', { class: 'room-title' }, roomTitle),
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
      void opening.then(() => resolve({ name, media, audioOn, videoOn }));
    });

    root.replaceChildren(
      h(
        'main',
        { class: 'prejoin' },
        h('div', { class: 'notice-top' }, languageSwitch()),
        h(
          'div',
          { class: 'prejoin-layout' },
          h('section', { class: 'preview' }, preview, h('div', { class: 'preview-controls' }, micButton, camButton), deviceMessage),
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
    });
  });
}
