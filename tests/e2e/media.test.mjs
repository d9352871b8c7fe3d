// Media through the SFU, in real Chromium: three people send a video and a sound file that
// ffmpeg made for the test, and each receives the other two through the server's UDP ports.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, after, assertRising, before, createRoom, joinRoom, launchBrowser, leaveMeeting, mediaStats, participantItem, startServer, tempDir, test, waitForStats } from './helpers.mjs';

const UDP_LO = 41000;
const UDP_HI = 41009;
let server;
let browser;

before(async () => {
  const dir = tempDir('parley-media-');
  const video = path.join(dir, 'camera.y4m');
  const audio = path.join(dir, 'microphone.wav');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-t', '4', '-pix_fmt', 'yuv420p', video]);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000', '-t', '4', '-ac', '1', audio]);
  server = await startServer({ args: ['--udp-ports', `${UDP_LO}-${UDP_HI}`] });
  browser = await launchBrowser([
    `--use-file-for-fake-video-capture=${video}`,
    `--use-file-for-fake-audio-capture=${audio}`,
    '--auto-select-desktop-capture-source=Entire screen',
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const stats = mediaStats;

async function metric(name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

test('three participants receive each other\'s audio and video through the server', async () => {
  const room = await createRoom(server.url);
  const names = ['Ana', 'Bruno', 'Camille'];
  const pages = [];
  for (const name of names) pages.push(await joinRoom(browser, server.url, room.id, name));

  for (const page of pages) {
    await assertRising(page, 'video', 'framesDecoded', 2);
    await assertRising(page, 'audio', 'packetsReceived', 2);
    // The selected candidate pairs point at the server's media ports: media went through it.
    const s = await stats(page);
    assert.equal(s.remotePorts.length, 2, 'a publishing and a receiving transport');
    for (const port of s.remotePorts) assert.ok(port >= UDP_LO && port <= UDP_HI, `remote port ${port}`);
    for (const address of s.remoteAddresses) assert.equal(address, '127.0.0.1');
    // Each remote camera is in its owner's tile.
    for (const other of names) {
      const id = await participantItem(page, other).getAttribute('data-participant-id');
      if (await page.getByTestId('local-video').locator('xpath=..').getAttribute('data-participant-id') === id) continue;
      await page.locator(`[data-testid="tile"][data-participant-id="${id}"] [data-testid="remote-video"]`).waitFor();
    }
  }
  // Someone is speaking (the test tone): the server names an active speaker, highlighted.
  for (const page of pages) await page.locator('[data-testid="tile"].speaking').first().waitFor();
  assert.ok((await metric('parley_rtp_packets_forwarded_total')) > 0);
  assert.ok((await metric('parley_keyframe_requests_total')) > 0, 'new subscribers asked for key frames');

  // A screen share reaches the others, shown large.
  await pages[0].getByTestId('toggle-screen').click();
  for (const page of pages.slice(1)) {
    await page.getByTestId('screen-tile').waitFor();
    await assertRising(page, 'video', 'framesDecoded', 3);
  }
  // The presenter is told, and stops from that bar; the share goes away everywhere.
  const presenting = pages[0].getByTestId('presenting');
  await presenting.waitFor();
  await presenting.getByTestId('stop-presenting').click();
  await presenting.waitFor({ state: 'hidden' });
  for (const page of pages.slice(1)) await page.getByTestId('screen-tile').waitFor({ state: 'detached' });

  // Full screen, and back (a user gesture: the click).
  const fullScreen = pages[0].getByTestId('fullscreen');
  await fullScreen.click();
  await pages[0].waitForFunction(() => document.fullscreenElement !== null);
  assert.equal(await fullScreen.getAttribute('aria-pressed'), 'true');
  await fullScreen.click();
  await pages[0].waitForFunction(() => document.fullscreenElement === null);
  assert.equal(await fullScreen.getAttribute('aria-pressed'), 'false');

  // Muting shows on the others' screens.
  await pages[1].getByTestId('toggle-camera').click();
  await participantItem(pages[0], 'Bruno').waitFor();
  const brunoId = await participantItem(pages[0], 'Bruno').getAttribute('data-participant-id');
  await pages[0].locator(`[data-testid="tile"][data-participant-id="${brunoId}"].video-off`).waitFor();

  // A leaving participant's tiles and tracks go.
  const camilleId = await participantItem(pages[0], 'Camille').getAttribute('data-participant-id');
  await leaveMeeting(pages[2]);
  for (const page of pages.slice(0, 2)) {
    await page.locator(`[data-testid="tile"][data-participant-id="${camilleId}"]`).waitFor({ state: 'detached' });
    await page.locator(`[data-testid="remote-video"][data-participant-id="${camilleId}"]`).waitFor({ state: 'detached' });
    await page.locator(`audio[data-participant-id="${camilleId}"]`).waitFor({ state: 'detached' });
  }
  // The two who stay still receive each other.
  await assertRising(pages[0], 'audio', 'packetsReceived', 1);
  for (const page of pages) await page.context().close();
});

test('a room spread over two media workers: everyone receives everyone', async () => {
  // A second server whose rooms spill onto the other worker past 2 streams: once Ana
  // publishes (2 tracks), the next participant goes to the other worker, and Ana's tracks are
  // piped there; key frame requests from there travel back to Ana's worker.
  const lo = UDP_HI + 1;
  const split = await startServer({ args: ['--udp-ports', `${lo}-${lo + 9}`, '--media-workers', '2', '--worker-streams', '2'] });
  try {
    const room = await createRoom(split.url);
    const ana = await joinRoom(browser, split.url, room.id, 'Ana');
    await waitForStats(ana, 'Ana publishing', (s) => s.outbound.filter((o) => o.packetsSent > 0).length >= 2);
    const bruno = await joinRoom(browser, split.url, room.id, 'Bruno');
    await waitForStats(bruno, 'Bruno publishing', (s) => s.outbound.filter((o) => o.packetsSent > 0).length >= 2);
    const camille = await joinRoom(browser, split.url, room.id, 'Camille');
    const pages = [ana, bruno, camille];
    for (const page of pages) {
      await assertRising(page, 'video', 'framesDecoded', 2);
      await assertRising(page, 'audio', 'packetsReceived', 2);
    }
    const ports = new Set();
    for (const page of pages) for (const port of (await stats(page)).remotePorts) ports.add(port);
    assert.equal(ports.size, 2, `the participants use both workers' ports: ${[...ports]}`);
    const text = await (await fetch(`${split.url}/metrics`)).text();
    assert.match(text, /^parley_media_rooms_spanning_workers 1$/m);
    assert.ok(Number(/^parley_rtp_packets_piped_total (\d+)/m.exec(text)[1]) > 0, 'tracks were piped between workers');
    // One active speaker for the whole room, whichever worker hears them.
    for (const page of pages) await page.locator('[data-testid="tile"].speaking').first().waitFor();
    // Bruno, alone on his worker, leaves: the others lose his tiles and keep each other.
    const brunoId = await participantItem(ana, 'Bruno').getAttribute('data-participant-id');
    await leaveMeeting(bruno);
    for (const page of [ana, camille]) {
      await page.locator(`[data-testid="tile"][data-participant-id="${brunoId}"]`).waitFor({ state: 'detached' });
      await assertRising(page, 'video', 'framesDecoded', 1);
    }
    for (const page of pages) await page.context().close();
  } finally {
    await split.stop();
  }
});

test('a participant who vanishes without a word does not disturb the others', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  const ghostContext = await browser.newContext();
  const ghost = await ghostContext.newPage();
  await ghost.goto(`${server.url}/r/${room.id}?name=Ghost&autojoin=1`);
  await participantItem(ana, 'Ghost').waitFor();
  await assertRising(ana, 'video', 'framesDecoded', 2);
  // The whole browser context goes at once: no leave, no goodbye.
  await ghostContext.close();
  await participantItem(ana, 'Ghost').waitFor({ state: 'detached', timeout: 20000 });
  await assertRising(ana, 'video', 'framesDecoded', 1);
  await assertRising(bruno, 'video', 'framesDecoded', 1);
  await ana.context().close();
  await bruno.context().close();
});

test('garbage on the media port is dropped and counted, and media keeps flowing', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  await assertRising(ana, 'video', 'framesDecoded', 1);
  const { remotePorts } = await stats(ana);
  const dgram = await import('node:dgram');
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const send = (bytes) => new Promise((resolve) => socket.send(Buffer.from(bytes), remotePorts[0], '127.0.0.1', resolve));
  const before = await (await fetch(`${server.url}/metrics`)).text();
  // STUN without integrity, a fake DTLS record, RTP and RTCP from a stranger, noise.
  await send([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, ...Array(12).fill(7)]);
  await send([22, 0xfe, 0xfd, ...Array(40).fill(1)]);
  await send([0x80, 96, 0, 1, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, ...Array(100).fill(3)]);
  await send([0x81, 200, 0, 6, ...Array(24).fill(9)]);
  for (let i = 0; i < 50; i++) await send(Array.from({ length: 1 + (i * 37) % 1400 }, (_, k) => (k * 131 + i) & 0xff));
  socket.close();
  await assertRising(bruno, 'video', 'framesDecoded', 1);
  const afterText = await (await fetch(`${server.url}/metrics`)).text();
  const dropped = (text) => [...text.matchAll(/^parley_media_dropped_total\{reason="[a-z_]+"\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
  // Counters are published once a second by each worker.
  const deadline = Date.now() + 5000;
  let now = dropped(afterText);
  while (now <= dropped(before) && Date.now() < deadline) {
    await ana.waitForTimeout(200);
    now = dropped(await (await fetch(`${server.url}/metrics`)).text());
  }
  assert.ok(now >= dropped(before) + 50, `dropped ${now - dropped(before)} of 54`);
  await ana.context().close();
  await bruno.context().close();
});

test('a participant whose camera and microphone are refused is told, joins, and still receives', async () => {
  // No fake permission prompt: headless Chromium refuses getUserMedia.
  const refusing = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'),
  });
  try {
    const room = await createRoom(server.url);
    const ana = await joinRoom(browser, server.url, room.id, 'Ana');
    const page = await (await refusing.newContext()).newPage();
    await page.goto(`${server.url}/r/${room.id}?name=Denis&autojoin=1`);
    await page.getByTestId('device-message').filter({ hasText: 'refused' }).waitFor();
    await participantItem(page, 'Ana').waitFor();
    assert.equal(await page.getByTestId('toggle-mic').isDisabled(), true);
    await assertRising(page, 'video', 'framesDecoded', 1);
    await participantItem(ana, 'Denis').getByTestId('participant-muted').waitFor();
    await ana.context().close();
  } finally {
    await refusing.close();
  }
});
