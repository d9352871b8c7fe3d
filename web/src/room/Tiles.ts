import { h, initials } from '../dom';
import { guestBadge } from './ParticipantsPanel';
import { t } from '../i18n';
import { icon, reactionEmoji } from '../icons';
import type { Participant } from '../signaling';
import type { VideoViewReporter } from '../media/VideoView';
import type { Quality } from './ConnectionQuality';
import { StageLayout } from './StageLayout';
import { useSpeaker } from '../media/Devices';

// The participant tiles and the screens shared, laid out by StageLayout (a paged grid, or
// one tile large: pinned, a screen, or the speaker). Tiles are kept per participant and
// updated in place, so a video element is never torn down by an unrelated change.
interface Tile {
  root: HTMLElement;
  name: HTMLElement;
  badges: HTMLElement;
  quality: HTMLElement;
  pin: HTMLButtonElement;
  video?: HTMLVideoElement;
  videoMuted: boolean;
}

interface RemoteMedia {
  participantId: string;
  source: string;
  element: HTMLMediaElement;
  screenTile?: HTMLElement;
}

export class Tiles {
  readonly element = h('section', { class: 'tiles', 'data-testid': 'tiles', 'aria-label': t().participants });
  // Remote sound plays from here; nothing to see.
  readonly audio = h('div', { class: 'visually-hidden', 'data-testid': 'remote-audio' });
  // The speaker chosen in the settings, for every remote sound now and to come.
  private speakerId = '';
  private tiles = new Map<string, Tile>();
  private remote = new Map<string, RemoteMedia>();  // by mid
  private names = new Map<string, string>();
  private speaker = '';
  private order: string[] = [];  // participants, in the roster's order
  readonly layout = new StageLayout(this.element, () => this.relayout());

  // Told of every received video, to report what is on screen (null between calls).
  videoView: VideoViewReporter | null = null;

  constructor(private selfId: () => string) {}

  // A track from the server: camera video goes in the person's tile, a screen gets a large
  // tile of its own, audio plays unseen.
  addRemoteTrack(mid: string, participantId: string, source: string, track: MediaStreamTrack): void {
    this.removeRemoteTrack(mid);
    const stream = new MediaStream([track]);
    if (track.kind === 'audio') {
      const audio = h('audio', { autoplay: true, 'data-participant-id': participantId, 'data-source': source });
      audio.srcObject = stream;
      if (this.speakerId) void useSpeaker(audio, this.speakerId).catch(() => {});
      this.audio.append(audio);
      this.remote.set(mid, { participantId, source, element: audio });
      return;
    }
    const video = h('video', { autoplay: true, playsinline: true, muted: true, 'data-testid': 'remote-video', 'data-participant-id': participantId, 'data-source': source });
    video.muted = true;
    video.srcObject = stream;
    this.videoView?.watch(mid, video);
    if (source === 'screen') {
      const key = `screen:${mid}`;
      const label = h('div', { class: 'tile-label' }, h('span', { class: 'tile-name' }, this.screenLabel(participantId)));
      const screenTile = h('div', { class: 'tile tile-screen', 'data-testid': 'screen-tile', 'data-participant-id': participantId,
        'data-tile-key': key }, video, label, this.pinButton(key, () => this.screenLabel(participantId)));
      this.element.prepend(screenTile);
      this.remote.set(mid, { participantId, source, element: video, screenTile });
      this.relayout();
      return;
    }
    const tile = this.tiles.get(participantId);
    this.remote.set(mid, { participantId, source, element: video });
    if (tile) this.attachCamera(tile, video);
  }

  removeRemoteTrack(mid: string): void {
    const media = this.remote.get(mid);
    if (!media) return;
    this.videoView?.unwatch(mid);
    media.element.srcObject = null;
    media.element.remove();
    media.screenTile?.remove();
    this.remote.delete(mid);
    const tile = this.tiles.get(media.participantId);
    if (tile && tile.video === media.element) {
      tile.video = undefined;
      tile.root.classList.add('video-off');
    }
    if (media.screenTile) this.relayout();
  }

  setActiveSpeaker(participantId: string): void {
    const changed = this.speaker !== participantId;
    this.speaker = participantId;
    for (const [id, tile] of this.tiles) tile.root.classList.toggle('speaking', id === participantId);
    if (changed) this.relayout();
  }

  // The connection quality mark on a participant's tile (ConnectionQuality).
  setQuality(participantId: string, quality: Quality): void {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    tile.quality.dataset.quality = quality;
    const label = t().quality[quality] ?? '';
    tile.quality.setAttribute('aria-label', label);
    tile.quality.title = label;
    tile.quality.setAttribute('role', label ? 'img' : 'presentation');
  }

  // Everything on the stage by its key: participants by id, screens as screen:MID.
  private relayout(): void {
    const tiles = new Map<string, HTMLElement>();
    for (const [id, tile] of this.tiles) tiles.set(id, tile.root);
    const screens: string[] = [];
    for (const [mid, media] of this.remote) {
      if (!media.screenTile) continue;
      tiles.set(`screen:${mid}`, media.screenTile);
      screens.unshift(`screen:${mid}`);  // newest first
    }
    this.layout.apply({ people: this.order, screens, self: this.selfId(), speaker: this.speaker }, tiles);
    for (const [key, element] of tiles) {
      const pin = element.querySelector<HTMLButtonElement>('.tile-pin');
      pin?.setAttribute('aria-pressed', String(this.layout.pinned === key));
    }
  }

  private pinButton(key: string, name: () => string): HTMLButtonElement {
    const pin = h('button', { type: 'button', class: 'tile-pin', 'data-testid': 'tile-pin', 'aria-pressed': 'false' }, icon('pin'));
    const label = () => {
      const text = this.layout.pinned === key ? t().unpinTile(name()) : t().pinTile(name());
      pin.setAttribute('aria-label', text);
      pin.title = text;
    };
    pin.addEventListener('click', () => {
      this.layout.togglePin(key);
      label();
    });
    pin.addEventListener('focus', label);
    pin.addEventListener('mouseenter', label);
    label();
    return pin;
  }

  private attachCamera(tile: Tile, video: HTMLVideoElement): void {
    tile.video?.remove();
    tile.video = video;
    tile.root.prepend(video);
    tile.root.classList.toggle('video-off', tile.videoMuted);
  }

  private screenLabel(participantId: string): string {
    return `${this.names.get(participantId) ?? ''} · ${t().screen}`;
  }

  update(participants: Participant[], localStream: MediaStream | null): void {
    const seen = new Set<string>();
    for (const p of participants) {
      seen.add(p.id);
      let tile = this.tiles.get(p.id);
      if (!tile) {
        const root = h('div', { class: 'tile', 'data-testid': 'tile', 'data-participant-id': p.id, 'data-tile-key': p.id });
        const name = h('span', { class: 'tile-name', 'data-testid': 'tile-name' });
        const badges = h('span', { class: 'tile-badges' });
        const quality = h('span', { class: 'quality', 'data-testid': 'tile-quality', 'data-quality': 'unknown' });
        const pin = this.pinButton(p.id, () => this.names.get(p.id) ?? '');
        root.append(h('div', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.name)),
          h('div', { class: 'tile-label' }, quality, badges, name), pin);
        tile = { root, name, badges, quality, pin, videoMuted: p.video_muted };
        for (const media of this.remote.values()) {
          if (media.participantId === p.id && media.source === 'camera' && media.element instanceof HTMLVideoElement) {
            this.attachCamera(tile, media.element);
          }
        }
        if (p.id === this.selfId() && localStream) {
          const video = h('video', { autoplay: true, playsinline: true, muted: true, class: 'mirror', 'data-testid': 'local-video' });
          video.muted = true;
          video.srcObject = this.selfTrack ? new MediaStream([this.selfTrack]) : localStream;
          root.prepend(video);
          tile.video = video;
        }
        this.tiles.set(p.id, tile);
        this.element.append(root);
      }
      const self = p.id === this.selfId();
      this.names.set(p.id, p.name);
      tile.root.classList.toggle('speaking', p.id === this.speaker);
      tile.name.replaceChildren(self ? `${p.name} (${t().you})` : p.name);
      const guest = guestBadge(p.guest);
      if (guest) tile.name.append(' ', guest);
      tile.root.setAttribute('aria-label', p.name);
      tile.videoMuted = p.video_muted;
      tile.root.classList.toggle('video-off', p.video_muted || !tile.video);
      const badges: Node[] = [];
      if (p.hand_raised) badges.push(h('span', { class: 'badge hand', title: t().handRaised, 'data-testid': 'tile-hand' }, icon('hand')));
      if (p.audio_muted) {
        const muted = h('span', { class: 'badge', title: t().micMuted, 'data-testid': 'tile-muted' });
        muted.append(icon('micOff'));
        badges.push(muted);
      }
      tile.badges.replaceChildren(...badges);
    }
    for (const [id, tile] of this.tiles) {
      if (!seen.has(id)) {
        tile.root.remove();
        this.tiles.delete(id);
      }
    }
    for (const [mid, media] of this.remote) {
      if (!seen.has(media.participantId)) this.removeRemoteTrack(mid);
    }
    this.order = participants.map((p) => p.id);
    this.relayout();
  }

  // What oneself's tile shows: the camera as sent (with a background effect), else the
  // camera itself.
  setSelfVideo(track: MediaStreamTrack | null, localStream: MediaStream): void {
    const video = this.tiles.get(this.selfId())?.video;
    this.selfTrack = track;
    if (video) video.srcObject = track ? new MediaStream([track]) : localStream;
  }

  private selfTrack: MediaStreamTrack | null = null;

  setSpeaker(deviceId: string): void {
    this.speakerId = deviceId;
    for (const audio of this.audio.querySelectorAll('audio')) void useSpeaker(audio, deviceId).catch(() => {});
  }

  // The emoji floats up with the sender's name: a reaction on a hidden tile (another page, a
  // strip) still says who sent it.
  showReaction(participantId: string, reaction: string, name: string): void {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    const bubble = h('span', { class: 'reaction-bubble', 'aria-hidden': 'true', 'data-testid': 'reaction-bubble' },
      h('span', { class: 'reaction-emoji' }, reactionEmoji[reaction] ?? ''), h('span', { class: 'reaction-name' }, name));
    tile.root.append(bubble);
    bubble.addEventListener('animationend', () => bubble.remove());
  }
}
