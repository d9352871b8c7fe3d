// Adaptive video in real Chromium: Ana's camera goes out in three layers (simulcast), and
// the server sends each subscriber the layer that fits the tile it draws Ana in, switching
// on key frames so the decoder never stops; a tile that is not on screen receives nothing,
// and gets video again when it comes back.
//
// Chromium's own fake camera at 1280x720 (the client asks for that): at this size Chromium
// sends all three layers.
import assert from 'node:assert/strict';
import { after, before, createRoom, joinRoom, launchBrowser, startServer, test, waitForStats } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--udp-ports', '41040-41049'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// How the page draws received videos: a height in CSS pixels, or off screen. Inline styles
// through the CSSOM (the page's CSP refuses style elements, as it should).
async function drawVideos(page, how) {
  await page.evaluate((how) => {
    for (const video of document.querySelectorAll('[data-testid="remote-video"]')) {
      const height = how === 'off-screen' ? 90 : how;
      video.style.setProperty('height', `${height}px`, 'important');
      video.style.setProperty('width', `${Math.round((height * 16) / 9)}px`, 'important');
      video.style.setProperty('top', how === 'off-screen' ? '5000px' : '0', 'important');
      video.style.setProperty('position', how === 'off-screen' ? 'fixed' : 'absolute', 'important');
    }
  }, how);
}

const anaVideo = (stats, anaId) => stats.inbound.find((i) => i.kind === 'video' && i.participant === anaId);

// The width of Ana's smallest or largest layer now: read at every check, since Chromium
// scales its layers down while its CPU is short (a width read once can stop existing).
async function layerWidth(ana, which) {
  const stats = await ana.evaluate(() => window.parleyMedia.stats());
  const widths = stats.outbound.filter((o) => o.kind === 'video' && o.rid && o.frameWidth > 0).map((o) => o.frameWidth);
  return which === 'smallest' ? Math.min(...widths) : Math.max(...widths);
}

// Ana's video as `page` receives it, once it is her `which` layer and frames keep coming.
async function receivesAna(page, anaId, ana, what, which, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let first = null;
  let last = null;
  for (;;) {
    const expected = await layerWidth(ana, which);
    last = anaVideo(await page.evaluate(() => window.parleyMedia.stats()), anaId);
    if (last && last.frameWidth === expected && last.framesDecoded > 0) {
      first ??= last;
      if (last.framesDecoded > first.framesDecoded + 5) return;
    } else {
      first = null;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: receives ${last?.frameWidth} wide (${last?.framesDecoded} frames), Ana's ${which} layer is ${expected}`);
    }
    await page.waitForTimeout(200);
  }
}

test('each subscriber receives the simulcast layer that fits its tile, and nothing for a tile off screen', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  const anaId = await bruno.locator('[data-testid="tile"][aria-label="Ana"]').getAttribute('data-participant-id');
  const carla = await joinRoom(browser, server.url, room.id, 'Carla');

  // Carla draws Ana small, Bruno large (so that every layer is needed: the server stops
  // the ones nobody shows), and Ana sends three layers of different sizes.
  await drawVideos(carla, 90);
  await drawVideos(bruno, 600);
  const sent = await waitForStats(ana, 'Ana sends three simulcast layers', (s) => {
    const layers = s.outbound.filter((o) => o.kind === 'video' && o.rid && o.framesEncoded > 0 && o.frameWidth > 0);
    return layers.length === 3 && new Set(layers.map((l) => l.frameWidth)).size === 3;
  });
  // Each layer in three temporal layers, for the server to lower a frame rate before a size.
  const modes = sent.outbound.filter((o) => o.kind === 'video' && o.rid).map((o) => o.scalabilityMode);
  assert.deepEqual(modes, ['L1T3', 'L1T3', 'L1T3'], `Ana's layers' scalability modes: ${modes}`);

  // Each gets the layer that fits.
  await receivesAna(carla, anaId, ana, 'Carla receives Ana\'s smallest layer', 'smallest');
  await receivesAna(bruno, anaId, ana, 'Bruno receives Ana\'s largest layer', 'largest');

  // Bruno's tile shrinks: a switch down, on a key frame, and his decoder goes on.
  await drawVideos(bruno, 90);
  await receivesAna(bruno, anaId, ana, 'Bruno switches down to the smallest layer', 'smallest');

  // Carla's tile leaves the screen: Ana's video stops arriving (bytes stand still over a
  // second), while Bruno's keeps coming.
  await drawVideos(carla, 'off-screen');
  let still = null;
  await waitForStats(carla, 'Carla receives nothing of Ana\'s video while it is off screen', (s) => {
    const video = anaVideo(s, anaId);
    const now = Date.now();
    if (!still || video.bytesReceived !== still.bytes) still = { bytes: video.bytesReceived, since: now };
    return now - still.since >= 1000;
  }, 15000);
  await receivesAna(bruno, anaId, ana, 'Bruno still receives Ana', 'smallest');
  const pausedNow = async () => Number(/^parley_video_streams_paused (\d+)/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
  for (const deadline = Date.now() + 5000; (await pausedNow()) < 1;) {
    assert.ok(Date.now() < deadline, 'the paused stream shows in parley_video_streams_paused');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  // Nobody shows Ana large now: after 5 s the server tells her browser to stop its largest
  // layer (its encoder stops: framesEncoded stands still), which spares her CPU and uplink.
  let encoded = null;
  await waitForStats(ana, 'Ana stops encoding her largest layer, which nobody receives', (s) => {
    const layer = s.outbound.find((o) => o.kind === 'video' && o.rid === 'f');
    const now = Date.now();
    if (!encoded || layer.framesEncoded !== encoded.frames) encoded = { frames: layer.framesEncoded, since: now };
    return now - encoded.since >= 1500;
  }, 20000);

  // Back on screen: frames again, soon.
  const paused = anaVideo(await waitForStats(carla, 'Carla\'s stats', () => true), anaId);
  const shownAt = Date.now();
  await drawVideos(carla, 90);
  await waitForStats(carla, 'Carla decodes Ana again once her tile is back', (s) =>
    anaVideo(s, anaId).framesDecoded > paused.framesDecoded, 10000);
  console.log(`# Ana's video back on Carla's screen after ${Date.now() - shownAt} ms (the goal is 2 s)`);

  // Bruno back to large: a switch up, on the largest layer's key frame.
  await drawVideos(bruno, 600);
  await receivesAna(bruno, anaId, ana, 'Bruno switches up to the largest layer', 'largest');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const switches = Number(/^parley_layer_switches_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
  assert.ok(switches >= 3, `layer switches counted: ${switches}`);
  const off = Number(/^parley_publisher_layers_off_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
  const on = Number(/^parley_publisher_layers_on_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
  assert.ok(off >= 1 && on >= 1, `layers stopped ${off} and started again ${on} times`);
  for (const page of [ana, bruno, carla]) await page.context().close();
});
