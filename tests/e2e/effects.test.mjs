// Background blur and replacement (MediaPipe selfie segmentation, served by Parley) and
// noise suppression (RNNoise in an AudioWorklet) in Debian's Chromium: switched on in the
// meeting's settings, the processed tracks are the ones sent and the other participant
// decodes them; the model and WebAssembly come from our own server. The cost is measured
// (every Chromium process's CPU time over the same window, without and with the effects, and
// the processed camera's frame rate) and printed, never asserted: docs/performance.md.
// Chromium needs WebGL for MediaPipe: without a GPU here, SwiftShader provides it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, after, before, checkPage, createRoom, joinRoom, participantItem, ROOT, startServer, tempDir, test,
  waitForStats } from './helpers.mjs';

let server;
let browser;
let speech;

before(async () => {
  const dir = tempDir('parley-effects-');
  speech = path.join(dir, 'speech.wav');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-i', path.join(ROOT, 'tests/fixtures/speech/jfk.wav'), '-ar', '48000', '-ac', '1',
    '-c:a', 'pcm_s16le', speech]);
  server = await startServer({ args: ['--udp-ports', '41100-41109'] });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      `--use-file-for-fake-audio-capture=${speech}`] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// CPU seconds of every Chromium process (browser, renderers, GPU, audio) so far.
async function chromiumCpu(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
}

// CPU seconds per second of the whole browser, and the effect's frame rate and cost per
// frame, over `ms`.
async function measure(page, cdp, ms) {
  const cpu = await chromiumCpu(cdp);
  await page.evaluate(() => window.parleyEffects?.effectSample());
  const start = Date.now();
  await page.waitForTimeout(ms);
  const { fps, msPerFrame } = await page.evaluate(() => window.parleyEffects?.effectSample() ?? { fps: 0, msPerFrame: 0 });
  return { cpu: (await chromiumCpu(cdp) - cpu) / ((Date.now() - start) / 1000), fps, msPerFrame };
}

test('background blur and noise suppression are sent, decoded by the others, and measured', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  await ana.getByTestId('open-settings').click();
  const dialog = ana.getByTestId('settings-dialog');
  await checkPage(ana, 'settings-effects-desktop');

  // The cost of noise suppression, with Ana alone and her camera off (a software encoder
  // of 720p simulcast alone fills this machine's two cores): the whole browser's CPU.
  const cdp = await browser.newBrowserCDPSession();
  await dialog.getByTestId('close-settings').click();
  await ana.getByTestId('toggle-camera').click();
  await ana.getByTestId('open-settings').click();
  const without = await measure(ana, cdp, 5000);
  // Noise suppression: the microphone sent is the worklet's output (the raw one is
  // Chromium's fake device, by its label).
  await dialog.getByTestId('effect-noise').check();
  await ana.waitForFunction(() => !/fake/i.test(window.parleyMedia.sentTrack('audio')?.label ?? 'fake'), null, { timeout: 30000 });
  const denoised = await measure(ana, cdp, 5000);
  // Blur as well, the camera on again: the camera sent is the canvas's track; its cost is
  // the main thread's time per frame.
  await dialog.getByTestId('close-settings').click();
  await ana.getByTestId('toggle-camera').click();
  await ana.getByTestId('open-settings').click();
  await dialog.getByTestId('effect-background').selectOption('blur');
  await ana.waitForFunction(() => !/fake/i.test(window.parleyMedia.sentTrack('video')?.label ?? 'fake'), null, { timeout: 60000 });
  await ana.waitForFunction(() => window.parleyEffects.framesPerSecond() > 0, null, { polling: 1000, timeout: 30000 });
  const both = await measure(ana, cdp, 5000);
  await cdp.detach();
  console.log(`effects cost (Chromium, every process, camera off): CPU ${without.cpu.toFixed(3)} s/s without effects, `
    + `${denoised.cpu.toFixed(3)} with noise suppression (+${((denoised.cpu - without.cpu) * 100).toFixed(1)}% of a core); `
    + `blur (SwiftShader, no GPU): ${both.msPerFrame.toFixed(0)} ms of the page's main thread per frame, `
    + `${both.fps.toFixed(1)} processed frames/s while the encoder shares the cores`);
  // Oneself sees the effect too.
  assert.doesNotMatch(await ana.locator('[data-testid="local-video"]').evaluate((v) => v.srcObject.getVideoTracks()[0].label), /fake/i);

  // Bruno decodes the blurred camera and hears the denoised speech.
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  const anaId = await participantItem(bruno, 'Ana').getAttribute('data-participant-id');
  await waitForStats(bruno, 'Ana\'s processed camera and microphone', (stats) =>
    stats.inbound.some((s) => s.kind === 'video' && s.participant === anaId && s.framesDecoded > 3)
    && (stats.inbound.find((s) => s.kind === 'audio' && s.participant === anaId)?.totalAudioEnergy ?? 0) > 0.01);

  // A picture instead of blur, then off: the camera itself goes out again, and the raw
  // microphone.
  await dialog.getByTestId('effect-background').selectOption('office');
  await dialog.getByTestId('effect-background').selectOption('none');
  await ana.waitForFunction(() => /fake/i.test(window.parleyMedia.sentTrack('video')?.label ?? ''));
  await dialog.getByTestId('effect-noise').uncheck();
  await ana.waitForFunction(() => /fake/i.test(window.parleyMedia.sentTrack('audio')?.label ?? ''));
  const served = await (await fetch(`${server.url}/vendor/mediapipe/selfie_segmentation_landscape.tflite`)).arrayBuffer();
  assert.ok(served.byteLength > 100000, 'the model comes from Parley itself');
  for (const page of [ana, bruno]) await page.context().close();
});
