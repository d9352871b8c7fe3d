// People in a meeting, in real Chromium: joining, the participant list, chat, hands,
// reactions, moderation, leaving, and a room that outlives a server restart.
import assert from 'node:assert/strict';
import { after, before, createRoom, getRoom, joinRoom, launchBrowser, leaveMeeting, participantItem, participantNames, startServer, test } from './helpers.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('two participants join one room and each sees the other', async () => {
  const room = await createRoom(server.url, { name: 'Réunion hebdo' });
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno Lefèvre');
  await participantItem(ana, 'Bruno Lefèvre').waitFor();
  await participantItem(bruno, 'Ana').waitFor();
  assert.deepEqual(await participantNames(server.url, room), ['Ana', 'Bruno Lefèvre']);
  const { body } = await getRoom(server.url, room.id, room.moderator_token);
  for (const p of body.participants) {
    assert.equal(p.role, 'member');
    assert.ok(p.id && !Number.isNaN(Date.parse(p.joined_at)));
  }
  // Tiles show each person by name; the local tile has the camera preview.
  await ana.getByTestId('tile').filter({ hasText: 'Bruno Lefèvre' }).waitFor();
  await ana.getByTestId('local-video').waitFor();
  // The automation flags and token do not stay in the address bar.
  assert.equal(new URL(ana.url()).search, '');
  await ana.context().close();
  await bruno.context().close();
});

test('a chat message, a raised hand and a reaction reach the other participant', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');

  await ana.getByTestId('toggle-chat').click();
  await ana.getByTestId('chat-input').fill('Bonjour Bruno, tout va bien ?');
  await ana.getByTestId('chat-input').press('Enter');
  await bruno.getByTestId('chat-unread').filter({ hasText: '1' }).waitFor();
  await bruno.getByTestId('toggle-chat').click();
  await bruno.getByTestId('chat-message').filter({ hasText: 'Bonjour Bruno, tout va bien ?' }).waitFor();
  assert.match(await bruno.getByTestId('chat-message').first().textContent(), /Ana/);
  // Chat and participants are tabs of one panel: back to the list.
  await bruno.getByTestId('toggle-participants').click();

  await ana.getByTestId('raise-hand').click();
  await participantItem(bruno, 'Ana').getByTestId('participant-hand').waitFor();
  assert.equal(await ana.getByTestId('raise-hand').getAttribute('aria-pressed'), 'true');
  await ana.getByTestId('raise-hand').click();
  await participantItem(bruno, 'Ana').getByTestId('participant-hand').waitFor({ state: 'detached' });

  await bruno.getByTestId('reactions').click();
  await bruno.getByTestId('reaction-clap').click();
  await ana.getByTestId('tile').filter({ hasText: 'Bruno' }).getByTestId('reaction-bubble').waitFor();

  await ana.getByTestId('toggle-mic').click();
  await participantItem(bruno, 'Ana').getByTestId('participant-muted').waitFor();

  // Someone joining later finds the chat history.
  const carla = await joinRoom(browser, server.url, room.id, 'Carla');
  await carla.getByTestId('toggle-chat').click();
  await carla.getByTestId('chat-message').filter({ hasText: 'Bonjour Bruno' }).waitFor();
  for (const page of [ana, bruno, carla]) await page.context().close();
});

test('a participant who closes the tab disappears from the list', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  await participantItem(ana, 'Bruno').waitFor();
  await bruno.close();
  await participantItem(ana, 'Bruno').waitFor({ state: 'detached' });
  await ana.getByTestId('tile').filter({ hasText: 'Bruno' }).waitFor({ state: 'detached' });
  assert.deepEqual(await participantNames(server.url, room), ['Ana']);
  await ana.context().close();
});

test('a moderator mutes and removes a participant; members cannot', async () => {
  const room = await createRoom(server.url);
  const mod = await joinRoom(browser, server.url, room.id, 'Modératrice', { token: room.moderator_token });
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  await participantItem(mod, 'Ana').waitFor();
  assert.equal(await ana.getByTestId('moderator-remove').count(), 0, 'members have no moderation controls');
  const { body } = await getRoom(server.url, room.id, room.moderator_token);
  assert.deepEqual(body.participants.map((p) => [p.name, p.role]).sort(), [['Ana', 'member'], ['Modératrice', 'moderator']]);

  await participantItem(mod, 'Ana').getByTestId('moderator-mute').click();
  await ana.getByTestId('toast').filter({ hasText: 'muted your microphone' }).waitFor();
  assert.equal(await ana.getByTestId('toggle-mic').getAttribute('aria-pressed'), 'true');
  await participantItem(mod, 'Ana').getByTestId('participant-muted').waitFor();

  await participantItem(mod, 'Ana').getByTestId('moderator-remove').click();
  await ana.getByTestId('notice-title').filter({ hasText: 'removed you' }).waitFor();
  await participantItem(mod, 'Ana').waitFor({ state: 'detached' });
  assert.deepEqual(await participantNames(server.url, room), ['Modératrice']);
  await mod.context().close();
  await ana.context().close();
});

test('the landing page creates a meeting and the creator joins as moderator', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByTestId('meeting-name-input').fill('Point projet');
  await page.getByTestId('create-meeting').click();
  await page.waitForURL(/\/r\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  await page.getByTestId('prejoin-name').fill('Camille');
  await page.getByTestId('prejoin-join').click();
  await participantItem(page, 'Camille').waitFor();
  assert.match(await participantItem(page, 'Camille').textContent(), /moderator/);
  const roomId = new URL(page.url()).pathname.split('/').pop();
  // The creator's browser keeps the room's moderator token.
  const token = await page.evaluate((id) => localStorage.getItem(`parley.token.${id}`), roomId);
  const { body } = await getRoom(server.url, roomId, token);
  assert.equal(body.name, 'Point projet');
  assert.equal(body.participants[0].role, 'moderator');

  // Leaving ends the meeting for this person and empties the room.
  await leaveMeeting(page);
  await page.getByTestId('rejoin').waitFor();
  assert.deepEqual((await getRoom(server.url, roomId, token)).body.participants, []);
  await context.close();
});

test('the client speaks French to French browsers and switches language', async () => {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByTestId('create-meeting').filter({ hasText: 'Nouvelle réunion' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await page.getByTestId('language-switch').selectOption('en');
  await page.getByTestId('create-meeting').filter({ hasText: 'New meeting' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  // A bad code gets an explanation, not a navigation.
  await page.getByTestId('join-code-input').fill('not a code');
  await page.getByTestId('join-code-button').click();
  await page.getByText('A meeting code looks like abc-defg-hij.').waitFor();
  await context.close();
});

test('the main controls can be reached and used with the keyboard', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  await ana.getByTestId('raise-hand').focus();
  await ana.keyboard.press('Enter');
  await participantItem(bruno, 'Ana').getByTestId('participant-hand').waitFor();
  for (const id of ['toggle-mic', 'toggle-camera', 'raise-hand', 'reactions', 'toggle-chat', 'toggle-participants', 'leave']) {
    const label = await ana.getByTestId(id).getAttribute('aria-label');
    assert.ok(label && label.length > 0, `${id} has a label for screen readers`);
  }
  await ana.context().close();
  await bruno.context().close();
});
