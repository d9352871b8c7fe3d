// Firefox ESR (the browser of most French administrations) and Chromium in one call: each
// decodes everyone else's video and hears their audio, and a screen shared from Firefox
// reaches the Chromium participants. Firefox offers its BUNDLE'd sections after the first
// with port 0 and a=bundle-only (RFC 8843); the SFU must take them as sending.
//
// Firefox gathers no loopback candidates, so scripts/test runs this file in a network
// namespace of its own (a veth pair inside it; nothing leaves it) and says where the server
// listens in PARLEY_E2E_HOST. Firefox drives through Puppeteer over WebDriver BiDi, with a
// virtual display (Xvfb) because it captures a screen only where there is one.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, after, assertRising, before, createRoom, mediaStats, receivesLayer, startServer, tempDir, test, waitForStats } from './helpers.mjs';
import { chromium } from 'playwright-core';

const HOST = process.env.PARLEY_E2E_HOST;
const skip = HOST ? false : 'run through scripts/test: Firefox needs the network namespace it makes (no loopback ICE)';
let server;
let xvfb;
let chrome;
let firefox;

before(async () => {
  if (skip) return;
  const display = `:${90 + (process.pid % 9)}`;
  xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const dir = tempDir('parley-firefox-');
  const video = path.join(dir, 'camera.y4m');
  const audio = path.join(dir, 'microphone.wav');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-t', '4', '-pix_fmt', 'yuv420p', video]);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000', '-t', '4', '-ac', '1', audio]);
  server = await startServer({ host: HOST, args: ['--udp-ports', '44100-44109'] });
  chrome = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-video-capture=${video}`, `--use-file-for-fake-audio-capture=${audio}`,
      // The namespace's address is not localhost: let getUserMedia treat it as secure.
      `--unsafely-treat-insecure-origin-as-secure=${server.url}`],
  });
  firefox = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: false,
    env: { ...process.env, DISPLAY: display },
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,  // a fake camera and microphone
      'media.navigator.permission.disabled': true,  // no prompts, for devices and screens
      'dom.securecontext.allowlist': HOST,
    },
  });
});

after(async () => {
  await firefox?.close();
  await chrome?.close();
  await server?.stop();
  xvfb?.kill();
});

async function joinChromium(roomId, name) {
  const page = await (await chrome.newContext()).newPage();
  await page.goto(`${server.url}/r/${roomId}?name=${encodeURIComponent(name)}&autojoin=1`);
  await page.locator(`[data-testid="participant-item"][data-name="${name}"]`).waitFor({ timeout: 30000 });
  return page;
}

async function joinFirefox(roomId, name) {
  const context = await firefox.createBrowserContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/r/${roomId}?name=${encodeURIComponent(name)}&autojoin=1`);
  await page.waitForSelector(`[data-testid="participant-item"][data-name="${name}"]`, { timeout: 30000 });
  return page;
}

test('Firefox and Chromium participants see and hear each other, and a screen shared from Firefox', { skip }, async () => {
  const room = await createRoom(server.url);
  const fox = await joinFirefox(room.id, 'Renard');
  const ana = await joinChromium(room.id, 'Ana');
  const bruno = await joinChromium(room.id, 'Bruno');
  const everyone = [['Renard', fox], ['Ana', ana], ['Bruno', bruno]];

  for (const [who, page] of everyone) {
    // Two others, each with a camera that decodes and a microphone that is heard.
    await assertRising(page, 'video', 'framesDecoded', 2, who);
    await assertRising(page, 'audio', 'packetsReceived', 2, who);
    const s = await mediaStats(page);
    assert.ok(s.remoteAddresses.every((a) => a === HOST), `${who} talks to the server only: ${s.remoteAddresses}`);
  }
  // Heard, not only received: the decoded audio has energy (both browsers report it).
  for (const [who, page] of everyone) {
    await waitForStats(page, `${who} hears sound`, (s) =>
      s.inbound.filter((i) => i.kind === 'audio' && i.totalAudioEnergy > 0).length >= 2);
  }

  // Firefox shares its screen: the Chromium participants get it as a third video, shown large.
  await fox.click('[data-testid="toggle-screen"]');
  for (const [who, page] of [['Ana', ana], ['Bruno', bruno]]) {
    await page.getByTestId('screen-tile').waitFor({ timeout: 30000 });
    await assertRising(page, 'video', 'framesDecoded', 3, who);
  }
  // Stopped, it goes everywhere.
  await fox.click('[data-testid="toggle-screen"]');
  for (const page of [ana, bruno]) await page.getByTestId('screen-tile').waitFor({ state: 'detached', timeout: 30000 });

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^parley_ice_consent_checks_total [1-9]/m, 'the server asked every browser for consent');
  await fox.browserContext().close();
  for (const page of [ana, bruno]) await page.context().close();
});

// Video drawn at a given height (CSS pixels), through the CSSOM: the page's CSP refuses
// style elements.
async function drawVideos(page, height) {
  await page.evaluate((height) => {
    for (const video of document.querySelectorAll('[data-testid="remote-video"]')) {
      video.style.setProperty('height', `${height}px`, 'important');
      video.style.setProperty('width', `${Math.round((height * 16) / 9)}px`, 'important');
    }
  }, height);
}

test('a Firefox camera in simulcast reaches each Chromium and Firefox subscriber in the layer its tile needs', { skip }, async () => {
  const room = await createRoom(server.url);
  const fox = await joinFirefox(room.id, 'Renard');
  const ana = await joinChromium(room.id, 'Ana');
  const bruno = await joinChromium(room.id, 'Bruno');
  const renardId = await ana.locator('[data-testid="tile"][aria-label="Renard"]').getAttribute('data-participant-id');

  // Ana draws Renard small and Bruno large (the server stops layers nobody shows), and
  // Firefox sends its camera in several layers of different widths.
  for (const page of [ana, bruno]) {
    await page.locator(`[data-testid="remote-video"][data-participant-id="${renardId}"]`).waitFor();
  }
  await drawVideos(ana, 60);
  await drawVideos(bruno, 700);
  const sent = await waitForStats(fox, 'Firefox sends simulcast layers', (s) => {
    const layers = s.outbound.filter((o) => o.kind === 'video' && o.frameWidth > 0 && o.packetsSent > 0);
    return new Set(layers.map((l) => l.frameWidth)).size >= 2;
  });
  const widths = [...new Set(sent.outbound.filter((o) => o.kind === 'video' && o.frameWidth > 0).map((o) => o.frameWidth))]
    .sort((a, b) => a - b);
  console.log(`# Firefox sends layers ${widths.join(', ')} pixels wide`);

  // Each keeps decoding the layer it needs (the layers' widths are read again at every
  // check: Firefox scales them down while the machine's CPU is short).
  await receivesLayer(ana, fox, renardId, 'smallest', 'Ana receives Renard\'s smallest layer');
  await receivesLayer(bruno, fox, renardId, 'largest', 'Bruno receives Renard\'s largest layer');

  // A Firefox subscriber too: the small layer for a small tile, then a switch up to the
  // largest on its key frame, and Firefox's decoder goes on through the rewritten stream.
  const loup = await joinFirefox(room.id, 'Loup');
  // Sized once Renard's video is there (before, there is nothing to size).
  await loup.waitForSelector(`[data-testid="remote-video"][data-participant-id="${renardId}"]`, { timeout: 30000 });
  await drawVideos(loup, 60);
  await receivesLayer(loup, fox, renardId, 'smallest', 'Loup (Firefox) receives Renard\'s smallest layer');
  await drawVideos(loup, 700);
  await receivesLayer(loup, fox, renardId, 'largest', 'Loup switches up to Renard\'s largest layer');
  await loup.browserContext().close();
  await fox.browserContext().close();
  for (const page of [ana, bruno]) await page.context().close();
});
