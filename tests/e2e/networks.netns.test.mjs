// Calls from networks that block UDP. scripts/test runs this file in a network namespace of
// its own (the "server side": Parley and Debian's coturn listen there); the test makes a
// second namespace, the office, joined to the first by a veth pair, whose nftables decide
// what may leave it. A Chromium there joins a call with two unrestricted ones:
// - the office drops all UDP: media goes over ICE-TCP to Parley's own TCP ports;
// - the office lets out only TCP to port 443 (and the web page): media goes through coturn
//   over TLS (turns:), with the credential Parley handed it.
// - the office's network goes down for 6 s, or only its signaling for 14 s (the WebSocket
//   breaks): the others never see Chloé leave, and her media flows again.
// coturn's own test client then checks that coturn accepts Parley's credentials and
// refuses expired, forged and foreign ones.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { CHROMIUM_ARGS, after, assertRising, before, createRoom, homeTrusting, makeTestCertificates, mediaStats,
  joinAt, launchChromiumIn, makeNamespaceLink, startServer, tempDir, test, waitForStats, within } from './helpers.mjs';

const inNamespace = Boolean(process.env.PARLEY_E2E_HOST);
const skip = inNamespace ? false : 'run through scripts/test: it needs the network namespace it makes, and root';
const SERVER_IP = '10.88.0.1';   // this namespace's end of the veth to the office
const OFFICE_IP = '10.88.0.2';
const OFFICE = `parley-office-${process.pid}`;
const SECRET = 'north-wind-and-sun-42-turn-test';
const TURN_URLS = `turn:${SERVER_IP}:3478?transport=udp,turns:${SERVER_IP}:443?transport=tcp`;

let dir;
let coturn;
let coturnLog = '';
let server;
let webPort;
let open;    // Chromium on the server side: direct paths work
let office;  // Chromium in the office namespace: only TCP 443 to coturn (and the web port)

const nft = (...args) => execFileSync('ip', ['netns', 'exec', OFFICE, 'nft', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

function makeOffice() {
  makeNamespaceLink(OFFICE, { hostIf: 'voffice', nsIf: 'woffice', hostIp: SERVER_IP, nsIp: OFFICE_IP });
}

// What may leave the office from now on: loopback and TCP to these ports of the server.
// Nothing else, UDP least of all.
function officeLetsOut(tcpPorts) {
  try { nft('delete', 'table', 'inet', 'office'); } catch { /* the first time */ }
  nft('add', 'table', 'inet', 'office');
  nft('add', 'chain', 'inet', 'office', 'out', '{ type filter hook output priority 0; policy drop; }');
  nft('add', 'rule', 'inet', 'office', 'out', 'oif', 'lo', 'accept');
  nft('add', 'rule', 'inet', 'office', 'out', 'ip', 'daddr', SERVER_IP, 'tcp', 'dport', `{ ${tcpPorts.join(', ')} }`, 'accept');
}

function startCoturn(certs) {
  coturn = spawn('turnserver', ['-n', '--listening-ip', SERVER_IP, '--relay-ip', SERVER_IP, '--listening-port', '3478',
    '--tls-listening-port', '443', '--use-auth-secret', '--static-auth-secret', SECRET, '--realm', 'parley.test',
    '--cert', certs.chain, '--pkey', certs.key, '--no-cli', '--log-file', 'stdout', '--simple-log',
    '--min-port', '49200', '--max-port', '49299', '--no-multicast-peers',
    // Relay to Parley only, as docs/deploy.md configures it: not a way into anything else.
    '--denied-peer-ip=0.0.0.0-255.255.255.255', `--allowed-peer-ip=${SERVER_IP}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  coturn.stdout.on('data', (chunk) => (coturnLog += chunk));
  coturn.stderr.on('data', (chunk) => (coturnLog += chunk));
  return within(15000, 'coturn listening', (async () => {
    while (!/Total General servers|Relay ports initialization done/.test(coturnLog)) {
      if (coturn.exitCode !== null) throw new Error(`coturn exited: ${coturnLog}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })());
}

before(async () => {
  if (skip) return;
  dir = tempDir('parley-turn-');
  const certs = makeTestCertificates(dir, [SERVER_IP]);
  makeOffice();
  await startCoturn(certs);
  server = await startServer({ host: SERVER_IP,
    args: ['--udp-ports', '44400-44401', '--tcp-ports', '44410-44411', '--media-workers', '2', '--turn-urls', TURN_URLS],
    env: { PARLEY_TURN_SECRET: SECRET } });
  webPort = new URL(server.url).port;
  const secureOrigin = `--unsafely-treat-insecure-origin-as-secure=${server.url}`;
  open = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, secureOrigin] });
  // Chromium in the office: through `ip netns exec`, trusting the test CA that signed coturn's
  // certificate (should it check a TURN server's certificate).
  office = await launchChromiumIn(OFFICE, dir, server.url, { HOME: homeTrusting(certs.ca) });
});

after(async () => {
  await office?.close();
  await open?.close();
  await server?.stop();
  coturn?.kill();
  // Deleting the namespace deletes its end of the veth, and so the pair.
  try { execFileSync('ip', ['netns', 'del', OFFICE], { stdio: 'ignore' }); } catch { /* not made */ }
});

const join = (browser, roomId, name) => joinAt(browser, server.url, roomId, name);

// The office lets everything out; then `rule` (nftables, on the way out and in) cuts part of
// it off until cut.restore().
function officeOpen() {
  try { nft('delete', 'table', 'inet', 'office'); } catch { /* open already */ }
}
function cutOffice(rule) {
  nft('add', 'table', 'inet', 'office');
  for (const [chain, hook] of [['out', 'output'], ['in', 'input']]) {
    nft('add', 'chain', 'inet', 'office', chain, `{ type filter hook ${hook} priority 0; }`);
    nft('add', 'rule', 'inet', 'office', chain, ...rule);
  }
  return { restore: officeOpen };
}

const metric = async (name) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
};

// Samples, until stop() is called, whether `page` lists `who` under the same participant id
// the whole time: the others must never see them leave (or leave and join again).
function watchPresence(page, who) {
  let stopped = false;
  const ids = new Set();
  let absences = 0;
  const sampling = (async () => {
    while (!stopped) {
      const listed = await page.evaluate((name) => [...document.querySelectorAll('[data-testid="participant-item"]')]
        .filter((item) => item.dataset.name === name).map((item) => item.dataset.participantId), who).catch(() => null);
      if (listed === null) break;  // the page is gone: the test has ended
      if (listed.length > 0) listed.forEach((id) => ids.add(id));
      else absences++;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return { async stop() { stopped = true; await sampling; return { ids: [...ids], absences }; } };
}

// Frames decoded on `page` from `count` videos rise, measured from now.
async function videoFlowsAgain(page, count, who) {
  const start = await mediaStats(page);
  const before = new Map(start.inbound.filter((i) => i.kind === 'video').map((i) => [i.id, i.framesDecoded]));
  await waitForStats(page, `${who}: video decoding again`, (s) =>
    s.inbound.filter((i) => i.kind === 'video' && i.framesDecoded > (before.get(i.id) ?? 0)).length >= count, 60000);
}

// Chloé in the office with Ana and Bruno outside: everyone decodes the two others' video.
async function callFromTheOffice({ keep = false } = {}) {
  const room = await createRoom(server.url);
  const ana = await join(open, room.id, 'Ana');
  const bruno = await join(open, room.id, 'Bruno');
  const chloe = await join(office, room.id, 'Chloé');
  for (const [who, page] of [['Chloé', chloe], ['Ana', ana], ['Bruno', bruno]]) {
    await assertRising(page, 'video', 'framesDecoded', 2, who);
  }
  const chloeStats = await waitForStats(chloe, 'Chloé: both peer connections with a selected pair',
    (s) => s.selectedPairs.length === 2);
  const anaStats = await mediaStats(ana);
  assert.ok(anaStats.selectedPairs.every((p) => p.localType === 'host' && p.protocol === 'udp'),
    `Ana goes direct over UDP: ${JSON.stringify(anaStats.selectedPairs)}`);
  if (keep) return { ana, bruno, chloe, chloeStats };
  for (const page of [ana, bruno, chloe]) await page.context().close();
  return chloeStats;
}

test('a participant whose network drops all UDP joins over ICE-TCP to Parley', { skip }, async () => {
  officeLetsOut([webPort, '44410-44411']);
  // The pages stay open until the gauge is read: it counts connections open now, and closing
  // the pages closes Chloé's.
  const call = await callFromTheOffice({ keep: true });
  const chloe = call.chloeStats;
  for (const pair of chloe.selectedPairs) {
    assert.equal(pair.protocol, 'tcp', `Chloé's path is TCP: ${JSON.stringify(pair)}`);
    // Straight to Parley's passive candidate; Chromium's active side shows as host or, once
    // the connection's local port is known, peer-reflexive (RFC 6544).
    assert.equal(pair.remoteType, 'host', `to Parley's own TCP candidate: ${JSON.stringify(pair)}`);
    assert.notEqual(pair.localType, 'relay', `no relay: ${JSON.stringify(pair)}`);
  }
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  for (const page of [call.ana, call.bruno, call.chloe]) await page.context().close();
  assert.match(metrics, /^parley_ice_tcp_connections [1-9]/m);
  console.log(`ICE-TCP selected pairs: Chloé ${JSON.stringify(chloe.selectedPairs)}`);
});

test('a participant whose network lets out only TCP to port 443 joins through coturn over TLS', { skip }, async () => {
  officeLetsOut([webPort, 443]);
  const chloe = await callFromTheOffice();
  for (const pair of chloe.selectedPairs) {
    assert.equal(pair.localType, 'relay', `Chloé's path goes through the relay: ${JSON.stringify(pair)}`);
    assert.equal(pair.relayProtocol, 'tls', `over TLS to port 443: ${JSON.stringify(pair)}`);
  }
  console.log(`TURN selected pairs: Chloé ${JSON.stringify(chloe.selectedPairs)}`);
});


test('a participant whose network goes down for 6 s stays in the call and its media comes back', { skip }, async () => {
  officeOpen();
  const { ana, bruno, chloe } = await callFromTheOffice({ keep: true });
  const joined = await metric('parley_participants_joined_total');
  const presence = watchPresence(ana, 'Chloé');
  const cut = cutOffice(['meta', 'l4proto', '{ tcp, udp }', 'drop']);
  await new Promise((resolve) => setTimeout(resolve, 6000));
  cut.restore();
  const back = Date.now();
  await Promise.all([videoFlowsAgain(chloe, 2, 'Chloé'), videoFlowsAgain(ana, 2, 'Ana'), videoFlowsAgain(bruno, 2, 'Bruno')]);
  const seconds = (Date.now() - back) / 1000;
  const seen = await presence.stop();
  console.log(`6 s outage: video decoded again on all three ${seconds.toFixed(1)} s after the network returned`);
  assert.ok(seconds <= 10, `media within 10 s of the network's return, not ${seconds} s`);
  assert.equal(seen.absences, 0, 'Ana never saw Chloé leave');
  assert.equal(seen.ids.length, 1, `Chloé stayed one participant: ${seen.ids}`);
  assert.equal(await metric('parley_participants_joined_total'), joined, 'nobody joined again');
  for (const page of [ana, bruno, chloe]) await page.context().close();
});

test('a participant whose signaling breaks comes back as itself and its media flows again', { skip }, async () => {
  officeOpen();
  const { ana, bruno, chloe } = await callFromTheOffice({ keep: true });
  const resumed = await metric('parley_participants_resumed_total');
  const presence = watchPresence(ana, 'Chloé');
  // Only the WebSocket is cut, long enough for the server's heartbeat to end it (8 to 12 s):
  // the server closes it, and Chloé's page says it is reconnecting.
  const cut = cutOffice(['tcp', 'dport', webPort, 'drop']);
  await chloe.getByTestId('connection-status').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 30000 });
  cut.restore();
  const back = Date.now();
  await within(40000, 'Chloé resuming', (async () => {
    while (await metric('parley_participants_resumed_total') <= resumed) await new Promise((resolve) => setTimeout(resolve, 250));
  })());
  // New peer connections for Chloé: she decodes both others again, and both decode her.
  await Promise.all([videoFlowsAgain(chloe, 2, 'Chloé'), videoFlowsAgain(ana, 2, 'Ana'), videoFlowsAgain(bruno, 2, 'Bruno')]);
  const seconds = (Date.now() - back) / 1000;
  const seen = await presence.stop();
  await chloe.getByTestId('connection-status').waitFor({ state: 'hidden' });
  console.log(`broken signaling: resumed, and video decoded again ${seconds.toFixed(1)} s after the network returned`);
  assert.equal(seen.absences, 0, 'Ana never saw Chloé leave');
  assert.equal(seen.ids.length, 1, `Chloé came back as herself: ${seen.ids}`);
  for (const page of [ana, bruno, chloe]) await page.context().close();
});

// Runs coturn's test client against the UDP listener: resolves with its exit code and output.
async function uclient(username, password) {
  try {
    const { stdout, stderr } = await promisify(execFile)('turnutils_uclient',
      ['-u', username, '-w', password, '-p', '3478', '-y', '-n', '2', '-m', '1', SERVER_IP], { timeout: 30000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    return { code: error.code, output: `${error.stdout}${error.stderr}` };
  }
}

const hmac = (secret, username) => createHmac('sha1', secret).update(username).digest('base64');

test('coturn accepts the credential Parley hands out and refuses expired, forged and foreign ones', { skip }, async () => {
  const room = await createRoom(server.url);
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/${room.id}`);
  const welcome = await within(15000, 'the welcome', new Promise((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'join', version: 1, name: 'Dora' })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'welcome') resolve(frame);
    });
    ws.once('error', reject);
  }));
  ws.close();
  assert.deepEqual(welcome.ice_servers[0].urls, TURN_URLS.split(','));
  const { username, credential } = welcome.ice_servers[0];
  const [expiry, participant] = username.split(':');
  assert.equal(participant, welcome.you.id);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Number(expiry) > now + 12 * 3600 - 120 && Number(expiry) <= now + 12 * 3600 + 5, `expires in 12 h: ${expiry}`);

  const accepted = await uclient(username, credential);
  assert.equal(accepted.code, 0, `Parley's credential: ${accepted.output.slice(-500)}`);
  assert.doesNotMatch(accepted.output, /Cannot complete Allocation/);

  const expired = `${now - 60}:${participant}`;
  const refusals = {
    expired: [expired, hmac(SECRET, expired)],
    forged: [username, hmac(SECRET, `${Number(expiry) + 3600}:${participant}`)],
    'from another secret': [username, hmac('another-deployments-secret', username)],
  };
  for (const [what, [user, password]] of Object.entries(refusals)) {
    const refused = await uclient(user, password);
    assert.notEqual(refused.code, 0, `${what}: coturn must refuse`);
    assert.match(refused.output, /Cannot complete Allocation/, `${what}: ${refused.output.slice(-300)}`);
  }
});
