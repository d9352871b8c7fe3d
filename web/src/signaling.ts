// The signaling connection: protocol version 1 over a WebSocket (docs/protocol.md).

export interface Participant {
  id: string;
  name: string;
  role: 'member' | 'moderator';
  joined_at: string;
  hand_raised: boolean;
  hand_raised_at?: string | null;
  audio_muted: boolean;
  video_muted: boolean;
  guest: boolean;  // not signed in, on a server where people sign in
  owner: boolean;
}

export type AccessLevel = 'public' | 'trusted' | 'restricted';

export interface RoomInfo {
  id: string;
  name: string;
  access: AccessLevel;
  locked: boolean;
}

export interface WaitingPerson {
  id: string;
  name: string;
  guest: boolean;
  since: string;
}

export type ModerationAction =
  | 'mute' | 'remove' | 'promote' | 'demote' | 'mute-all' | 'lower-hands' | 'end' | 'lock' | 'unlock' | 'access';

export interface ChatMessage {
  id: number;
  from: string;
  name: string;
  text: string;
  sent_at: string;
  guest?: boolean;
}

export interface TrackInfo {
  mid: string;
  participant: string;
  source: string;
  kind: 'audio' | 'video';
}

export type ServerMessage =
  | {
      type: 'welcome';
      version: number;
      room: RoomInfo;
      you: Participant;
      participants: Participant[];
      chat: ChatMessage[];
      chat_more: boolean;
      media: boolean;
      ice_servers?: { urls: string[]; username: string; credential: string }[];
      resume_token?: string;
    }
  | { type: 'chat-history'; messages: ChatMessage[]; more: boolean }
  | { type: 'participant-joined'; participant: Participant }
  | { type: 'participant-updated'; participant: Participant }
  | { type: 'participant-left'; id: string; reason: string }
  | { type: 'chat'; message: ChatMessage }
  | { type: 'reaction'; from: string; reaction: string }
  | { type: 'muted'; by: string }
  | { type: 'removed'; by: string }
  | { type: 'pong' }
  | { type: 'publish-answer'; sdp: string }
  | { type: 'subscribe-offer'; sdp: string; tracks: TrackInfo[] }
  | { type: 'active-speaker'; id: string }
  | { type: 'video-layers'; mid: string; layers: { rid: string; active: boolean }[] }
  | { type: 'media-error'; message: string }
  | { type: 'transcription'; active: boolean; started_at: string }
  | { type: 'recording'; active: boolean; started_at: string; by?: string; error?: string }
  | { type: 'recording-ready'; id: string; composite: boolean; error?: string }
  | { type: 'summary'; state: 'pending' | 'done' | 'failed'; error?: string; steps_done: number; steps_planned: number }
  | { type: 'caption'; participant: string; name: string; text: string; start: number; end: number; final: boolean; guest?: boolean }
  | { type: 'waiting'; room: RoomInfo; expires_at: string }
  | { type: 'waiting-list'; people: WaitingPerson[] }
  | { type: 'denied'; reason: 'denied' | 'expired' | 'locked' | 'ended' | 'full'; by?: string }
  | { type: 'room-settings'; room: RoomInfo }
  | { type: 'moderation'; action: ModerationAction; by: string; target?: string; access?: AccessLevel }
  | { type: 'ended'; by: string }
  | { type: 'error'; code: string; message: string };

export type ClientMessage =
  | { type: 'join'; version: 1; name: string; token?: string; resume?: string }
  | { type: 'chat'; text: string }
  | { type: 'chat-history'; before: number }
  | { type: 'hand'; raised: boolean }
  | { type: 'reaction'; reaction: string }
  | { type: 'media-state'; audio_muted?: boolean; video_muted?: boolean }
  | { type: 'moderate'; action: 'mute' | 'remove' | 'promote' | 'demote'; target: string }
  | { type: 'moderate'; action: 'mute-all' | 'lower-hands' | 'end' }
  | { type: 'admit'; id: string }
  | { type: 'admit'; all: true }
  | { type: 'deny'; id: string }
  | { type: 'room-settings'; access?: AccessLevel; locked?: boolean }
  | { type: 'ping' }
  | { type: 'publish'; sdp: string; sources: Record<string, string> }
  | { type: 'subscribe-answer'; sdp: string }
  | { type: 'video-view'; tracks: { mid: string; height: number }[] }
  | { type: 'leave' };

export interface SignalingEvents {
  onMessage(message: ServerMessage): void;
  // The connection ended. `expected` is true after leave() or a removal.
  onClose(expected: boolean): void;
}

const HEARTBEAT_MS = 5000;
// Nothing from the server for this long (it answers every ping): the connection is dead even
// if the browser has not noticed (a network change leaves the old TCP path silent, with no
// FIN or reset ever coming). Give it up and reconnect.
const SILENCE_MS = 12000;
// A connection not open by then is abandoned for a fresh attempt: after a network change the
// first attempt's packets may have gone nowhere, and the browser would retry them slowly.
const OPEN_TIMEOUT_MS = 5000;

export class SignalingClient {
  private ws: WebSocket;
  private heartbeat = 0;
  private openTimer = 0;
  private lastHeard = Date.now();
  private gone = false;  // onClose was called: nothing more from this connection
  private ended = false;

  constructor(roomId: string, private events: SignalingEvents, onOpen: () => void) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.ws = new WebSocket(`${scheme}//${location.host}/ws/${encodeURIComponent(roomId)}`);
    this.openTimer = window.setTimeout(() => this.ws.close(), OPEN_TIMEOUT_MS);
    this.ws.addEventListener('open', () => {
      window.clearTimeout(this.openTimer);
      this.lastHeard = Date.now();
      this.heartbeat = window.setInterval(() => {
        if (Date.now() - this.lastHeard > SILENCE_MS) return this.giveUp();
        this.send({ type: 'ping' });
      }, HEARTBEAT_MS);
      onOpen();
    });
    this.ws.addEventListener('message', (event) => {
      if (this.gone) return;
      this.lastHeard = Date.now();
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      // The server sends these last: the connection closing after them is no reason to retry.
      if (message.type === 'removed' || message.type === 'denied' || message.type === 'ended') this.ended = true;
      this.events.onMessage(message);
    });
    this.ws.addEventListener('close', () => this.closed());
  }

  send(message: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  // Drops the connection to come back at once as the same participant (its media failed):
  // close code 4000 tells the server this is not a goodbye.
  reconnect(): void {
    this.ws.close(4000, 'reconnecting');
  }

  // The connection went silent: report it closed now rather than when the browser's TCP
  // gives up (minutes), and let it go (code 4000, should it still reach the server).
  private giveUp(): void {
    this.ws.close(4000, 'reconnecting');
    this.closed();
  }

  private closed(): void {
    if (this.gone) return;
    this.gone = true;
    window.clearTimeout(this.openTimer);
    window.clearInterval(this.heartbeat);
    this.events.onClose(this.ended);
  }

  leave(): void {
    this.ended = true;
    this.send({ type: 'leave' });
    this.ws.close(1000);
  }
}
