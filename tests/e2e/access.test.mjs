// Who gets into a meeting, with a real identity provider (oidc-provider.mjs) and Chromium:
// signed-in users create and own rooms and find them in "My meetings"; in a trusted room a
// guest waits and is let in without a reload; in a restricted one a signed-in colleague waits
// and is denied; a promoted moderator mutes everyone; a locked room refuses a newcomer; a
// signed-in name cannot be changed. Then, over the bare protocol: a flood of knocks from one
// address is bounded, and only moderators admit.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { after, before, launchBrowser, participantItem, test, within } from './helpers.mjs';
import { signIn, startSignInServer } from './signin-server.mjs';

let parley;
let browser;
let roomId;
let ana;  // Ana Martin, signed in: the room's owner
let bruno;  // Bruno Durand, signed in

before(async () => {
  parley = await startSignInServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await parley?.stop();
});

// A signed-in user's browser, at home.
async function signedIn(login) {
  const session = await signIn(browser, parley, login);
  await session.page.getByTestId('signed-in-name').waitFor({ timeout: 30000 });
  return session;
}

// The participant list of `page` shows `name`.
const sees = (page, name) => participantItem(page, name).waitFor({ timeout: 30000 });

test('a signed-in user creates a meeting, owns it, and finds it in "My meetings"', async () => {
  const anonymous = await fetch(`${parley.base}/api/rooms`, { method: 'POST', body: '{}' });
  assert.equal(anonymous.status, 401, 'with sign-in on, only signed-in users create meetings');

  ana = await signedIn('ana');
  const { page } = ana;
  await page.getByTestId('meeting-name-input').fill('Comité budget');
  await page.getByTestId('create-meeting').click();
  await page.waitForURL(/\/r\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  roomId = new URL(page.url()).pathname.split('/').pop();
  // The owner needs no token: forget the one the page kept, and come back.
  await page.evaluate((id) => localStorage.removeItem(`parley.token.${id}`), roomId);
  await page.reload();
  // Her name is her account's: shown, not editable.
  const name = page.getByTestId('prejoin-name');
  assert.equal(await name.inputValue(), 'Ana Martin');
  assert.equal(await name.getAttribute('readonly'), '');
  await page.getByTestId('prejoin-join').click();
  await sees(page, 'Ana Martin');
  await page.getByTestId('host-controls').waitFor();  // the owner moderates, with no token kept
  assert.equal(await participantItem(page, 'Ana Martin').getByTestId('guest-badge').count(), 0);
  assert.equal(await page.getByTestId('room-access').inputValue(), 'trusted', 'guests wait by default');

  const home = await ana.context.newPage();
  await home.goto(parley.base);
  await home.getByTestId('my-meeting').first().waitFor({ timeout: 15000 });
  assert.match(await home.getByTestId('my-meetings').textContent(), /Comité budget/);
  assert.equal(await home.locator(`[data-testid="my-meeting"] a[data-room-id="${roomId}"]`).count(), 1);
  await home.close();
});

test('in a trusted room a guest waits, is admitted by the owner, and enters without a reload', async () => {
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(`${parley.base}/r/${roomId}?name=Victor&autojoin=1`);
  await guest.getByTestId('waiting-screen').waitFor({ state: 'visible', timeout: 30000 });
  assert.match(await guest.getByTestId('waiting-message').textContent(), /Comité budget/);
  await guest.evaluate(() => { window.sameDocument = true; });

  const waiting = ana.page.getByTestId('waiting-item');
  await waiting.waitFor({ timeout: 15000 });
  assert.equal(await waiting.getAttribute('data-name'), 'Victor');
  assert.equal(await waiting.getByTestId('guest-badge').count(), 1, 'the owner sees a guest');
  await waiting.getByTestId('admit').click();

  await sees(guest, 'Ana Martin');
  assert.equal(await guest.evaluate(() => window.sameDocument), true, 'no reload');
  assert.ok(await guest.getByTestId('waiting-screen').isHidden());
  // Marked as a guest for everyone: the list, the tiles and the chat.
  await sees(ana.page, 'Victor');
  assert.equal(await participantItem(ana.page, 'Victor').getByTestId('guest-badge').count(), 1);
  assert.equal(await participantItem(ana.page, 'Ana Martin').getByTestId('guest-badge').count(), 0);
  await guest.getByTestId('toggle-chat').click();
  await guest.getByTestId('chat-input').fill('Bonjour, merci !');
  await guest.getByTestId('chat-send').click();
  await ana.page.getByTestId('toggle-chat').click();
  const line = ana.page.getByTestId('chat-message').filter({ hasText: 'Bonjour, merci' });
  await line.waitFor({ timeout: 15000 });
  assert.equal(await line.getByTestId('guest-badge').count(), 1);
  await ana.page.getByTestId('toggle-participants').click();
  await guestContext.close();
});

test('in a restricted room a signed-in colleague waits and is denied', async () => {
  await ana.page.getByTestId('room-access').selectOption('restricted');
  await ana.page.getByTestId('toast').filter({ hasText: 'Nobody: everyone waits' }).waitFor({ timeout: 15000 });
  bruno = await signedIn('bruno');
  const page = await bruno.context.newPage();
  await page.goto(`${parley.base}/r/${roomId}?name=Bruno&autojoin=1`);
  await page.getByTestId('waiting-screen').waitFor({ state: 'visible', timeout: 30000 });
  const waiting = ana.page.getByTestId('waiting-item');
  await waiting.waitFor({ timeout: 15000 });
  assert.equal(await waiting.getAttribute('data-name'), 'Bruno Durand');
  assert.equal(await waiting.getByTestId('guest-badge').count(), 0, 'signed in: no guest mark');
  await waiting.getByTestId('deny').click();
  await page.getByText('Ana Martin did not let you in.').waitFor({ timeout: 15000 });
  await page.close();
});

test('a signed-in user cannot change their name, and a promoted moderator mutes everyone', async () => {
  await ana.page.getByTestId('room-access').selectOption('public');
  const page = await bruno.context.newPage();
  // The link asks for another name; the room shows the identity provider's.
  await page.goto(`${parley.base}/r/${roomId}?name=Ana%20Martin&autojoin=1`);
  await sees(page, 'Bruno Durand');
  await sees(ana.page, 'Bruno Durand');
  assert.equal(await participantItem(ana.page, 'Ana Martin').count(), 1, 'nobody poses as Ana');

  await participantItem(ana.page, 'Bruno Durand').getByTestId('moderator-promote').click();
  await page.getByTestId('host-controls').waitFor({ timeout: 15000 });
  await page.getByTestId('mute-all').click();
  await ana.page.getByTestId('toast').filter({ hasText: 'Bruno Durand muted everyone' }).waitFor({ timeout: 15000 });
  await participantItem(page, 'Ana Martin').getByTestId('participant-muted').waitFor({ timeout: 15000 });
  bruno.room = page;
});

test('a locked room refuses a newcomer', async () => {
  await ana.page.getByTestId('toggle-lock').click();
  await ana.page.getByTestId('toast').filter({ hasText: 'locked the meeting' }).waitFor({ timeout: 15000 });
  const context = await browser.newContext();
  const late = await context.newPage();
  await late.goto(`${parley.base}/r/${roomId}?name=Late&autojoin=1`);
  await late.getByText('The meeting is locked: nobody new can join.').waitFor({ timeout: 30000 });
  await context.close();
  await ana.page.getByTestId('toggle-lock').click();
  await bruno.room.close();
});

// A bare protocol client, from the server's loopback address; resolves with the first frame
// that is not a pong.
function knock(name, message = {}) {
  const ws = new WebSocket(`${parley.base.replace('http', 'ws')}/ws/${roomId}`);
  const first = new Promise((resolve, reject) => {
    ws.on('message', (data) => resolve(JSON.parse(String(data))));
    ws.on('error', reject);
  });
  ws.on('open', () => ws.send(JSON.stringify({ type: 'join', version: 1, name, ...message })));
  return { ws, first: within(15000, `${name}: an answer`, first) };
}

test('a waiting-room flood from one address is bounded, and only moderators admit', async () => {
  await ana.page.getByTestId('room-access').selectOption('restricted');
  await ana.page.getByTestId('toast').filter({ hasText: 'Nobody: everyone waits' }).waitFor({ timeout: 15000 });
  const answers = [];
  const sockets = [];
  for (let i = 0; i < 12; i++) {
    const { ws, first } = knock(`Flood ${i}`);
    sockets.push(ws);
    answers.push(await first);
  }
  const waited = answers.filter((a) => a.type === 'waiting').length;
  const limited = answers.filter((a) => a.type === 'error' && a.code === 'rate-limited').length;
  assert.ok(waited >= 1 && waited <= 6, `a few knocks wait (${waited})`);
  assert.equal(waited + limited, 12, `the rest are refused with rate-limited: ${JSON.stringify(answers.map((a) => a.code ?? a.type))}`);

  // A waiting person cannot let the others in.
  const waiter = sockets[answers.findIndex((a) => a.type === 'waiting')];
  const reply = new Promise((resolve) => waiter.on('message', (data) => resolve(JSON.parse(String(data)))));
  waiter.send(JSON.stringify({ type: 'admit', all: true }));
  assert.equal((await within(15000, 'an answer to admit', reply)).code, 'not-joined');
  // Ana sees the knocks (a member's admit is refused with forbidden: tests/signaling); they give up.
  await ana.page.getByTestId('waiting-item').first().waitFor({ timeout: 15000 });
  assert.equal(await ana.page.getByTestId('waiting-item').count(), waited);
  sockets.forEach((ws) => ws.close());
  await ana.page.getByTestId('waiting-item').first().waitFor({ state: 'detached', timeout: 15000 });
  const metrics = await (await fetch(`${parley.base}/metrics`)).text();
  assert.match(metrics, /^parley_waiting_room_requests_total\{outcome="refused"\} [1-9]/m);
  assert.match(metrics, /^parley_waiting_room_requests_total\{outcome="admitted"\} [1-9]/m);
  assert.match(metrics, /^parley_waiting_room_requests_total\{outcome="denied"\} [1-9]/m);
});
