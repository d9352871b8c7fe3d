// A subscriber on a weak downlink. scripts/test runs this file in a network namespace of its
// own (the server side); the test makes a second one, Carla's home, joined by a veth pair,
// and limits what reaches it with tc's token bucket (tbf on the server side of the pair: her
// downlink). Ana publishes her camera in three layers; Bruno (unlimited) and Carla draw her
// large. Capped at 400 kbit/s, Carla's downlink estimate falls (transport-wide feedback from
// her browser), the server sends her Ana's smallest layer and her video keeps playing, while
// Bruno keeps the largest; the cap lifted, probes find the room and she climbs back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, after, before, createRoom, joinAt, launchChromiumIn, makeNamespaceLink, receivesLayer, startServer, tempDir,
  test, waitForStats } from './helpers.mjs';

const inNamespace = Boolean(process.env.PARLEY_E2E_HOST);
const skip = inNamespace ? false : 'run through scripts/test: it needs the network namespace it makes, and root';
const SERVER_IP = '10.86.0.1';
const HOME_IP = '10.86.0.2';
const HOME = `parley-home-${process.pid}`;

let server;
let open;
let home;

const tc = (...args) => execFileSync('tc', args, { stdio: ['ignore', 'ignore', 'pipe'] });

before(async () => {
  if (skip) return;
  const dir = tempDir('parley-bandwidth-');
  makeNamespaceLink(HOME, { hostIf: 'vhome', nsIf: 'whome', hostIp: SERVER_IP, nsIp: HOME_IP });
  server = await startServer({ host: SERVER_IP, args: ['--udp-ports', '44500-44501', '--tcp-ports', 'off'] });
  const secureOrigin = `--unsafely-treat-insecure-origin-as-secure=${server.url}`;
  open = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, secureOrigin] });
  home = await launchChromiumIn(HOME, dir, server.url);
});

after(async () => {
  await home?.close();
  await open?.close();
  await server?.stop();
  try { execFileSync('ip', ['netns', 'del', HOME], { stdio: 'ignore' }); } catch { /* not made */ }
});

const join = (browser, roomId, name) => joinAt(browser, server.url, roomId, name);

// Draws `who`'s video `height` CSS pixels tall (0: off screen), through the CSSOM (the
// page's CSP refuses style elements).
async function draw(page, who, height) {
  await page.evaluate(({ who, height }) => {
    for (const video of document.querySelectorAll(`[data-testid="remote-video"][data-participant-id="${who}"]`)) {
      const h = height || 90;
      video.style.setProperty('height', `${h}px`, 'important');
      video.style.setProperty('width', `${Math.round((h * 16) / 9)}px`, 'important');
      video.style.setProperty('position', height ? 'absolute' : 'fixed', 'important');
      video.style.setProperty('top', height ? '0' : '5000px', 'important');
    }
  }, { who, height });
}

const videoOf = (stats, who) => stats.inbound.find((i) => i.kind === 'video' && i.participant === who);

test('a subscriber capped at 400 kbit/s gets the small layer without freezing, and the large one back when the cap lifts', { skip }, async () => {
  const room = await createRoom(server.url);
  const ana = await join(open, room.id, 'Ana');
  const bruno = await join(open, room.id, 'Bruno');
  const carla = await join(home, room.id, 'Carla');
  const id = (name) => bruno.locator(`[data-testid="tile"][aria-label="${name}"]`).getAttribute('data-participant-id');
  const anaId = await id('Ana');
  const brunoId = await id('Bruno');
  const videoIn = (page, who) => page.locator(`[data-testid="remote-video"][data-participant-id="${who}"]`).waitFor();
  await Promise.all([videoIn(carla, anaId), videoIn(carla, brunoId), videoIn(bruno, anaId)]);
  await draw(carla, anaId, 600);
  await draw(carla, brunoId, 0);  // Carla shows Ana only
  await draw(bruno, anaId, 600);
  // Both show Ana large, so she sends every layer (the server stops the ones nobody shows).
  await waitForStats(ana, 'Ana sends three layers', (s) =>
    new Set(s.outbound.filter((o) => o.kind === 'video' && o.rid && o.frameWidth > 0).map((o) => o.frameWidth)).size === 3);
  await receivesLayer(carla, ana, anaId, 'largest', 'Carla receives Ana\'s largest layer before the cap', 45000);

  tc('qdisc', 'add', 'dev', 'vhome', 'root', 'tbf', 'rate', '400kbit', 'burst', '16kbit', 'latency', '200ms');
  const cappedAt = Date.now();
  await receivesLayer(carla, ana, anaId, 'smallest', 'Carla gets Ana\'s smallest layer under the cap', 40000);
  console.log(`# settled on the smallest layer ${Date.now() - cappedAt} ms after the cap`);
  // Frames keep coming, every second, for 8 s; Bruno keeps the largest layer meanwhile.
  let last = videoOf(await waitForStats(carla, 'stats', () => true), anaId).framesDecoded;
  let longestWithoutFrames = 0;
  let since = Date.now();
  const until = Date.now() + 8000;
  while (Date.now() < until) {
    const now = videoOf(await waitForStats(carla, 'stats', () => true), anaId);
    if (now.framesDecoded > last) {
      longestWithoutFrames = Math.max(longestWithoutFrames, Date.now() - since);
      last = now.framesDecoded;
      since = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  longestWithoutFrames = Math.max(longestWithoutFrames, Date.now() - since);
  console.log(`# longest stretch without a decoded frame under the cap: ${longestWithoutFrames} ms`);
  assert.ok(longestWithoutFrames <= 1500, `Carla's video froze for ${longestWithoutFrames} ms`);
  await receivesLayer(bruno, ana, anaId, 'largest', 'Bruno, unlimited, keeps the largest layer', 10000);

  tc('qdisc', 'del', 'dev', 'vhome', 'root');
  const liftedAt = Date.now();
  await receivesLayer(carla, ana, anaId, 'largest', 'Carla climbs back to Ana\'s largest layer', 45000);
  console.log(`# back on the largest layer ${Date.now() - liftedAt} ms after the cap was lifted (the goal: 15 s)`);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^parley_bandwidth_probes_total [1-9]/m, 'probes found the room');
  assert.match(metrics, /^parley_subscriber_downlink_bps_count [1-9]/m, 'subscribers\' estimates are counted');
  for (const page of [ana, bruno, carla]) await page.context().close();
});
