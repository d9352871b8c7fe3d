// Adaptive video in real Chromium: Ana's camera goes out in three layers (simulcast), and
// the server sends each subscriber the layer that fits the tile it draws Ana in, switching
// on key frames so the decoder never stops; a tile that is not on screen receives nothing,
// and gets video again when it comes back.
//
// Chromium's own fake camera at 1280x720 (the client asks for that): at this size Chromium
// sends all three layers.
import assert from 'node:assert/strict';
import { after, before, createRoom, joinRoom, launchBrowser, receivesLayer, startServer, test, waitForStats } from './helpers.mjs';

let server;
let browser;

before(async () => {
  // At debug level the server logs each bandwidth decision: a failure quotes the last ones.
  server = await startServer({ args: ['--udp-ports', '41040-41049', '--log-level', 'debug'] });
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

// Runs `steps`; a failure also says what the server last decided about bandwidth (a subscriber
// kept on a small layer by its downlink estimate looks the same from the browser).
async function quotingServer(steps) {
  try {
    await steps();
  } catch (error) {
    const decisions = server.log().split('\n').filter((line) => /downlink estimate|probe to|gets .* at layer/.test(line));
    error.message += `\nthe server's last decisions:\n${decisions.slice(-12).map((l) => l.replace(/^\[[^\]]*\] \[parley\] \[debug\] /, '')).join('\n')}`;
    throw error;
  }
}

// Bruno and Carla with their cameras off: Ana's video is what this is about, and three
// browsers each encoding three layers and decoding two cameras left CI's two cores so short
// that the receivers' feedback came in bursts.
async function cameraOff(page) {
  await page.getByTestId('toggle-camera').click();
  await page.locator('[data-testid="toggle-camera"][aria-pressed="true"]').waitFor();
}

const anaVideo = (stats, anaId) => stats.inbound.find((i) => i.kind === 'video' && i.participant === anaId);

test('each subscriber receives the simulcast layer that fits its tile, and nothing for a tile off screen', () => quotingServer(async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  await cameraOff(bruno);
  const anaId = await bruno.locator('[data-testid="tile"][aria-label="Ana"]').getAttribute('data-participant-id');
  const carla = await joinRoom(browser, server.url, room.id, 'Carla');
  await cameraOff(carla);

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
  await receivesLayer(carla, ana, anaId, 'smallest', 'Carla receives Ana\'s smallest layer', 20000);
  await receivesLayer(bruno, ana, anaId, 'largest', 'Bruno receives Ana\'s largest layer', 20000);

  // Bruno's tile shrinks: a switch down, on a key frame, and his decoder goes on.
  await drawVideos(bruno, 90);
  await receivesLayer(bruno, ana, anaId, 'smallest', 'Bruno switches down to the smallest layer', 20000);

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
  await receivesLayer(bruno, ana, anaId, 'smallest', 'Bruno still receives Ana', 20000);
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
  await receivesLayer(bruno, ana, anaId, 'largest', 'Bruno switches up to the largest layer', 20000);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const switches = Number(/^parley_layer_switches_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
  assert.ok(switches >= 3, `layer switches counted: ${switches}`);
  const off = Number(/^parley_publisher_layers_off_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
  const on = Number(/^parley_publisher_layers_on_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
  assert.ok(off >= 1 && on >= 1, `layers stopped ${off} and started again ${on} times`);
  for (const page of [ana, bruno, carla]) await page.context().close();
}));
