// Shared pieces of the end-to-end tests: the real server binary on a free loopback port,
// Debian's Chromium with fake camera and microphone, and the REST API.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nodeTest from 'node:test';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';

// Every test and hook has a time limit: a hang fails that test within minutes and the run
// goes on, instead of waiting forever (node --test has no default limit, and Node 18's
// runner no --test-timeout).
export const TEST_TIMEOUT_MS = Number(process.env.PARLEY_E2E_TEST_TIMEOUT_MS ?? 300000);
export function test(name, options, fn) {
  if (typeof options === 'function') [options, fn] = [{}, options];
  return nodeTest.test(name, { timeout: TEST_TIMEOUT_MS, ...options }, fn);
}
export const before = (fn) => nodeTest.before(fn, { timeout: TEST_TIMEOUT_MS });
export const after = (fn) => nodeTest.after(fn, { timeout: TEST_TIMEOUT_MS });

// Resolves with what `promise` gives, or fails with `what` after `ms`: for awaits on events
// that may never come.
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PARLEY = process.env.PARLEY_BIN ?? path.join(ROOT, 'build/parley');

export function tempDir(prefix = 'parley-e2e-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

// Starts `parley serve` on 127.0.0.1 (or `host`) with port 0 and resolves once it logs where
// it listens; with `netns`, inside that network namespace (`ip netns exec` replaces itself
// with parley, so signals reach the server).
export async function startServer({ dataDir = tempDir(), args = [], host = '127.0.0.1', env = {}, netns } = {}) {
  const argv = [PARLEY, 'serve', '--host', host, '--port', '0', '--data', dataDir, ...args];
  const [command, ...rest] = netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
  const child = spawn(command, rest, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk;
      const match = /listening on (https?:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]);
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', (chunk) => (log += chunk));
    exited.then(({ code, signal }) => reject(new Error(`parley exited (${code ?? signal}) before listening:\n${log}`)));
  });
  return {
    url,
    dataDir,
    log: () => log,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    signal: (name) => child.kill(name),
  };
}

// A test certificate authority and a server certificate it signs for `names` (DNS names and
// IP addresses), made with the openssl command: { ca, cert, key, chain } file paths, the
// chain being the certificate followed by the CA's, as deployments are given theirs.
export function makeTestCertificates(dir, names, prefix = 'server') {
  const run = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  if (!existsSync(ca)) {
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', ca,
      '-days', '2', '-subj', '/CN=Parley test CA');
  }
  const key = path.join(dir, `${prefix}.key`);
  const request = path.join(dir, `${prefix}.csr`);
  const cert = path.join(dir, `${prefix}.pem`);
  const extensions = path.join(dir, `${prefix}.ext`);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(extensions, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', request,
    '-subj', `/CN=${names[0]}`);
  run('x509', '-req', '-in', request, '-CA', ca, '-CAkey', caKey, '-set_serial', String(Date.now()), '-out', cert,
    '-days', '2', '-extfile', extensions);
  const chain = path.join(dir, `${prefix}-chain.pem`);
  writeFileSync(chain, readFileSync(cert, 'utf8') + readFileSync(ca, 'utf8'));
  return { ca, cert, key, chain };
}

// A home folder whose NSS database trusts `caFile` for websites: Chromium on Linux reads
// the user's trust store from $HOME/.pki/nssdb. Launch it with HOME set to this folder.
export function homeTrusting(caFile) {
  const home = tempDir('parley-home-');
  const db = `sql:${path.join(home, '.pki/nssdb')}`;
  mkdirSync(path.join(home, '.pki/nssdb'), { recursive: true });
  execFileSync('certutil', ['-N', '-d', db, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', db, '-t', 'C,,', '-n', 'Parley test CA', '-i', caFile]);
  return home;
}

export async function createRoom(url, body) {
  const response = await fetch(`${url}/api/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms: ${response.status}`);
  return response.json();
}

// The room as anyone sees it, or with its moderator token also who is in it.
export async function getRoom(url, id, token) {
  const response = await fetch(`${url}/api/rooms/${id}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.json() };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export function launchBrowser(extraArgs = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

// Opens the automation URL in a fresh context and waits until the person is in the room.
export async function joinRoom(browser, url, roomId, name, { token, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const query = new URLSearchParams({ name, autojoin: '1', ...(token ? { token } : {}) });
  await page.goto(`${url}/r/${roomId}?${query}`);
  await participantItem(page, name).waitFor();
  return page;
}

// A second network namespace `namespace` joined to this one by a veth pair: `hostIf` here
// with `hostIp`, `nsIf` there with `nsIp` (a /30 each), both up, and its loopback. Deleting
// the namespace removes the pair.
export function makeNamespaceLink(namespace, { hostIf, nsIf, hostIp, nsIp }) {
  const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ip('netns', 'add', namespace);
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', namespace);
  ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  ip('-n', namespace, 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
  ip('-n', namespace, 'link', 'set', nsIf, 'up');
  ip('-n', namespace, 'link', 'set', 'lo', 'up');
}

// Chromium inside the network namespace `namespace` (through `ip netns exec`, with a wrapper
// script written in `dir`), taking the page at `origin` as a secure context; `env` adds to
// its environment (a HOME trusting a test CA, say).
export function launchChromiumIn(namespace, dir, origin, env = {}) {
  const wrapper = path.join(dir, `chromium-in-${namespace}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${namespace} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  return chromium.launch({ executablePath: wrapper, headless: true,
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`], env: { ...process.env, ...env } });
}

// A fresh context of `browser` joins `roomId` on the server at `origin` as `name`, through
// the automation URL; resolves with the page once the person is in.
export async function joinAt(browser, origin, roomId, name) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/r/${roomId}?name=${encodeURIComponent(name)}&autojoin=1`);
  await participantItem(page, name).waitFor({ timeout: 30000 });
  return page;
}

// Leaves as a person does: the leave button, then the confirmation.
export async function leaveMeeting(page) {
  await page.getByTestId('leave').click();
  await page.getByTestId('leave-confirm').click();
}

export function participantItem(page, name) {
  return page.getByTestId('participant-list').locator(`[data-testid="participant-item"][data-name="${name}"]`);
}

// One value of the server's /metrics (a sample without labels), or undefined.
export async function metricValue(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

// Resolves with the time once `check` holds, reading it every 100 ms (for state a server
// shows only by being asked); fails after `ms` with `what`.
export async function until(ms, what, check) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > deadline) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// A bare protocol client joining `roomId` through `url`: every frame it gets in `frames`,
// `first` the first answer, `closed` when the socket closes.
export function joinBare(url, roomId, name, { token, resume } = {}) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/${roomId}`);
  const frames = [];
  const first = new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      frames.push(JSON.parse(String(data)));
      if (frames.length === 1) resolve(frames[0]);
    });
    ws.on('error', reject);
  });
  ws.on('open', () => ws.send(JSON.stringify({ type: 'join', version: 1, name, ...(token ? { token } : {}), ...(resume ? { resume } : {}) })));
  return { ws, frames, first: within(15000, `${name}: an answer`, first), closed: new Promise((resolve) => ws.on('close', resolve)) };
}

// Who is in a room, by name, as its moderator sees it (`room` as POST /api/rooms made it).
export async function participantNames(url, room) {
  const { body } = await getRoom(url, room.id, room.moderator_token);
  return body.participants.map((p) => p.name).sort();
}

// What the page's own peer connections report (window.parleyMedia.stats()), Playwright or
// Puppeteer page alike.
export const mediaStats = (page) => page.evaluate(() => window.parleyMedia?.stats());

// The widths of a publisher's video layers now, smallest first. Read at every check:
// Chromium and Firefox scale their layers down (all together) while their CPU is short, so
// a width read once can stop existing (Firefox's 320-wide layer became 80 wide on a loaded
// CI machine). A layer the server has turned off reports no width: with one layer left,
// it is both the smallest and the largest.
export async function layerWidths(publisher) {
  const stats = await mediaStats(publisher);
  const widths = stats.outbound.filter((o) => o.kind === 'video' && o.frameWidth > 0).map((o) => o.frameWidth);
  return [...new Set(widths)].sort((a, b) => a - b);
}

// The layer (its width) a received width comes from: the nearest of the publisher's widths,
// by ratio. A subscriber's decoder reports the last frame's size, which lags the sender's
// while it rescales, so equality would miss; the layers are twice as wide as each other.
function layerOf(width, widths) {
  const distance = (w) => Math.abs(Math.log(w / width));
  return widths.reduce((best, w) => (distance(w) < distance(best) ? w : best));
}

// `participantId`'s video as `page` receives it, once it is `publisher`'s `which` layer
// ('smallest' or 'largest') and frames keep coming (5 more decoded in that layer).
export async function receivesLayer(page, publisher, participantId, which, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let first = null;
  let last = null;
  let widths = [];
  for (;;) {
    widths = await layerWidths(publisher);
    const expected = which === 'smallest' ? widths[0] : widths[widths.length - 1];
    last = (await mediaStats(page))?.inbound.find((i) => i.kind === 'video' && i.participant === participantId);
    if (last?.frameWidth > 0 && widths.length > 0 && layerOf(last.frameWidth, widths) === expected) {
      first ??= last;
      if (last.framesDecoded > first.framesDecoded + 5) return;
    } else {
      first = null;
    }
    if (Date.now() > deadline) {
      const sent = (await mediaStats(publisher)).outbound.filter((o) => o.kind === 'video')
        .map((o) => `${o.rid || '-'} ${o.frameWidth}x${o.frameHeight ?? '?'} ${o.packetsSent} packets ${o.framesEncoded ?? '?'} frames`);
      throw new Error(`${what}: receives ${last?.frameWidth} wide (${last?.framesDecoded} frames), the publisher sends ${sent.join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Waits until `check(stats)` holds, sampling the browser's own counters.
// Stats for a failure message, video first: CI keeps only the start of a long line, and
// the audio tracks had pushed the video ones out of it.
function describeStats(stats) {
  if (!stats) return String(stats);
  const videoFirst = (list = []) => [...list].sort((a, b) => (a.kind === 'video' ? 0 : 1) - (b.kind === 'video' ? 0 : 1));
  return JSON.stringify({ ...stats, inbound: videoFirst(stats.inbound), outbound: videoFirst(stats.outbound) });
}

export async function waitForStats(page, what, check, timeoutMs = 45000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await mediaStats(page);
    if (last && check(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: ${describeStats(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// `count` inbound tracks of `kind` whose `field` keeps rising: media flows now, not once.
export async function assertRising(page, kind, field, count, who = 'the page') {
  const first = await waitForStats(page, `${who}: ${count} ${kind} tracks with ${field}`, (s) =>
    s.inbound.filter((i) => i.kind === kind && i[field] > 0).length >= count);
  const before = new Map(first.inbound.filter((i) => i.kind === kind).map((i) => [i.id, i[field]]));
  await waitForStats(page, `${who}: ${kind} ${field} rising`, (s) =>
    s.inbound.filter((i) => i.kind === kind && i[field] > (before.get(i.id) ?? Infinity)).length >= count);
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// Where each checked state's screenshot goes, for a reviewer to look at (not committed).
export const SCREENSHOTS = process.env.PARLEY_SCREENSHOTS ?? path.join(ROOT, 'tests/e2e/screenshots');

// axe-core in the page (through the debugging protocol: the page's CSP stays strict), WCAG
// 2.0/2.1 A and AA rules; fails listing every violation and the elements concerned. Writes
// the state's screenshot first.
export async function checkPage(page, state) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${state}.png`) });
  await page.evaluate(`${AXE}\n;0`);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);
  });
  if (violations.length) throw new Error(`axe-core on ${state}:\n  ${violations.join('\n  ')}`);
}
