import { announce, h } from '../dom';
import { onLanguageChange, t } from '../i18n';
import { icon } from '../icons';
import { languageSwitch } from '../languageSwitch';
import { hasTrack, setTrackEnabled, stopAll, type LocalMedia } from '../media';
import { SignalingClient, type ServerMessage } from '../signaling';
import { MediaSession } from '../media/MediaSession';
import { chime, HostControls } from './HostControls';
import { WaitingScreen } from './WaitingScreen';
import { CaptionsView } from './CaptionsView';
import { ChatPanel } from './ChatPanel';
import { HandQueue } from './HandQueue';
import { LeaveDialog } from './LeaveDialog';
import { LocalDevices } from './LocalDevices';
import { MeetingClock } from './MeetingClock';
import { MoreMenu, watchPhone } from './MoreMenu';
import { SidePanel, type PanelTab } from './SidePanel';
import { ReconnectSchedule } from './ReconnectSchedule';
import { Roster } from './Roster';
import { ParticipantsPanel } from './ParticipantsPanel';
import { Tiles } from './Tiles';
import { QualityMonitor } from './ConnectionQuality';
import { VideoViewReporter } from '../media/VideoView';
import { Toolbar } from './Toolbar';
import { RoomNotices } from './RoomNotices';
import { ScreenShare } from './ScreenShare';
import { TranscriptionControls } from './TranscriptionControls';
import { RecordingControls } from './RecordingControls';

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
  private unreadChat = 0;
  private handRaised = false;
  private reconnect = new ReconnectSchedule();
  // From the last welcome: brings this participant back after a broken connection.
  private resumeToken = '';
  private ended = false;
  private media: MediaSession | null = null;
  private quality: QualityMonitor | null = null;
  private screen = new ScreenShare(() => this.media, () => this.render(), (text) => this.showToast(text));

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
  private notices = new RoomNotices(() => this.side.show('chat'));
  private side: SidePanel;
  private clock = new MeetingClock();
  private hands = new HandQueue();
  private leaveDialog: LeaveDialog;
  private devices: LocalDevices;
  private more = new MoreMenu();
  private phone: { phone: boolean; stop(): void };
  private title = h('h1', { class: 'room-title' });
  private copyButton = h('button', { type: 'button', class: 'small', 'data-testid': 'copy-link' });
  private fullScreenButton = h('button', { type: 'button', class: 'small', 'data-testid': 'fullscreen' });
  private captions = new CaptionsView();
  // What the header holds on a wide screen and the "more" sheet on a phone.
  private headerTools: HTMLElement;
  private transcription: TranscriptionControls;
  private recording: RecordingControls;
  private unsubscribeLanguage: () => void;
  private onPageHide = (): void => this.signaling?.leave();
  private onFullScreen = (): void => this.render();

  constructor(root: HTMLElement, private session: RoomSession, private onEnd: (end: RoomEnd) => void) {
    this.waitingScreen = new WaitingScreen(session.media.stream);
    this.toolbar = new Toolbar({
      toggleMic: () => this.setAudio(!this.session.audioOn),
      toggleCamera: () => this.setVideo(!this.session.videoOn),
      toggleHand: () => this.signaling?.send({ type: 'hand', raised: !this.handRaised }),
      toggleScreen: () => this.screen.toggle(),
      react: (reaction) => this.signaling?.send({ type: 'reaction', reaction }),
      toggleChat: () => this.side.toggle('chat'),
      toggleParticipants: () => this.side.toggle('participants'),
      leave: () => this.leaveDialog.open(this.roster.self?.role === 'moderator'),
    });
    this.leaveDialog = new LeaveDialog({
      leave: () => this.leave(),
      endForAll: () => this.signaling?.send({ type: 'moderate', action: 'end' }),
    });
    this.side = new SidePanel([this.host.element, this.people.element], this.chat.element, (open) => this.onPanel(open));
    this.copyButton.addEventListener('click', () => {
      void navigator.clipboard?.writeText(`${location.origin}/r/${this.session.roomId}`).then(() => this.showToast(t().linkCopied));
    });
    // The room fills the screen (the browser's own bar and the system's go), and back.
    this.fullScreenButton.addEventListener('click', () => {
      if (document.fullscreenElement) void document.exitFullscreen();
      else void root.requestFullscreen?.().catch(() => this.showToast(t().error));
    });
    document.addEventListener('fullscreenchange', this.onFullScreen);
    this.transcription = new TranscriptionControls(session.roomId, session.token, (text) => this.showToast(text));
    this.recording = new RecordingControls(session.roomId, session.token, (text) => this.showToast(text));
    this.unsubscribeLanguage = onLanguageChange(() => this.render());
    this.onKeyDown = this.onKeyDown.bind(this);
    document.addEventListener('keydown', this.onKeyDown);
    // Closing the tab is a goodbye: the others see us leave now, not after the window in
    // which the server waits for a broken connection to come back.
    window.addEventListener('pagehide', this.onPageHide);

    this.devices = new LocalDevices(session.media.stream, {
      replace: async (track) => {
        const source = track.kind === 'audio' ? 'microphone' : 'camera';
        if (this.media && !(await this.media.replaceTrack(source, track))) {
          // Joined without that device: it goes out now.
          this.media.addTrack(track, source);
          await this.media.publish();
        }
        this.signaling?.send({ type: 'media-state', audio_muted: !this.audioLive(), video_muted: !this.videoLive() });
      },
      setSpeaker: (id) => this.tiles.setSpeaker(id),
      preview: (track) => this.tiles.setSelfVideo(track, session.media.stream),
      microphoneOn: () => this.audioLive(),
      notify: (text) => this.showToast(text),
      changed: () => this.render(),
    });
    this.headerTools = h('div', { class: 'header-tools' }, this.devices.settingsButton, this.tiles.layout.toggle, this.recording.toggle, this.recording.list, this.transcription.toggle, this.transcription.download, this.transcription.viewSummary,
      this.captions.toggle, this.captions.sizeButton, this.fullScreenButton, this.copyButton, languageSwitch());
    this.toolbar.addMore(this.more.button);
    this.phone = watchPhone((phone) => this.placeTools(phone));
    root.replaceChildren(
      h(
        'div',
        { class: 'room', 'data-testid': 'room' },
        h('header', { class: 'room-header' }, this.title, h('code', { class: 'room-code', 'data-testid': 'room-code' }, session.roomId),
          this.clock.element, this.headerTools),
        this.notices.status,
        this.waitingScreen.element,
        this.recording.indicator,
        this.transcription.banner,
        this.transcription.summaryDialog.element,
        this.recording.dialog.element,
        session.media.problem &&
          h('div', { class: 'device-banner', role: 'alert', 'data-testid': 'device-message' },
            session.media.problem === 'denied' ? t().devicesDenied : t().devicesMissing),
        h('div', { class: 'room-body' }, h('main', { class: 'stage' }, this.hands.element, this.screen.bar, this.tiles.element), this.side.element),
        this.captions.box,
        this.tiles.audio,
        this.more.sheet,
        this.toolbar.element,
        this.notices.chatPreview,
        this.notices.toast,
        this.leaveDialog.element,
        this.devices.dialog,
      ),
    );
    this.placeTools(this.phone.phone);
    // Wide screens open on the participants; on a phone the stage comes first.
    this.side.show(this.phone.phone ? null : 'participants');
    this.render();
    this.connect();
  }

  // A phone keeps one row of controls: the rest goes into the "more" sheet, and back out when
  // the window grows.
  private placeTools(phone: boolean): void {
    const header = this.title.parentElement;
    if (phone) {
      this.more.actions.replaceChildren(this.toolbar.secondary, this.headerTools);
      // The stage comes first on a phone: a panel opened on a wide window would cover it.
      if (this.side.current) this.side.show(null);
    } else {
      header?.append(this.headerTools);
      this.toolbar.restoreSecondary();
      this.more.setOpen(false);
    }
    this.more.button.classList.toggle('hidden', !phone);
  }

  private onPanel(open: PanelTab | null): void {
    if (open === 'chat') {
      this.unreadChat = 0;
      this.notices.hideChatPreview();
      this.chat.shown();
    }
    this.render();
    if (open === 'chat') this.chat.focus();
  }

  private connect(): void {
    this.roster.selfId = '';
    this.notices.showStatus(this.reconnect.attempts === 0 ? t().connecting : t().reconnecting);
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
    this.notices.showStatus(t().reconnecting);
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
        this.notices.hideStatus();
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
        this.notices.hideStatus();
        this.session.roomName = message.room.name;
        this.chat.reset(message.chat, message.chat_more);
        this.handRaised = false;
        // A transcription the server no longer runs (it restarted) is not shown as running.
        this.transcription.active = false;
        this.recording.active = false;  // likewise: the server says so after the welcome
        this.captions.clear();
        this.clock.setStart(message.participants.map((p) => p.joined_at));
        // Tell the others what our devices are doing from the start.
        this.signaling?.send({ type: 'media-state', audio_muted: !this.audioLive(), video_muted: !this.videoLive() });
        if (message.media) this.startMedia(message.ice_servers ?? []);
        break;
      case 'active-speaker':
        this.tiles.setActiveSpeaker(message.id);
        return;
      case 'transcription':
        this.transcription.active = message.active;
        if (message.active) announce(m.transcriptionActive);
        break;
      case 'recording': {
        const text = this.recording.onFrame(message.active, message.by, message.error);
        this.showToast(text);
        announce(text);
        break;
      }
      case 'recording-ready':
        this.showToast(message.composite ? m.recordingReady : `${m.recordingRenderFailed} ${message.error ?? ''}`);
        break;
      case 'summary': {
        const notice = this.transcription.onSummary(message.state, message.error, message.steps_done);
        if (notice) this.showToast(notice);
        break;
      }
      case 'caption':
        this.captions.apply(message);
        return;
      case 'media-error':
        this.showToast(m.mediaFailed);
        break;
      case 'participant-joined':
      case 'participant-left':
        break;
      case 'participant-updated':
        if (message.participant.id === this.roster.selfId) this.handRaised = message.participant.hand_raised;
        break;
      case 'chat': {
        const own = message.message.from === this.roster.selfId;
        this.chat.add(message.message, own);
        if (!own) {
          announce(m.chatAnnouncement(message.message.name, message.message.text));
          if (this.side.current !== 'chat') {
            this.unreadChat++;
            this.notices.showChatPreview(m.chatPreview(message.message.name, message.message.text));
          }
        }
        break;
      }
      case 'chat-history':
        this.chat.prepend(message.messages, message.more);
        break;
      case 'reaction': {
        const who = this.roster.get(message.from);
        this.tiles.showReaction(message.from, message.reaction, who?.name ?? '');
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
          const reason = message.code === 'forbidden' ? m.removedCannotRejoin : m.errorCodes[message.code];
          this.finish({ kind: 'refused', message: reason ?? m.error });
          return;
        }
        // The server's text is English and for developers; people read their own language.
        this.showToast(m.errorCodes[message.code] ?? m.error);
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
      session.addTrack(this.devices.outgoing(track.kind) ?? track, track.kind === 'audio' ? 'microphone' : 'camera');
    }
    (window as unknown as { parleyEffects?: { framesPerSecond(): number } }).parleyEffects = this.devices;
    this.screen.attach(session);
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
    this.screen.detach();
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
    this.fullScreenButton.replaceChildren(icon('fullscreen'), document.fullscreenElement ? m.exitFullScreen : m.fullScreen);
    this.fullScreenButton.setAttribute('aria-pressed', String(!!document.fullscreenElement));
    // Transcription goes through REST: the moderator token, or the owner's session.
    this.transcription.render(self?.role === 'moderator' && (!!this.session.token || this.owner));
    this.recording.render(self?.role === 'moderator' && (!!this.session.token || this.owner));
    this.captions.render();
    this.tiles.update(list, this.session.media.stream);
    const hosting = self?.role === 'moderator';
    this.people.update(list, this.roster.selfId, hosting);
    this.host.element.classList.toggle('hidden', !hosting);
    this.hands.update(list, hosting);
    this.chat.relabel();
    this.side.relabel();
    this.more.relabel();
    this.devices.relabel();
    this.screen.render();
    this.toolbar.update({
      audioOn: this.session.audioOn,
      videoOn: this.session.videoOn,
      haveAudio: hasTrack(this.session.media.stream, 'audio'),
      haveVideo: hasTrack(this.session.media.stream, 'video'),
      handRaised: this.handRaised,
      sharingScreen: this.screen.sharing,
      canShareScreen: !!navigator.mediaDevices?.getDisplayMedia,
      chatOpen: this.side.current === 'chat',
      participantsOpen: this.side.current === 'participants',
      unreadChat: this.unreadChat,
    });
  }

  private showToast(text: string): void {
    this.notices.showToast(text);
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
    document.removeEventListener('fullscreenchange', this.onFullScreen);
    if (document.fullscreenElement) void document.exitFullscreen();
    this.unsubscribeLanguage();
    this.phone.stop();
    this.clock.stop();
    this.devices.stop();
    this.notices.hideChatPreview();
    this.closeMedia();
    this.screen.stop();
    stopAll(this.session.media.stream);
    this.onEnd(end);
  }
}
