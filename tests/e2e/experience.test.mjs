// The meeting experience as people live it, in Debian's Chromium at 1280x800 and as a
// 390x844 phone, by clicking and typing (the automation URL only brings in extra people):
// "your meeting is ready" with its link, the code and who is in on the pre-join page, the
// chat that stays at the newest line through room events, links, the hand queue, leaving
// with a confirmation, a removed person refused in their language, our own not-found page,
// the phone's one-row toolbar and bottom sheets, keyboard-only use, and axe-core (WCAG 2.1
// A and AA rules) on every page and state at both sizes: any violation fails the test.
// Devices: fake cameras, microphones and speakers, switched before and during
// the call, the level meter, and "you are muted" when speech reaches a muted microphone.
// A screenshot of each state goes to $PARLEY_SCREENSHOTS (default tests/e2e/screenshots).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, checkPage, joinRoom, launchBrowser, participantItem, ROOT, startServer, tempDir, test, waitForStats } from './helpers.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--udp-ports', '41080-41089'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(viewport, locale = 'en-US') {
  const context = await browser.newContext({ viewport, locale });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  return context.newPage();
}

// Creates a meeting from the start page and joins it through the pre-join page, as its
// owner does; resolves with the page in the room and the meeting's code.
async function createAndJoin(page, suffix, name = 'Ana') {
  await page.goto(server.url);
  await checkPage(page, `landing-${suffix}`);
  await page.getByTestId('meeting-name-input').fill('Point hebdo');
  await page.getByTestId('create-meeting').click();
  await page.waitForURL(/\/r\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  const roomId = new URL(page.url()).pathname.split('/').pop();
  // Ready, with the link to share and its copy button; the code; nobody in yet.
  await page.getByTestId('meeting-ready').waitFor();
  assert.equal(await page.getByTestId('meeting-link').textContent(), `${server.url}/r/${roomId}`);
  await page.getByTestId('copy-meeting-link').click();
  await page.getByTestId('meeting-link-copied').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.url}/r/${roomId}`);
  assert.match(await page.getByTestId('prejoin-code').textContent(), new RegExp(roomId));
  assert.match(await page.getByTestId('prejoin-who').textContent(), /Nobody is in the meeting yet/);
  await page.getByTestId('prejoin-preview').waitFor();
  await checkPage(page, `prejoin-created-${suffix}`);
  await page.getByTestId('prejoin-name').fill(name);
  await page.getByTestId('prejoin-join').click();
  await page.getByTestId('room').waitFor();
  await page.getByTestId('meeting-clock').filter({ hasText: /^\d+:\d\d$/ }).waitFor();
  return roomId;
}

// Someone else at the link, through the pre-join page: sees the code and who is in.
async function joinThroughPrejoin(page, roomId, name, who) {
  await page.goto(`${server.url}/r/${roomId}`);
  await page.getByTestId('prejoin-name').waitFor();
  assert.equal(await page.getByTestId('meeting-ready').count(), 0, 'only the creator is told the meeting is ready');
  await page.getByTestId('prejoin-who').filter({ hasText: who }).waitFor();
  await page.getByTestId('prejoin-name').fill(name);
  await page.getByTestId('prejoin-join').click();
  await page.getByTestId('room').waitFor();
}

const chatPosition = (page) =>
  page.getByTestId('chat-log').evaluate((log) => ({ top: log.scrollTop, fromEnd: log.scrollHeight - log.scrollTop - log.clientHeight }));

test('a meeting on a desktop: ready, chat, hands, leave, removed, not found; no axe violation', async () => {
  const ana = await newPage(DESKTOP);
  const roomId = await createAndJoin(ana, 'desktop');
  const bruno = await newPage(DESKTOP, 'fr-FR');
  await joinThroughPrejoin(bruno, roomId, 'Bruno', /Une personne est dans la réunion/);
  await participantItem(ana, 'Bruno').waitFor();
  await checkPage(ana, 'room-participants-desktop');

  // 30 lines from Bruno, typed; Ana reads along in the chat tab.
  await ana.getByTestId('toggle-chat').click();
  await bruno.getByTestId('toggle-chat').click();
  const input = bruno.getByTestId('chat-input');
  for (let i = 1; i <= 30; i++) {
    await input.fill(i === 30 ? `Ligne 30 : le compte rendu est sur https://wiki.example.fr/cr?id=${i}.` : `Ligne ${i}`);
    await input.press('Enter');
  }
  await ana.getByTestId('chat-message').filter({ hasText: 'Ligne 30' }).waitFor();
  assert.ok((await chatPosition(ana)).fromEnd < 4, 'the newest line is in view');
  const link = ana.getByTestId('chat-message').filter({ hasText: 'Ligne 30' }).locator('a');
  assert.equal(await link.getAttribute('href'), 'https://wiki.example.fr/cr?id=30');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  // A room event (a hand goes up) leaves the chat where it was: at the newest line.
  await bruno.getByTestId('raise-hand').click();
  const queue = ana.getByTestId('hand-queue');
  await queue.filter({ hasText: 'Bruno' }).waitFor();
  assert.ok((await chatPosition(ana)).fromEnd < 4, 'a room event did not move the chat');
  await checkPage(ana, 'room-chat-hand-desktop');

  // Ana scrolls up to read; a new line does not pull her down, a button offers it.
  await ana.getByTestId('chat-log').hover();
  await ana.mouse.wheel(0, -2000);
  await ana.waitForFunction(() => document.querySelector('[data-testid="chat-log"]').scrollTop === 0);
  await input.fill('Ligne 31');
  await input.press('Enter');
  await ana.getByTestId('chat-new-messages').waitFor();
  assert.equal((await chatPosition(ana)).top, 0, 'the reader stays where they were');
  await ana.getByTestId('chat-new-messages').click();
  assert.ok((await chatPosition(ana)).fromEnd < 4);

  // A preview of a new line when the chat is closed, which opens it.
  await ana.getByTestId('toggle-chat').click();
  await input.fill('Vous m’entendez ?');
  await input.press('Enter');
  await ana.getByTestId('chat-preview').filter({ hasText: 'Bruno: Vous m’entendez ?' }).click();
  await ana.getByTestId('chat-input').waitFor();
  assert.equal(await ana.getByTestId('chat-input').evaluate((e) => e === document.activeElement), true);

  // Moderators see hands in the order they went up: Bruno, then Carla.
  const carla = await joinRoom(browser, server.url, roomId, 'Carla');
  await carla.getByTestId('raise-hand').click();
  await queue.getByTestId('hand-queue-item').nth(1).waitFor();
  assert.deepEqual(await queue.getByTestId('hand-queue-item').evaluateAll((items) => items.map((i) => i.dataset.name)), ['Bruno', 'Carla']);
  assert.equal(await bruno.getByTestId('hand-queue').isVisible(), false, 'only moderators get the queue');
  // Who sent a reaction is shown with it.
  await carla.getByTestId('reactions').click();
  await checkPage(carla, 'room-reactions-desktop');
  await carla.getByTestId('reaction-heart').click();
  await ana.getByTestId('reaction-bubble').filter({ hasText: 'Carla' }).waitFor();

  // Leaving asks first; cancelling stays, confirming leaves.
  await carla.getByTestId('leave').click();
  await carla.getByTestId('leave-dialog').waitFor();
  await checkPage(carla, 'leave-dialog-desktop');
  await carla.getByTestId('leave-cancel').click();
  assert.equal(await carla.getByTestId('room').isVisible(), true);
  await carla.getByTestId('leave').click();
  await carla.getByTestId('leave-confirm').click();
  await carla.getByTestId('rejoin').waitFor();
  await checkPage(carla, 'left-desktop');

  // Ana lets nobody in without her: Dora waits, Ana sees her at the door and admits her.
  await ana.getByTestId('toggle-participants').click();
  await ana.getByTestId('room-access').selectOption('restricted');
  await ana.getByTestId('toast').filter({ hasText: 'Nobody: everyone waits' }).waitFor();
  const dora = await newPage(DESKTOP);
  await dora.goto(`${server.url}/r/${roomId}`);
  await dora.getByTestId('prejoin-name').fill('Dora');
  await dora.getByTestId('prejoin-join').click();
  await dora.getByTestId('waiting-screen').waitFor();
  await checkPage(dora, 'waiting-desktop');
  await ana.getByTestId('waiting-item').filter({ hasText: 'Dora' }).waitFor();
  await checkPage(ana, 'room-waiting-list-desktop');
  await ana.getByTestId('admit').click();
  await participantItem(dora, 'Dora').waitFor();
  await dora.context().close();

  // Ana removes Bruno; his browser cannot come back, and he is told so in French.
  await participantItem(ana, 'Bruno').getByTestId('moderator-remove').click();
  await bruno.getByTestId('notice-title').filter({ hasText: 'vous a exclu' }).waitFor();
  await bruno.goto(`${server.url}/r/${roomId}`);
  await bruno.getByTestId('prejoin-name').fill('Bruno');
  await bruno.getByTestId('prejoin-join').click();
  await bruno.getByTestId('notice-body').filter({ hasText: 'vous ne pouvez plus la rejoindre' }).waitFor();
  await checkPage(bruno, 'refused-fr-desktop');

  // A wrong address gets the client's own page, with the 404.
  const response = await ana.context().request.get(`${server.url}/nowhere/at/all`, { headers: { Accept: 'text/html' } });
  assert.equal(response.status(), 404);
  const lost = await newPage(DESKTOP);
  await lost.goto(`${server.url}/nowhere/at/all`);
  await lost.getByTestId('notice-title').filter({ hasText: 'Page not found' }).waitFor();
  await checkPage(lost, 'not-found-desktop');
  await lost.goto(server.url);
  await lost.getByTestId('accessibility-link').click();
  await lost.getByTestId('accessibility-title').filter({ hasText: 'Accessibility statement' }).waitFor();
  await checkPage(lost, 'accessibility-desktop');
  for (const page of [ana, bruno, carla, lost]) await page.context().close();
});

test('a meeting on a phone: one row of controls, bottom sheets, more; no axe violation', async () => {
  const ana = await newPage(PHONE);
  const roomId = await createAndJoin(ana, 'phone');
  const bruno = await joinRoom(browser, server.url, roomId, 'Bruno');
  // The header is one line with the name; the toolbar one row inside the screen.
  await ana.getByTestId('tile').nth(1).waitFor();
  // Two people: Bruno fills the stage, Ana sees herself small in a corner.
  const own = ana.locator('[data-testid="tile"].floating');
  await own.filter({ hasText: 'Ana (you)' }).waitFor();
  const [ownBox, stageBox] = [await own.boundingBox(), await ana.getByTestId('tiles').boundingBox()];
  assert.ok(ownBox.width * ownBox.height < 0.15 * stageBox.width * stageBox.height, 'oneself is small');
  const header = await ana.locator('.room-header').boundingBox();
  assert.ok(header.height < 60, `header on one line (${header.height}px)`);
  const buttons = await ana.locator('.toolbar button:visible').evaluateAll((list) => list.map((b) => b.getBoundingClientRect().toJSON()));
  assert.ok(buttons.length >= 5, `${buttons.length} buttons`);
  const top = buttons[0].top;
  for (const box of buttons) {
    assert.ok(Math.abs(box.top - top) < 2, 'one row');
    assert.ok(box.left >= 0 && box.right <= PHONE.width, 'inside the screen');
    assert.ok(box.width >= 40 && box.height >= 40, 'big enough for a thumb');
  }
  await checkPage(ana, 'room-phone');

  // The participants as a bottom sheet over the stage; closed again from its own button.
  await ana.getByTestId('toggle-participants').click();
  await participantItem(ana, 'Bruno').waitFor();
  const sheet = await ana.getByTestId('side-panel').boundingBox();
  assert.ok(Math.abs(sheet.y + sheet.height - PHONE.height) < 2 && sheet.width === PHONE.width, 'a bottom sheet');
  await checkPage(ana, 'participants-sheet-phone');
  // The waiting room on a phone: Ana lets nobody in without her; Carla waits, Ana admits.
  await ana.getByTestId('room-access').selectOption('restricted');
  await ana.getByTestId('toast').filter({ hasText: 'Nobody: everyone waits' }).waitFor();
  const carla = await newPage(PHONE);
  await carla.goto(`${server.url}/r/${roomId}`);
  await carla.getByTestId('prejoin-name').fill('Carla');
  await carla.getByTestId('prejoin-join').click();
  await carla.getByTestId('waiting-screen').waitFor();
  await checkPage(carla, 'waiting-phone');
  await ana.getByTestId('waiting-item').filter({ hasText: 'Carla' }).waitFor();
  await checkPage(ana, 'waiting-list-phone');
  await ana.getByTestId('admit').click();
  await carla.getByTestId('room').waitFor();
  await carla.context().close();
  await ana.getByTestId('tab-chat').click();
  await ana.getByTestId('chat-input').fill('Depuis mon téléphone');
  await ana.getByTestId('chat-input').press('Enter');
  await ana.getByTestId('chat-message').filter({ hasText: 'Depuis mon téléphone' }).waitFor();
  await checkPage(ana, 'chat-sheet-phone');
  await ana.getByTestId('close-panel').click();
  await ana.getByTestId('side-panel').waitFor({ state: 'hidden' });

  // "More" holds the rest: hand, screen, reactions, captions, the link, the language.
  await ana.getByTestId('more').click();
  const more = ana.getByTestId('more-sheet');
  for (const id of ['raise-hand', 'reactions', 'toggle-captions', 'copy-link', 'language-switch']) {
    assert.equal(await more.getByTestId(id).isVisible(), true, id);
  }
  await checkPage(ana, 'more-sheet-phone');
  await more.getByTestId('reactions').click();
  await more.getByTestId('reaction-menu').waitFor();
  await checkPage(ana, 'reactions-phone');
  await more.getByTestId('reaction-clap').click();
  await ana.getByTestId('more').click();
  await more.getByTestId('raise-hand').click();
  await ana.getByTestId('more-sheet').waitFor({ state: 'hidden' });
  await ana.getByTestId('hand-queue').filter({ hasText: 'Ana' }).waitFor();
  await ana.getByTestId('leave').click();
  await checkPage(ana, 'leave-dialog-phone');
  await ana.getByTestId('leave-confirm').click();
  await ana.getByTestId('rejoin').waitFor();
  await checkPage(ana, 'left-phone');
  await ana.goto(`${server.url}/r/zzz-zzzz-zzz`);
  await ana.getByTestId('notice-title').filter({ hasText: 'Meeting not found' }).waitFor();
  await checkPage(ana, 'meeting-not-found-phone');
  await ana.goto(`${server.url}/nowhere`);
  await ana.getByTestId('notice-title').filter({ hasText: 'Page not found' }).waitFor();
  await checkPage(ana, 'not-found-phone');
  await ana.goto(`${server.url}/accessibility`);
  await ana.getByTestId('accessibility-title').waitFor();
  await checkPage(ana, 'accessibility-phone');
  for (const page of [ana, bruno]) await page.context().close();
});

// Presses Tab until the element with `testid` has the focus, as a keyboard user does.
async function tabTo(page, testid, limit = 40) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((id) => document.activeElement?.dataset?.testid === id, testid)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${testid}: not reached with ${limit} presses of Tab`);
}

test('a meeting with the keyboard alone: join, mute, chat, leave, with the focus always visible', async () => {
  const page = await newPage(DESKTOP);
  const room = await (await fetch(`${server.url}/api/rooms`, { method: 'POST' })).json();
  await page.goto(`${server.url}/r/${room.id}`);
  await page.getByTestId('prejoin-name').waitFor();
  // The name field has the focus on arrival.
  await page.keyboard.type('Denis');
  await page.keyboard.press('Enter');
  await page.getByTestId('room').waitFor();
  await participantItem(page, 'Denis').waitFor();
  await tabTo(page, 'toggle-mic');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused button shows it');
  await page.keyboard.press('Enter');
  await participantItem(page, 'Denis').getByTestId('participant-muted').waitFor();
  await tabTo(page, 'toggle-chat');
  await page.keyboard.press('Enter');
  // Opening the chat puts the focus in its field.
  await page.keyboard.type('Bonjour au clavier');
  await page.keyboard.press('Enter');
  await page.getByTestId('chat-message').filter({ hasText: 'Bonjour au clavier' }).waitFor();
  await tabTo(page, 'leave');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'leave-confirm');
  await page.keyboard.press('Escape');
  await page.getByTestId('leave-dialog').waitFor({ state: 'hidden' });
  await page.keyboard.press('Enter');  // the focus went back to the leave button
  await page.keyboard.press('Enter');
  await page.getByTestId('rejoin').waitFor();
  await page.context().close();
});

// The sender's track and the preview's, by device id, in the page.
const sentDevice = (page, kind) => page.evaluate((kind) => window.parleyMedia.sentTrack(kind)?.getSettings().deviceId, kind);

test('devices: choose camera, microphone and speaker before and during the call; you are muted', async () => {
  // A microphone that speaks (a recording, looped), and three cameras: Chromium's second
  // fake camera gives depth frames (Y16) that no encoder takes, so the test uses the first
  // (I420) and the third (MJPEG).
  const dir = tempDir('parley-devices-');
  const speech = path.join(dir, 'speech.wav');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-i', path.join(ROOT, 'tests/fixtures/speech/jfk.wav'), '-ar', '48000', '-ac', '1',
    '-c:a', 'pcm_s16le', speech]);
  const devices = await launchBrowser(['--use-fake-device-for-media-stream=device-count=3', `--use-file-for-fake-audio-capture=${speech}`]);
  try {
    const room = await (await fetch(`${server.url}/api/rooms`, { method: 'POST' })).json();
    const ana = await (await devices.newContext({ viewport: DESKTOP })).newPage();
    await ana.goto(`${server.url}/r/${room.id}`);
    await ana.getByTestId('prejoin-name').click();
    const cameras = ana.getByTestId('device-videoinput');
    await cameras.locator('option').nth(2).waitFor({ state: 'attached' });
    assert.equal(await cameras.locator('option').count(), 3);
    assert.ok(await ana.getByTestId('device-audioinput').locator('option').count() >= 2);
    // The level moves with the voice.
    await ana.waitForFunction(() => document.querySelector('[data-testid="mic-level"]').value > 0.3);
    const second = await cameras.locator('option', { hasText: 'fake_device_2' }).getAttribute('value');
    await cameras.selectOption(second);
    await ana.waitForFunction((id) => document.querySelector('[data-testid="prejoin-preview"]').srcObject
      .getVideoTracks()[0]?.getSettings().deviceId === id, second);
    await checkPage(ana, 'prejoin-devices-desktop');
    await ana.getByTestId('prejoin-name').fill('Ana');
    await ana.getByTestId('prejoin-join').click();
    await participantItem(ana, 'Ana').waitFor();
    // The chosen camera is the one sent.
    await ana.waitForFunction(() => window.parleyMedia?.sentTrack('video'));
    assert.equal(await sentDevice(ana, 'video'), second);

    const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
    const anaId = await participantItem(bruno, 'Ana').getAttribute('data-participant-id');
    await waitForStats(bruno, 'Ana\'s video decoded', (stats) => stats.inbound.some((s) => s.kind === 'video' && s.participant === anaId && s.framesDecoded > 10));

    // In the call: the other camera, another microphone, another speaker.
    await ana.getByTestId('open-settings').click();
    const dialog = ana.getByTestId('settings-dialog');
    await dialog.waitFor();
    await checkPage(ana, 'settings-dialog-desktop');
    const first = await dialog.getByTestId('device-videoinput').locator('option', { hasText: 'fake_device_0' }).getAttribute('value');
    await dialog.getByTestId('device-videoinput').selectOption(first);
    await ana.waitForFunction((id) => window.parleyMedia.sentTrack('video')?.getSettings().deviceId === id, first);
    const mic = await dialog.getByTestId('device-audioinput').locator('option').nth(1).getAttribute('value');
    await dialog.getByTestId('device-audioinput').selectOption(mic);
    await ana.waitForFunction((id) => window.parleyMedia.sentTrack('audio')?.getSettings().deviceId === id, mic);
    const decodedBefore = (await bruno.evaluate(() => window.parleyMedia.stats())).inbound
      .filter((s) => s.kind === 'video' && s.participant === anaId).reduce((n, s) => n + s.framesDecoded, 0);
    await waitForStats(bruno, 'Ana\'s new camera decoded', (stats) => stats.inbound
      .filter((s) => s.kind === 'video' && s.participant === anaId).reduce((n, s) => n + s.framesDecoded, 0) > decodedBefore + 30);
    const speaker = await dialog.getByTestId('device-audiooutput').locator('option').nth(2).getAttribute('value');
    await dialog.getByTestId('device-audiooutput').selectOption(speaker);
    await ana.waitForFunction((id) => [...document.querySelectorAll('[data-testid="remote-audio"] audio')]
      .every((audio) => audio.sinkId === id) && document.querySelectorAll('[data-testid="remote-audio"] audio').length > 0, speaker);
    await dialog.getByTestId('close-settings').click();

    // The camera unplugged (its track ends): the default camera takes its place.
    const unplugged = await ana.evaluate(() => {
      const track = window.parleyMedia.sentTrack('video');
      track.stop();
      track.dispatchEvent(new Event('ended'));
      return track.id;
    });
    await ana.getByTestId('toast').filter({ hasText: 'camera was reconnected' }).waitFor();
    assert.notEqual(await ana.evaluate(() => window.parleyMedia.sentTrack('video').id), unplugged);
    assert.equal(await ana.evaluate(() => window.parleyMedia.sentTrack('video').readyState), 'live');

    // Talking into a muted microphone gets a reminder.
    await ana.getByTestId('toggle-mic').click();
    await ana.getByTestId('toast').filter({ hasText: 'You are muted' }).waitFor({ timeout: 15000 });
    // The choice is remembered for the next meeting.
    const saved = await ana.evaluate(() => JSON.parse(localStorage.getItem('parley.devices')));
    assert.deepEqual([saved.videoinput, saved.audioinput, saved.audiooutput], [first, mic, speaker]);
    await bruno.context().close();
  } finally {
    await devices.close();
  }
});
