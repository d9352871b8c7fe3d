// Recording in real Chromium: three people, each sending their own tone, are recorded by a
// moderator for 20 s while one of them shares the screen. Each track becomes a file ffprobe
// reads with its duration; the composite is a video of the meeting whose sound holds every
// tone; the files download by byte ranges, for moderators only. A recording on a disk that
// fills up stops by itself, its files still play, and the call goes on.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  after, assertRising, before, checkPage, createRoom, getRoom, joinRoom, launchBrowser, startServer, tempDir, test, until,
} from './helpers.mjs';

const RECORD_MS = 20000;
const TONES = { Ana: 440, Bruno: 660, Camille: 990 };
let dir;
let server;
const browsers = {};

// ffprobe's view of a file: its streams and duration.
function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,codec_type,width,height',
    '-of', 'json', file], { encoding: 'utf8' });
  const parsed = JSON.parse(out);
  return { streams: parsed.streams, duration: Number(parsed.format.duration) };
}

// The mean level (dB) of a file's sound around `hertz` (ffmpeg's volumedetect, on stderr).
function meanVolume(file, hertz) {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af',
    `bandpass=f=${hertz}:width_type=q:w=8,volumedetect`, '-f', 'null', '-'], { encoding: 'utf8' });
  const match = /mean_volume: (-?[\d.]+) dB/.exec(result.stderr);
  if (!match) throw new Error(`ffmpeg on ${file}: ${result.stderr.slice(-300)}`);
  return Number(match[1]);
}

async function recordings(url, room, token = room.moderator_token) {
  const response = await fetch(`${url}/api/rooms/${room.id}/recordings`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

async function download(url, file, token, target) {
  const response = await fetch(`${url}${file.url}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `${file.name}: whole file`);
  writeFileSync(target, Buffer.from(await response.arrayBuffer()));
  return target;
}

before(async () => {
  dir = tempDir('parley-recording-');
  const video = path.join(dir, 'camera.y4m');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-t', '4', '-pix_fmt', 'yuv420p', video]);
  for (const [name, hertz] of Object.entries(TONES)) {
    const audio = path.join(dir, `${name}.wav`);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=${hertz}:sample_rate=48000`, '-t', '10', '-ac', '1', audio]);
    browsers[name] = await launchBrowser([`--use-file-for-fake-video-capture=${video}`, `--use-file-for-fake-audio-capture=${audio}`,
      '--auto-select-desktop-capture-source=Entire screen']);
  }
  const store = path.join(dir, 'recordings');
  mkdirSync(store);
  server = await startServer({ args: ['--udp-ports', '44000-44009', '--recordings', store] });
});

after(async () => {
  for (const browser of Object.values(browsers)) await browser.close();
  await server?.stop();
});

test('a moderator records three people and a screen share: a file per track, a composite with every voice', async () => {
  const room = await createRoom(server.url, { name: 'Recorded' });
  const other = await createRoom(server.url);
  const ana = await joinRoom(browsers.Ana, server.url, room.id, 'Ana', { token: room.moderator_token });
  const bruno = await joinRoom(browsers.Bruno, server.url, room.id, 'Bruno');
  const camille = await joinRoom(browsers.Camille, server.url, room.id, 'Camille');
  const pages = [ana, bruno, camille];
  for (const page of pages) await assertRising(page, 'video', 'framesDecoded', 2);
  // Only moderators see the control.
  assert.equal(await bruno.getByTestId('toggle-recording').isVisible(), false);

  await ana.getByTestId('toggle-recording').click();
  const started = Date.now();
  for (const page of pages) await page.getByTestId('recording-indicator').waitFor();
  // Whoever is about to join is told before they enter.
  assert.equal((await getRoom(server.url, room.id)).body.recording, true);
  const visitor = await (await browsers.Bruno.newContext()).newPage();
  await visitor.goto(`${server.url}/r/${room.id}`);
  await visitor.getByTestId('prejoin-recording').waitFor();
  await visitor.context().close();

  // Ana shares her screen for a while.
  await ana.getByTestId('toggle-screen').click();
  await bruno.getByTestId('screen-tile').waitFor();
  const shareStarted = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 8000));
  await ana.getByTestId('presenting').getByTestId('stop-presenting').click();
  await bruno.getByTestId('screen-tile').waitFor({ state: 'detached' });
  const shared = (Date.now() - shareStarted) / 1000;
  // The recording's length is what this test is about: it runs for RECORD_MS.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, RECORD_MS - (Date.now() - started))));
  await ana.getByTestId('toggle-recording').click();
  for (const page of pages) await page.getByTestId('recording-indicator').waitFor({ state: 'hidden' });
  const recorded = (Date.now() - started) / 1000;

  // The composite renders; the moderator is told.
  let item;
  await until(180000, 'the composite is rendered', async () => {
    [item] = (await recordings(server.url, room)).body.recordings;
    return item?.composite?.state === 'ready' || item?.composite?.state === 'failed';
  });
  assert.equal(item.composite.state, 'ready', item.composite.error);
  assert.equal(item.state, 'stopped');
  assert.ok(Math.abs(item.duration_ms / 1000 - recorded) < 1.5, `recorded ${recorded} s, listed ${item.duration_ms} ms`);
  await ana.getByTestId('view-recordings').click();
  await ana.getByTestId('recording-item').waitFor();
  await checkPage(ana, 'room-recordings');
  await ana.getByTestId('recordings-close').click();

  // A file per track, each as long as it was recorded.
  const files = item.files.filter((f) => f.kind !== 'composite');
  const bySource = (source) => files.filter((f) => f.source === source);
  assert.equal(bySource('camera').length, 3, JSON.stringify(files));
  assert.equal(bySource('microphone').length, 3, JSON.stringify(files));
  assert.equal(bySource('screen').length, 1, JSON.stringify(files));
  const local = path.join(dir, 'downloads');
  mkdirSync(local);
  for (const file of files) {
    const probed = probe(await download(server.url, file, room.moderator_token, path.join(local, file.name)));
    const expected = file.source === 'screen' ? shared : recorded;
    assert.ok(Math.abs(probed.duration - expected) < 1.5, `${file.name}: ${probed.duration} s, expected about ${expected} s`);
    assert.equal(probed.streams[0].codec_type, file.kind);
  }

  // The composite: H.264 and AAC, as long as the recording, with each person's tone.
  const composite = item.files.find((f) => f.kind === 'composite');
  assert.ok(composite, 'the composite is listed');
  const video = probe(await download(server.url, composite, room.moderator_token, path.join(local, composite.name)));
  assert.deepEqual(video.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  assert.ok(Math.abs(video.duration - recorded) < 1.5, `composite ${video.duration} s, recorded ${recorded} s`);
  const quiet = meanVolume(path.join(local, composite.name), 3000);
  for (const [name, hertz] of Object.entries(TONES)) {
    const level = meanVolume(path.join(local, composite.name), hertz);
    assert.ok(level > quiet + 10, `${name}'s ${hertz} Hz tone: ${level} dB, ${quiet} dB where nobody speaks`);
  }

  // Byte ranges, as players and download managers ask for them.
  const url = `${server.url}${composite.url}`;
  const part = await fetch(url, { headers: { Authorization: `Bearer ${room.moderator_token}`, Range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal((await part.arrayBuffer()).byteLength, 100);
  assert.match(part.headers.get('content-range'), /^bytes 100-199\/\d+$/);
  const tail = await fetch(url, { headers: { Authorization: `Bearer ${room.moderator_token}`, Range: 'bytes=-10' } });
  assert.equal(tail.status, 206);
  assert.equal((await tail.arrayBuffer()).byteLength, 10);
  // Not a moderator of this meeting: refused.
  assert.equal((await fetch(url)).status, 401);
  assert.equal((await fetch(url, { headers: { Authorization: `Bearer ${other.moderator_token}` } })).status, 403);
  assert.equal((await recordings(server.url, room, other.moderator_token)).status, 403);
  for (const page of pages) await page.context().close();
});

test('a recording whose disk fills up stops by itself, its files play, and the call goes on', async (t) => {
  const small = path.join(dir, 'small-disk');
  mkdirSync(small);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small], { stdio: 'pipe' });
  } catch (e) {
    t.skip(`cannot mount a small tmpfs here: ${String(e.stderr ?? e.message).trim()}`);
    return;
  }
  // No free-space floor: this is the disk filling up under a recording, not the floor.
  const second = await startServer({
    args: ['--udp-ports', '44010-44019', '--recordings', small, '--recording-min-free-mb', '0'],
  });
  try {
    const room = await createRoom(second.url);
    const ana = await joinRoom(browsers.Ana, second.url, room.id, 'Ana', { token: room.moderator_token });
    const bruno = await joinRoom(browsers.Bruno, second.url, room.id, 'Bruno');
    await assertRising(bruno, 'video', 'framesDecoded', 1);
    const response = await fetch(`${second.url}/api/rooms/${room.id}/recording`, {
      method: 'POST', headers: { Authorization: `Bearer ${room.moderator_token}` }, body: JSON.stringify({ action: 'start' }),
    });
    assert.equal(response.status, 200);
    await ana.getByTestId('recording-indicator').waitFor();
    // The disk fills: the recording stops and says why; everyone sees it stop.
    await ana.getByTestId('recording-indicator').waitFor({ state: 'hidden', timeout: 120000 });
    let item;
    await until(30000, 'the recording is listed as failed', async () => {
      [item] = (await recordings(second.url, room)).body.recordings;
      return item?.state === 'failed';
    });
    assert.match(item.error, /space|write/i);
    // What was written before plays, with its length known: also the file whose write
    // failed (whichever track it was), ended once the reserve was given back.
    const camera = item.files.find((f) => f.source === 'camera');
    assert.ok(camera, JSON.stringify(item));
    assert.equal(probe(path.join(small, room.id, item.id, camera.name)).streams[0].codec_name, 'vp8');
    for (const file of item.files.filter((f) => f.kind !== 'composite')) {
      const probed = probe(path.join(small, room.id, item.id, file.name));
      assert.ok(probed.duration > 1, `${file.name}: ${probed.duration} s`);
    }
    // The call is unaffected.
    await assertRising(bruno, 'video', 'framesDecoded', 1, 'Bruno, after the recording stopped');
    await assertRising(ana, 'audio', 'packetsReceived', 1, 'Ana, after the recording stopped');
    for (const page of [ana, bruno]) await page.context().close();
  } finally {
    await second.stop();
    execFileSync('umount', [small]);
  }
});
