import { announce, h } from '../dom';
import { onLanguageChange, t } from '../i18n';
import { icon } from '../icons';
import { languageSwitch } from '../languageSwitch';
import { hasTrack, setTrackEnabled, stopAll, type LocalMedia } from '../media';
import { SignalingClient, type ServerMessage } from '../signaling';
import { MediaSession } from '../media/MediaSession';
import { downloadTranscript, setTranscription } from '../api';
import { chime, HostControls } from './HostControls';
import { WaitingScreen } from './WaitingScreen';
import { CaptionLines } from './CaptionLines';
import { ChatPanel } from './ChatPanel';
import { ReconnectSchedule } from './ReconnectSchedule';
import { Roster } from './Roster';
import { guestBadge, ParticipantsPanel } from './ParticipantsPanel';
import { Tiles } from './Tiles';
import { QualityMonitor } from './ConnectionQuality';
import { VideoViewReporter } from '../media/VideoView';
import { Toolbar } from './Toolbar';

export interface RoomSession {
  roomId: string;
  roomName: string;
  name: string;
  token: string | null;
  media: LocalMedia;
  audioOn: boolean;
  videoOn: boolean;
}

export type RoomEnd =
  | { kind: 'left' }
  | { kind: 'removed'; by: string }
  | { kind: 'failed' }
  | { kind: 'refused'; message: string }
  | { kind: 'denied'; reason: string; by: string }
  | { kind: 'ended'; by: string };

// A meeting in progress: signaling, participant state and the room's screen.
export class RoomView {
  private signaling: SignalingClient | null = null;
  private roster = new Roster();
  private chatOpen = false;
  private participantsOpen = true;
  private unreadChat = 0;
  private handRaised = false;
  private reconnect = new ReconnectSchedule();
  // From the last welcome: brings this participant back after a broken connection.
  private resumeToken = '';
  private ended = false;
  private media: MediaSession | null = null;
  private quality: QualityMonitor | null = null;
  private screenStream: MediaStream | null = null;
  private screenTransceiver: RTCRtpTransceiver | null = null;

  private tiles = new Tiles(() => this.roster.selfId);
  private chat = new ChatPanel(
    (text) => this.signaling?.send({ type: 'chat', text }),
    (before) => this.signaling?.send({ type: 'chat-history', before }),
  );
  private people = new ParticipantsPanel({
    mute: (id) => this.signaling?.send({ type: 'moderate', action: 'mute', target: id }),
    remove: (id) => this.signaling?.send({ type: 'moderate', action: 'remove', target: id }),
    promote: (id) => this.signaling?.send({ type: 'moderate', action: 'promote', target: id }),
    demote: (id) => this.signaling?.send({ type: 'moderate', action: 'demote', target: id }),
  });
  private host = new HostControls({
    setAccess: (access) => this.signaling?.send({ type: 'room-settings', access }),
    setLocked: (locked) => this.signaling?.send({ type: 'room-settings', locked }),
    muteAll: () => this.signaling?.send({ type: 'moderate', action: 'mute-all' }),
    lowerHands: () => this.signaling?.send({ type: 'moderate', action: 'lower-hands' }),
    endForAll: () => this.signaling?.send({ type: 'moderate', action: 'end' }),
    admit: (id) => this.signaling?.send({ type: 'admit', id }),
    admitAll: () => this.signaling?.send({ type: 'admit', all: true }),
    deny: (id) => this.signaling?.send({ type: 'deny', id }),
  });
  private waitingScreen: WaitingScreen;
  private owner = false;
  private toolbar: Toolbar;
  private status = h('div', { class: 'status hidden', role: 'status', 'data-testid': 'connection-status' });
  private toast = h('div', { class: 'toast hidden', role: 'alert', 'data-testid': 'toast' });
  private sidebar = h('aside', { class: 'sidebar' });
  private title = h('h1', { class: 'room-title' });
  private copyButton = h('button', { type: 'button', class: 'small', 'data-testid': 'copy-link' });
  private transcriptionActive = false;
  private captionsOn = false;
  private captions = new CaptionLines();
  private transcriptionBanner = h('div', { class: 'transcription-banner hidden', role: 'status', 'data-testid': 'transcription-indicator' });
  private captionsBox = h('div', { class: 'captions hidden', 'aria-live': 'polite', 'data-testid': 'captions' });
  private captionsButton = h('button', { type: 'button', class: 'small', 'data-testid': 'toggle-captions' });
  private transcriptionButton = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'toggle-transcription' });
  private downloadButton = h('button', { type: 'button', class: 'small hidden', 'data-testid': 'download-transcript' });
  private unsubscribeLanguage: () => void;
  private onPageHide = (): void => this.signaling?.leave();

  constructor(root: HTMLElement, private session: RoomSession, private onEnd: (end: RoomEnd) => void) {
    this.waitingScreen = new WaitingScreen(session.media.stream);
    this.toolbar = new Toolbar({
      toggleMic: () => this.setAudio(!this.session.audioOn),
      toggleCamera: () => this.setVideo(!this.session.videoOn),
      toggleHand: () => this.signaling?.send({ type: 'hand', raised: !this.handRaised }),
      toggleScreen: () => void (this.screenStream ? this.stopScreenShare() : this.startScreenShare()),
      react: (reaction) => this.signaling?.send({ type: 'reaction', reaction }),
      toggleChat: () => this.togglePanel('chat'),
      toggleParticipants: () => this.togglePanel('participants'),
      leave: () => this.leave(),
    });
    this.copyButton.addEventListener('click', () => {
      void navigator.clipboard?.writeText(`${location.origin}/r/${this.session.roomId}`).then(() => this.showToast(t().linkCopied));
    });
    this.captionsButton.addEventListener('click', () => {
      this.captionsOn = !this.captionsOn;
      this.render();
    });
    this.transcriptionButton.addEventListener('click', () => {
      // The token, or the owner's session cookie.
      void setTranscription(this.session.roomId, this.session.token, this.transcriptionActive ? 'stop' : 'start').catch(() =>
        this.showToast(t().error),
      );
    });
    this.downloadButton.addEventListener('click', () => {
      void downloadTranscript(this.session.roomId, this.session.token, 'vtt').catch(() => this.showToast(t().error));
    });
    this.unsubscribeLanguage = onLanguageChange(() => this.render());
    this.onKeyDown = this.onKeyDown.bind(this);
    document.addEventListener('keydown', this.onKeyDown);
    // Closing the tab is a goodbye: the others see us leave now, not after the window in
    // which the server waits for a broken connection to come back.
    window.addEventListener('pagehide', this.onPageHide);

    root.replaceChildren(
      h(
        'div',
        { class: 'room', 'data-testid': 'room' },
        h('header', { class: 'room-header' }, this.title, h('code', { class: 'room-code', 'data-testid': 'room-code' }, session.roomId),
          this.tiles.layout.toggle, this.transcriptionButton, this.downloadButton, this.captionsButton, this.copyButton,
          languageSwitch()),
        this.status,
        this.waitingScreen.element,
        this.transcriptionBanner,
        session.media.problem &&
          h('div', { class: 'device-banner', role: 'alert', 'data-testid': 'device-message' },
            session.media.problem === 'denied' ? t().devicesDenied : t().devicesMissing),
        h('div', { class: 'room-body' }, h('main', { class: 'stage' }, this.tiles.element), this.sidebar),
        this.captionsBox,
        this.tiles.audio,
        this.toolbar.element,
        this.toast,
      ),
    );
    this.render();
    this.connect();
  }

  private connect(): void {
    this.roster.selfId = '';
    this.showStatus(this.reconnect.attempts === 0 ? t().connecting : t().reconnecting);
    this.signaling = new SignalingClient(
      this.session.roomId,
      {
        onMessage: (message) => this.onMessage(message),
        onClose: (expected) => this.onClose(expected),
      },
      () => {
        this.signaling?.send({ type: 'join', version: 1, name: this.session.name,
          ...(this.session.token ? { token: this.session.token } : {}),
          ...(this.resumeToken ? { resume: this.resumeToken } : {}) });
      },
    );
  }

  private onClose(expected: boolean): void {
    this.signaling = null;
    this.closeMedia();
    if (expected || this.ended) return;
    // The server went away or the network dropped: rejoin under the same name.
    const delay = this.reconnect.next();
    if (delay === null) {
      this.finish({ kind: 'failed' });
      return;
    }
    this.showStatus(t().reconnecting);
    window.setTimeout(() => this.connect(), delay);
  }

  private onMessage(message: ServerMessage): void {
    const m = t();
    if (this.media?.handle(message)) return;
    const event = this.roster.apply(message);
    if (event?.kind === 'joined') announce(m.joinedAnnouncement(event.name));
    else if (event?.kind === 'left') announce(m.leftAnnouncement(event.name));
    else if (event?.kind === 'hand') announce(m.handAnnouncement(event.name));
    switch (message.type) {
      case 'waiting':
        this.reconnect.reset();
        this.hideStatus();
        this.waitingScreen.show(message.room.name || this.session.roomId);
        announce(m.waitingTitle);
        return;
      case 'waiting-list':
        if (this.host.setWaiting(message.people)) {
          chime();
          const newest = message.people[message.people.length - 1];
          if (newest) announce(m.someoneWaiting(newest.name));
        }
        break;
      case 'denied':
        this.signaling?.leave();
        this.finish({ kind: 'denied', reason: message.reason, by: message.by ?? '' });
        return;
      case 'ended':
        this.finish({ kind: 'ended', by: message.by });
        return;
      case 'room-settings':
        this.host.setRoom(message.room);
        break;
      case 'moderation': {
        if (message.action === 'end') return;
        const text = m.moderationDone(message.action, message.by, message.target ?? '', message.access ? m.accessNames[message.access] : '');
        this.showToast(text);
        announce(text);
        break;
      }
      case 'welcome':
        this.reconnect.reset();
        this.waitingScreen.hide();
        this.host.setRoom(message.room);
        this.owner = message.you.owner;
        this.resumeToken = message.resume_token ?? '';
        this.hideStatus();
        this.session.roomName = message.room.name;
        this.chat.reset(message.chat, message.chat_more);
        this.handRaised = false;
        // A transcription the server no longer runs (it restarted) is not shown as running.
        this.transcriptionActive = false;
        this.captions.clear();
        // Tell the others what our devices are doing from the start.
        this.signaling?.send({ type: 'media-state', audio_muted: !this.audioLive(), video_muted: !this.videoLive() });
        if (message.media) this.startMedia(message.ice_servers ?? []);
        break;
      case 'active-speaker':
        this.tiles.setActiveSpeaker(message.id);
        return;
      case 'transcription':
        this.transcriptionActive = message.active;
        if (message.active) announce(m.transcriptionActive);
        break;
      case 'caption':
        this.captions.apply(message);
        break;
      case 'media-error':
        this.showToast(`${m.mediaFailed}: ${message.message}`);
        break;
      case 'participant-joined':
      case 'participant-left':
        break;
      case 'participant-updated':
        if (message.participant.id === this.roster.selfId) this.handRaised = message.participant.hand_raised;
        break;
      case 'chat':
        this.chat.add(message.message);
        if (!this.chatOpen && message.message.from !== this.roster.selfId) this.unreadChat++;
        if (message.message.from !== this.roster.selfId) announce(m.chatAnnouncement(message.message.name, message.message.text));
        break;
      case 'chat-history':
        this.chat.prepend(message.messages, message.more);
        break;
      case 'reaction': {
        this.tiles.showReaction(message.from, message.reaction);
        const who = this.roster.get(message.from);
        if (who) announce(m.reactionAnnouncement(who.name, m.reactionNames[message.reaction] ?? message.reaction));
        break;
      }
      case 'muted':
        this.setAudio(false);
        this.showToast(m.mutedByModerator(message.by));
        break;
      case 'removed':
        this.finish({ kind: 'removed', by: message.by });
        return;
      case 'error':
        // Refused at the door (removed earlier, meeting full): trying again will not help.
        if (!this.roster.selfId && ['forbidden', 'room-full', 'not-found', 'locked', 'rate-limited', 'limit-reached'].includes(message.code)) {
          this.signaling?.leave();
          this.finish({ kind: 'refused', message: m.refusedReasons[message.code] ?? message.message });
          return;
        }
        this.showToast(`${m.error}: ${message.message}`);
        break;
      case 'pong':
        return;
    }
    this.render();
  }

  // Sends our camera and microphone to the server, and receives everyone else's.
  private startMedia(iceServers: RTCIceServer[]): void {
    this.closeMedia();
    this.tiles.videoView = new VideoViewReporter((message) => this.signaling?.send(message));
    const session = new MediaSession((message) => this.signaling?.send(message), {
      onTrack: (mid, participantId, source, track) => this.tiles.addRemoteTrack(mid, participantId, source, track),
      onTrackEnded: (mid) => this.tiles.removeRemoteTrack(mid),
      // The network changed under us and ICE gave up: come back as ourselves, with new
      // peer connections.
      onFailed: () => {
        if (this.media === session) this.signaling?.reconnect();
      },
    }, iceServers);
    this.media = session;
    this.quality = new QualityMonitor(() => session.stats(), () => this.roster.selfId,
      (id, quality) => this.tiles.setQuality(id, quality));
    for (const track of this.session.media.stream.getTracks()) {
      session.addTrack(track, track.kind === 'audio' ? 'microphone' : 'camera');
    }
    if (this.screenStream) {
      this.screenTransceiver = session.addTrack(this.screenStream.getVideoTracks()[0], 'screen');
    }
    void session.publish();
    (window as unknown as { parleyMedia?: MediaSession }).parleyMedia = session;
  }

  private closeMedia(): void {
    this.quality?.stop();
    this.quality = null;
    this.media?.close();
    this.media = null;
    this.tiles.videoView?.close();
    this.tiles.videoView = null;
    this.screenTransceiver = null;
  }

  private async startScreenShare(): Promise<void> {
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
      const track = stream.getVideoTracks()[0];
      if (!track) return;
      // Text on screens matters more than motion.
      track.contentHint = 'detail';
      this.screenStream = stream;
      track.addEventListener('ended', () => void this.stopScreenShare());
      if (this.media) {
        this.screenTransceiver = this.media.addTrack(track, 'screen');
        void this.media.publish();
      }
    } catch {
      this.showToast(t().screenShareFailed);
    }
    this.render();
  }

  private async stopScreenShare(): Promise<void> {
    if (!this.screenStream) return;
    stopAll(this.screenStream);
    this.screenStream = null;
    if (this.media && this.screenTransceiver) {
      this.media.removeTrack(this.screenTransceiver);
      this.screenTransceiver = null;
      void this.media.publish();
    }
    this.render();
  }

  private audioLive(): boolean {
    return this.session.audioOn && hasTrack(this.session.media.stream, 'audio');
  }

  private videoLive(): boolean {
    return this.session.videoOn && hasTrack(this.session.media.stream, 'video');
  }

  private setAudio(on: boolean): void {
    this.session.audioOn = on;
    setTrackEnabled(this.session.media.stream, 'audio', on);
    this.signaling?.send({ type: 'media-state', audio_muted: !this.audioLive() });
    this.render();
  }

  private setVideo(on: boolean): void {
    this.session.videoOn = on;
    setTrackEnabled(this.session.media.stream, 'video', on);
    this.signaling?.send({ type: 'media-state', video_muted: !this.videoLive() });
    this.render();
  }

  private togglePanel(panel: 'chat' | 'participants'): void {
    if (panel === 'chat') {
      this.chatOpen = !this.chatOpen;
      if (this.chatOpen) this.unreadChat = 0;
    } else {
      this.participantsOpen = !this.participantsOpen;
    }
    this.render();
    if (panel === 'chat' && this.chatOpen) this.chat.focus();
  }

  // Ctrl+D microphone and Ctrl+E camera, as in other meeting tools.
  private onKeyDown(event: KeyboardEvent): void {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    if (event.key === 'd') {
      event.preventDefault();
      this.setAudio(!this.session.audioOn);
    } else if (event.key === 'e') {
      event.preventDefault();
      this.setVideo(!this.session.videoOn);
    }
  }

  private render(): void {
    const m = t();
    const list = this.roster.list;
    const self = this.roster.self;
    this.title.textContent = this.session.roomName || m.appName;
    this.copyButton.replaceChildren(icon('link'), m.copyLink);
    // Transcription goes through REST: the moderator token, or the owner's session.
    const moderator = self?.role === 'moderator' && (!!this.session.token || this.owner);
    this.transcriptionButton.textContent = this.transcriptionActive ? m.stopTranscription : m.startTranscription;
    this.transcriptionButton.classList.toggle('hidden', !moderator);
    this.downloadButton.textContent = m.downloadTranscript;
    this.downloadButton.classList.toggle('hidden', !moderator);
    this.captionsButton.textContent = this.captionsOn ? m.captionsOff : m.captionsOn;
    this.captionsButton.setAttribute('aria-pressed', String(this.captionsOn));
    this.transcriptionBanner.textContent = m.transcriptionActive;
    this.transcriptionBanner.classList.toggle('hidden', !this.transcriptionActive);
    this.captionsBox.setAttribute('aria-label', m.captions);
    this.captionsBox.classList.toggle('hidden', !this.captionsOn);
    this.captionsBox.replaceChildren(
      ...this.captions.lines.map((line) =>
        h('p', { class: line.final ? 'caption' : 'caption partial', 'data-testid': line.final ? 'caption' : 'caption-partial' },
          h('strong', {}, line.name, line.guest ? ' ' : '', guestBadge(line.guest), ': '), line.text)),
    );
    this.tiles.update(list, this.session.media.stream);
    this.people.update(list, this.roster.selfId, self?.role === 'moderator');
    this.chat.relabel();
    const hosting = self?.role === 'moderator';
    this.sidebar.replaceChildren(...[this.participantsOpen && hosting && this.host.element, this.participantsOpen && this.people.element,
      this.chatOpen && this.chat.element].filter((x): x is HTMLElement => !!x));
    this.sidebar.classList.toggle('hidden', !this.participantsOpen && !this.chatOpen);
    this.toolbar.update({
      audioOn: this.session.audioOn,
      videoOn: this.session.videoOn,
      haveAudio: hasTrack(this.session.media.stream, 'audio'),
      haveVideo: hasTrack(this.session.media.stream, 'video'),
      handRaised: this.handRaised,
      sharingScreen: this.screenStream !== null,
      canShareScreen: !!navigator.mediaDevices?.getDisplayMedia,
      chatOpen: this.chatOpen,
      participantsOpen: this.participantsOpen,
      unreadChat: this.unreadChat,
    });
  }

  private showStatus(text: string): void {
    this.status.textContent = text;
    this.status.classList.remove('hidden');
  }

  private hideStatus(): void {
    this.status.classList.add('hidden');
  }

  // Notices stack, the newest last, each for 5 s: "Ana muted your microphone" and "Ana muted
  // everyone" arrive together and both must be read.
  private showToast(text: string): void {
    const line = h('p', { class: 'toast-line' }, text);
    this.toast.append(line);
    while (this.toast.childElementCount > 3) this.toast.firstElementChild?.remove();
    this.toast.classList.remove('hidden');
    window.setTimeout(() => {
      line.remove();
      if (this.toast.childElementCount === 0) this.toast.classList.add('hidden');
    }, 5000);
  }

  leave(): void {
    this.signaling?.leave();
    this.finish({ kind: 'left' });
  }

  private finish(end: RoomEnd): void {
    if (this.ended) return;
    this.ended = true;
    document.removeEventListener('keydown', this.onKeyDown);
    window.removeEventListener('pagehide', this.onPageHide);
    this.unsubscribeLanguage();
    this.closeMedia();
    if (this.screenStream) stopAll(this.screenStream);
    stopAll(this.session.media.stream);
    this.onEnd(end);
  }
}
