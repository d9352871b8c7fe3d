import { createRoom, getMe, getMyRooms, noteCreated, rememberToken, ROOM_ID, SignInRequired, signOut } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { languageSwitch } from '../languageSwitch';

// The start page: create a meeting, or join one by its code.
export function renderLanding(root: HTMLElement): void {
  const m = t();
  const nameInput = h('input', {
    id: 'meeting-name',
    type: 'text',
    maxlength: 100,
    autocomplete: 'off',
    'data-testid': 'meeting-name-input',
  });
  const createError = h('p', { class: 'form-error', role: 'alert' });
  const createButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'create-meeting' }, m.newMeeting);
  const createForm = h(
    'form',
    { class: 'card', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, m.newMeeting),
    h('label', { for: 'meeting-name' }, m.meetingName),
    nameInput,
    createButton,
    createError,
  );
  createForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    createButton.disabled = true;
    createButton.textContent = m.creating;
    createError.textContent = '';
    try {
      const room = await createRoom(nameInput.value.trim());
      rememberToken(room.id, room.moderator_token);
      noteCreated(room.id);
      location.assign(`/r/${room.id}`);
    } catch (error) {
      createError.replaceChildren(error instanceof SignInRequired
        ? h('a', { href: '/auth/login?return=/', 'data-testid': 'sign-in-to-create' }, m.signInToCreate)
        : m.createFailed);
      createButton.disabled = false;
      createButton.textContent = m.newMeeting;
    }
  });

  const codeInput = h('input', {
    id: 'meeting-code',
    type: 'text',
    placeholder: 'abc-defg-hij',
    autocomplete: 'off',
    spellcheck: 'false',
    'data-testid': 'join-code-input',
  });
  const codeError = h('p', { class: 'form-error', role: 'alert' });
  const joinForm = h(
    'form',
    { class: 'card', 'aria-labelledby': 'join-title' },
    h('h2', { id: 'join-title' }, m.joinWithCode),
    h('label', { for: 'meeting-code' }, m.meetingCode),
    codeInput,
    h('button', { type: 'submit', 'data-testid': 'join-code-button' }, m.join),
    codeError,
  );
  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    // People paste whole links or codes with spaces and capitals.
    const raw = codeInput.value.trim().toLowerCase();
    const code = raw.split('/').pop()?.replace(/\s+/g, '') ?? '';
    if (!ROOM_ID.test(code)) {
      codeError.textContent = m.codeInvalid;
      codeInput.setAttribute('aria-invalid', 'true');
      codeInput.focus();
      return;
    }
    location.assign(`/r/${code}`);
  });

  // Sign in (when the server has an identity provider), or who is signed in and their meetings.
  const account = h('div', { class: 'account', 'data-testid': 'account' });
  const mine = h('section', { class: 'card my-meetings hidden', 'aria-labelledby': 'my-meetings-title', 'data-testid': 'my-meetings' });
  void getMe().then(async (me) => {
    if (!me.sign_in) return;
    if (me.user) {
      const out = h('button', { type: 'button', 'data-testid': 'sign-out' }, m.signOut);
      out.addEventListener('click', () => void signOut());
      account.replaceChildren(h('span', { 'data-testid': 'signed-in-name' }, me.user.name), out);
      const rooms = await getMyRooms();
      if (rooms.length === 0) return;
      mine.replaceChildren(
        h('h2', { id: 'my-meetings-title' }, m.myMeetings),
        h('ul', { class: 'my-meetings-list' }, ...rooms.map((room) =>
          h('li', { 'data-testid': 'my-meeting' },
            h('a', { href: `/r/${room.id}`, 'data-room-id': room.id }, room.name || room.id),
            ' ', h('code', {}, room.id)))),
      );
      mine.classList.remove('hidden');
    } else {
      account.replaceChildren(h('a', { href: '/auth/login?return=/', class: 'button', 'data-testid': 'sign-in' }, m.signIn));
    }
  });

  root.replaceChildren(
    h(
      'main',
      { class: 'landing' },
      h('header', { class: 'landing-header' }, h('h1', {}, m.appName), account, languageSwitch()),
      h('p', { class: 'tagline' }, m.tagline),
      h('div', { class: 'landing-forms' }, createForm, joinForm),
      mine,
      h('footer', { class: 'landing-footer' }, h('a', { href: '/accessibility', 'data-testid': 'accessibility-link' }, m.accessibility)),
    ),
  );
}
