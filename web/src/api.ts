// The REST API (docs/protocol.md).

export interface CreatedRoom {
  id: string;
  name: string;
  url: string;
  moderator_token: string;
}

export interface RoomInfo {
  id: string;
  name: string;
  created_at: string;
  participant_count: number;
  // Someone is recording the meeting now: whoever joins is told first.
  recording?: boolean;
  // Only with the moderator token.
  participants?: { id: string; name: string; role: string; joined_at: string }[];
}

export const ROOM_ID = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;

// Who this browser is signed in as, and whether the server offers sign-in at all.
export interface Me {
  sign_in: boolean;
  user: { name: string; email: string; subject: string } | null;
}

export async function getMe(): Promise<Me> {
  const response = await fetch('/api/me', { cache: 'no-store' });
  if (!response.ok) return { sign_in: false, user: null };
  return response.json();
}

// Revokes this browser's session; goes on to the identity provider to sign out there too
// when it offers that.
export async function signOut(): Promise<void> {
  const response = await fetch('/auth/logout', { method: 'POST' });
  const body = response.ok ? await response.json() : { redirect: null };
  location.assign(body.redirect ?? '/');
}

export class SignInRequired extends Error {}

export async function createRoom(name: string): Promise<CreatedRoom> {
  const response = await fetch('/api/rooms', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(name ? { name } : {}),
  });
  if (response.status === 401) throw new SignInRequired();
  if (response.status !== 201) throw new Error(`create room: HTTP ${response.status}`);
  return response.json();
}

export interface OwnedRoom {
  id: string;
  name: string;
  url: string;
  access: string;
  created_at: string;
  participant_count: number;
}

// The meetings the signed-in user created, newest first.
export async function getMyRooms(): Promise<OwnedRoom[]> {
  const response = await fetch('/api/me/rooms', { cache: 'no-store' });
  if (!response.ok) return [];
  return (await response.json()).rooms;
}

// With the moderator token (or the owner's session cookie) the answer names who is in.
// A 503 (in a cluster, the meeting's node being replaced) is asked again a few times, as its
// Retry-After says, before it counts as a failure.
export async function getRoom(id: string, token?: string | null): Promise<RoomInfo | null> {
  let response: Response;
  for (let attempt = 0; ; attempt++) {
    response = await fetch(`/api/rooms/${encodeURIComponent(id)}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    if (response.status !== 503 || attempt >= 4) break;
    const seconds = Math.min(Number(response.headers.get('Retry-After')) || 2, 5);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`get room: HTTP ${response.status}`);
  return response.json();
}

// Moderator tokens of rooms this browser created, so their creator joins as moderator.
export function rememberToken(roomId: string, token: string): void {
  localStorage.setItem(`parley.token.${roomId}`, token);
}

export function rememberedToken(roomId: string): string | null {
  return localStorage.getItem(`parley.token.${roomId}`);
}

// Moderators start and stop transcription and fetch the transcript with the room's token.
// The moderator token when there is one; otherwise the owner's session cookie goes along.
function moderatorHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function setTranscription(roomId: string, token: string | null, action: 'start' | 'stop'): Promise<boolean> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/transcription`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...moderatorHeaders(token) },
    body: JSON.stringify({ action }),
  });
  if (!response.ok) throw new Error(`transcription: HTTP ${response.status}`);
  return (await response.json()).active;
}

export async function setRecording(roomId: string, token: string | null, action: 'start' | 'stop'): Promise<boolean> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/recording`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...moderatorHeaders(token) },
    body: JSON.stringify({ action }),
  });
  if (!response.ok) {
    const detail = await response.json().catch(() => ({}));
    throw new Error(detail.error ?? `recording: HTTP ${response.status}`);
  }
  return (await response.json()).active;
}

export interface RecordingFile {
  name: string;
  kind: string;
  participant: string;
  participant_name: string;
  source: string;
  size: number;
  url: string;
}
export interface RecordingItem {
  id: string;
  state: 'recording' | 'stopped' | 'failed';
  started_at: string;
  duration_ms: number;
  size: number;
  error?: string;
  // The video of the whole meeting, made once it stopped.
  composite?: { state: 'pending' | 'rendering' | 'ready' | 'failed'; progress: number; error?: string };
  files: RecordingFile[];
}

export async function listRecordings(roomId: string, token: string | null): Promise<RecordingItem[]> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/recordings`, { headers: moderatorHeaders(token) });
  if (!response.ok) throw new Error(`recordings: HTTP ${response.status}`);
  return (await response.json()).recordings;
}

export async function downloadRecordingFile(file: RecordingFile, token: string | null): Promise<void> {
  await downloadAs(file.url, token, file.name);
}

export async function deleteRecording(roomId: string, id: string, token: string | null): Promise<void> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/recordings/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: moderatorHeaders(token),
  });
  if (!response.ok) throw new Error(`recording: HTTP ${response.status}`);
}

// A moderator's document (transcript, summary), saved under `name` by the browser.
async function downloadAs(url: string, token: string | null, name: string): Promise<void> {
  const response = await fetch(url, { headers: moderatorHeaders(token) });
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  const blob = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = blob;
  link.download = name;
  link.click();
  URL.revokeObjectURL(blob);
}

export async function downloadTranscript(roomId: string, token: string | null, format: 'vtt' | 'srt' | 'md' | 'json'): Promise<void> {
  const room = encodeURIComponent(roomId);
  await downloadAs(`/api/rooms/${room}/transcript?format=${format}`, token, `transcript-${roomId}.${format}`);
}

// The meeting's summary, as the server's language model wrote it.
export async function downloadSummary(roomId: string, token: string | null): Promise<void> {
  await downloadAs(`/api/rooms/${encodeURIComponent(roomId)}/summary?format=md`, token, `summary-${roomId}.md`);
}

export interface MeetingSummaryDoc {
  state: 'none' | 'pending' | 'done' | 'failed';
  error?: string;
  summary: {
    overview: string;
    main_points: string[];
    decisions: string[];
    action_items: { owner: string | null; task: string }[];
    participants: string[];
  } | null;
}

export async function getSummary(roomId: string, token: string | null): Promise<MeetingSummaryDoc> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/summary`, { headers: moderatorHeaders(token) });
  if (!response.ok) throw new Error(`summary: HTTP ${response.status}`);
  return response.json();
}

export async function regenerateSummary(roomId: string, token: string | null): Promise<void> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/summary`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...moderatorHeaders(token) },
    body: JSON.stringify({ action: 'regenerate' }),
  });
  if (!response.ok) throw new Error(`summary: HTTP ${response.status}`);
}

// The page that created a meeting tells the room's page, once, to say "your meeting is ready".
const CREATED_KEY = 'parley.created';
export function noteCreated(id: string): void {
  sessionStorage.setItem(CREATED_KEY, id);
}
export function takeCreated(id: string): boolean {
  if (sessionStorage.getItem(CREATED_KEY) !== id) return false;
  sessionStorage.removeItem(CREATED_KEY);
  return true;
}
