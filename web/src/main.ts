import './styles.css';
import { getMe, getRoom, rememberedToken, ROOM_ID, takeCreated } from './api';
import { h } from './dom';
import { onLanguageChange, t } from './i18n';
import { openLocalMedia } from './media';
import { renderAccessibility } from './pages/accessibility';
import { renderLanding } from './pages/landing';
import { renderNotice } from './pages/notice';
import { renderPrejoin } from './pages/prejoin';
import { RoomView, type RoomEnd } from './room/RoomView';

const root = document.getElementById('app') as HTMLElement;

async function roomPage(roomId: string): Promise<void> {
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? rememberedToken(roomId);
  const room = ROOM_ID.test(roomId) ? await getRoom(roomId, token).catch(() => getRoom(roomId).catch(() => null)) : null;
  if (!room) {
    const show = () => renderNotice(root, t().notFoundTitle, t().notFoundBody);
    show();
    onLanguageChange(show);
    return;
  }
  const justCreated = takeCreated(roomId);
  const autoName = params.get('name')?.trim() ?? '';
  // Automation contract: ?name=NAME&autojoin=1 joins at once with camera and microphone on.
  const autojoin = params.get('autojoin') === '1' && autoName.length > 0;
  // The token and join flags have done their work; keep them out of history and screenshots.
  if (params.has('token') || params.has('autojoin')) history.replaceState(null, '', `/r/${roomId}`);

  const title = room.name || roomId;
  let entries = 0;
  document.title = `${title} · Parley`;
  const enter = async (): Promise<void> => {
    let choice;
    if (autojoin) {
      root.replaceChildren(h('p', { class: 'loading', role: 'status' }, t().connecting));
      choice = { name: autoName, media: await openLocalMedia(true, true), audioOn: true, videoOn: true };
    } else {
      // Signed in: the name is the account's, and the server uses it whatever is typed.
      const me = await getMe().catch(() => null);
      // A rejoin comes back here: who is in has changed since (the first time, the lookup
      // above is fresh; lookups are rate-limited per address).
      const info = entries++ === 0 ? room : (await getRoom(roomId, token).catch(() => null)) ?? room;
      choice = await renderPrejoin(root, { title, info, justCreated }, me?.user?.name);
    }
    new RoomView(root, { roomId, roomName: room.name, token, ...choice }, (end) => ended(end));
  };
  const ended = (end: RoomEnd): void => {
    const m = t();
    const again = { label: m.rejoin, testid: 'rejoin', run: () => void enter() };
    if (end.kind === 'removed') renderNotice(root, m.removedByModerator(end.by), '', undefined);
    else if (end.kind === 'refused') renderNotice(root, m.joinRefused, end.message, undefined);
    else if (end.kind === 'denied') renderNotice(root, m.notLetIn, (m.deniedReasons[end.reason] ?? m.deniedReasons.denied)(end.by), again);
    else if (end.kind === 'ended') renderNotice(root, m.meetingEndedBy(end.by), '', undefined);
    else if (end.kind === 'failed') renderNotice(root, m.connectionFailed, '', again);
    else renderNotice(root, m.youLeft, '', again);
  };
  await enter();
}

// The server sends this page for any address a browser asks for that is not a file or the
// API: the start page, a room, or our own "page not found" in the reader's language.
const match = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
if (match) {
  void roomPage(decodeURIComponent(match[1]));
} else if (location.pathname === '/accessibility') {
  renderAccessibility(root);
  onLanguageChange(() => renderAccessibility(root));
} else if (location.pathname === '/' || location.pathname === '/index.html') {
  renderLanding(root);
  onLanguageChange(() => renderLanding(root));
} else {
  const show = () => renderNotice(root, t().pageNotFoundTitle, t().pageNotFoundBody);
  show();
  onLanguageChange(show);
}
