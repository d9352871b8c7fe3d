// The signaling connection: protocol version 1 over a WebSocket (docs/protocol.md).

export interface Participant {
  id: string;
  name: string;
  role: 'member' | 'moderator';
  joined_at: string;
  hand_raised: boolean;
  audio_muted: boolean;
  video_muted: boolean;
}

export interface ChatMessage {
  id: number;
  from: string;
  name: string;
  text: string;
  sent_at: string;
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
      room: { id: string; name: string };
      you: Participant;
      participants: Participant[];
      chat: ChatMessage[];
      chat_more: boolean;
      media: boolean;
      ice_servers?: { urls: string[]; username: string; credential: string }[];
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
  | { type: 'media-error'; message: string }
  | { type: 'transcription'; active: boolean; started_at: string }
  | { type: 'caption'; participant: string; name: string; text: string; start: number; end: number; final: boolean }
  | { type: 'error'; code: string; message: string };

export type ClientMessage =
  | { type: 'join'; version: 1; name: string; token?: string }
  | { type: 'chat'; text: string }
  | { type: 'chat-history'; before: number }
  | { type: 'hand'; raised: boolean }
  | { type: 'reaction'; reaction: string }
  | { type: 'media-state'; audio_muted?: boolean; video_muted?: boolean }
  | { type: 'moderate'; action: 'mute' | 'remove'; target: string }
  | { type: 'ping' }
  | { type: 'publish'; sdp: string; sources: Record<string, string> }
  | { type: 'subscribe-answer'; sdp: string }
  | { type: 'leave' };

export interface SignalingEvents {
  onMessage(message: ServerMessage): void;
  // The connection ended. `expected` is true after leave() or a removal.
  onClose(expected: boolean): void;
}

const HEARTBEAT_MS = 5000;

export class SignalingClient {
  private ws: WebSocket;
  private heartbeat = 0;
  private ended = false;

  constructor(roomId: string, private events: SignalingEvents, onOpen: () => void) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.ws = new WebSocket(`${scheme}//${location.host}/ws/${encodeURIComponent(roomId)}`);
    this.ws.addEventListener('open', () => {
      this.heartbeat = window.setInterval(() => this.send({ type: 'ping' }), HEARTBEAT_MS);
      onOpen();
    });
    this.ws.addEventListener('message', (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message.type === 'removed') this.ended = true;
      this.events.onMessage(message);
    });
    this.ws.addEventListener('close', () => {
      window.clearInterval(this.heartbeat);
      this.events.onClose(this.ended);
    });
  }

  send(message: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  leave(): void {
    this.ended = true;
    this.send({ type: 'leave' });
    this.ws.close(1000);
  }
}
