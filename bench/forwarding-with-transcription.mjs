// Benchmark (not a test): how long the server holds media packets with live transcription
// off and then on, in one call of three headless Chromium talking continuously (the five
// LibriVox utterances, looped, as microphones; the fake camera as video).
//   node bench/forwarding-with-transcription.mjs [seconds per phase, default 20]
// Needs `make build` and the e2e test's npm packages (tests/e2e/node_modules).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRoom, joinRoom, launchBrowser, startServer, tempDir } from '../tests/e2e/helpers.mjs';

const seconds = Number(process.argv[2] ?? 20);
const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox';
const dir = tempDir('parley-bench-');
const ids = readFileSync(`${LIBRIVOX}/fileids`, 'utf8').trim().split('\n');
execFileSync('sh', ['-c', `for id in ${ids.join(' ')}; do echo "file '${LIBRIVOX}/$id.wav'"; done > ${dir}/list.txt`]);
const speech = path.join(dir, 'speech.wav');
execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', `${dir}/list.txt`, '-ar', '48000', '-ac', '1',
  '-c:a', 'pcm_s16le', speech]);

const server = await startServer({ args: ['--udp-ports', '44100-44109'] });
const browsers = [];
try {
  const room = await createRoom(server.url);
  for (const name of ['Ana', 'Bruno', 'Carla']) {
    const browser = await launchBrowser([`--use-file-for-fake-audio-capture=${speech}`]);
    browsers.push(browser);
    await joinRoom(browser, server.url, room.id, name);
  }
  const metrics = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
    return {
      batchSum: value('parley_media_batch_seconds_sum'),
      batches: value('parley_media_batch_seconds_count'),
      forwarded: value('parley_rtp_packets_forwarded_total'),
      segments: value('parley_transcript_segments_total'),
      latencySum: value('parley_caption_latency_seconds_sum'),
      dropped: value('parley_transcription_utterances_dropped_total'),
    };
  };
  const phase = async (label) => {
    const before = await metrics();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const after = await metrics();
    const batches = after.batches - before.batches;
    const segments = after.segments - before.segments;
    console.log(`${label}: ${((1e6 * (after.batchSum - before.batchSum)) / Math.max(1, batches)).toFixed(0)} µs mean per batch ` +
      `(${batches} batches, ${after.forwarded - before.forwarded} packets forwarded in ${seconds} s)` +
      (segments ? `; ${segments} final captions, ${((after.latencySum - before.latencySum) / segments).toFixed(2)} s mean latency, ` +
        `${after.dropped - before.dropped} utterances dropped` : ''));
  };
  await new Promise((resolve) => setTimeout(resolve, 5000));  // let video ramp up
  await phase('transcription off');
  const started = await fetch(`${server.url}/api/rooms/${room.id}/transcription`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${room.moderator_token}` },
    body: JSON.stringify({ action: 'start' }),
  });
  if (started.status !== 200) throw new Error(`could not start transcription: ${started.status}`);
  await phase('transcription on ');
  const text = await (await fetch(`${server.url}/metrics`)).text();
  console.log(/^parley_media_batch_seconds_max_micros .*$/m.exec(text)?.[0]);
} finally {
  for (const b of browsers) await b.close();
  await server.stop();
}
