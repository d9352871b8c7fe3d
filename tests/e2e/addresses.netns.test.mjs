// A server with more than one address, IPv4 and IPv6. scripts/test runs this file in a network
// namespace of its own (the server's side, with 10.89.0.1 and 10.89.0.2); the test adds a
// second namespace, "home", joined by a veth pair that carries both 10.87.0.0/30 and
// fd87::/64. Parley listens on :: and so serves media on every interface address:
// - every transport's SDP offers a UDP and a TCP host candidate on each routable address,
//   IPv6 first, and none on loopback or link-local ones;
// - a Chromium at home whose IPv4 media is dropped (only the web page comes over IPv4) joins a
//   call of three and decodes both others' video over IPv6, answered from fd87::1.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, after, assertRising, before, createRoom, mediaStats, joinAt, launchChromiumIn, startServer, tempDir,
  test, waitForStats } from './helpers.mjs';

const inNamespace = Boolean(process.env.PARLEY_E2E_HOST);
const skip = inNamespace ? false : 'run through scripts/test: it needs the network namespace it makes, and root';
const SERVER_V4 = '10.87.0.1';
const HOME_V4 = '10.87.0.2';
const SERVER_V6 = 'fd87::1';
const HOME_V6 = 'fd87::2';
const HOME = `parley-home-${process.pid}`;
const UDP = [44500, 44501];
const TCP = [44510, 44511];

let dir;
let server;
let webPort;
let open;  // Chromium on the server's side
let home;  // Chromium at home: IPv6 is its only way for media

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const nft = (...args) => execFileSync('ip', ['netns', 'exec', HOME, 'nft', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

function makeHome() {
  ip('netns', 'add', HOME);
  ip('link', 'add', 'vhome', 'type', 'veth', 'peer', 'name', 'whome', 'netns', HOME);
  ip('addr', 'add', `${SERVER_V4}/30`, 'dev', 'vhome');
  // nodad: usable at once, not after duplicate address detection.
  ip('-6', 'addr', 'add', `${SERVER_V6}/64`, 'dev', 'vhome', 'nodad');
  ip('link', 'set', 'vhome', 'up');
  ip('-n', HOME, 'addr', 'add', `${HOME_V4}/30`, 'dev', 'whome');
  ip('-n', HOME, '-6', 'addr', 'add', `${HOME_V6}/64`, 'dev', 'whome', 'nodad');
  ip('-n', HOME, 'link', 'set', 'whome', 'up');
  ip('-n', HOME, 'link', 'set', 'lo', 'up');
}

// Home's IPv4 carries the web page and nothing else, either way.
function homeDropsIpv4ButTheWebPage() {
  nft('add', 'table', 'inet', 'home');
  for (const [chain, hook, port] of [['out', 'output', 'dport'], ['in', 'input', 'sport']]) {
    nft('add', 'chain', 'inet', 'home', chain, `{ type filter hook ${hook} priority 0; }`);
    nft('add', 'rule', 'inet', 'home', chain, 'ip', 'version', '4', 'tcp', port, webPort, 'accept');
    nft('add', 'rule', 'inet', 'home', chain, 'meta', 'nfproto', 'ipv4', 'oif', '!=', 'lo', 'drop');
  }
}

before(async () => {
  if (skip) return;
  dir = tempDir('parley-addresses-');
  makeHome();  // first: the server reads its interface addresses when it starts
  server = await startServer({ host: '::',
    args: ['--udp-ports', `${UDP[0]}-${UDP[1]}`, '--tcp-ports', `${TCP[0]}-${TCP[1]}`, '--media-workers', '2'] });
  webPort = new URL(server.url).port;
  homeDropsIpv4ButTheWebPage();
  const page = `http://${SERVER_V4}:${webPort}`;
  const secureOrigin = `--unsafely-treat-insecure-origin-as-secure=${page}`;
  open = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, secureOrigin] });
  home = await launchChromiumIn(HOME, dir, page);
});

after(async () => {
  await home?.close();
  await open?.close();
  await server?.stop();
  try { execFileSync('ip', ['netns', 'del', HOME], { stdio: 'ignore' }); } catch { /* not made */ }
});

const join = (browser, roomId, name) => joinAt(browser, `http://${SERVER_V4}:${webPort}`, roomId, name);

test('media listens on every routable address, IPv6 first, and offers each as host candidates', { skip }, async () => {
  const log = server.log();
  const line = /media: 2 workers on UDP (\S+):(\S+) and ICE-TCP (\S+), announced as (\S+)/.exec(log);
  assert.ok(line, `the media line of the log: ${log}`);
  const announced = line[4].split(',');
  assert.deepEqual(announced.filter((a) => a.includes(':')), [SERVER_V6], `IPv6: fd87::1 only, no ::1 or fe80:: (${line[0]})`);
  for (const address of [SERVER_V4, '10.89.0.1', '10.89.0.2']) assert.ok(announced.includes(address), `${address} in ${line[0]}`);
  assert.ok(!announced.some((a) => a.startsWith('127.')), `no loopback: ${line[0]}`);
  assert.equal(announced[0], SERVER_V6, 'IPv6 first (RFC 8421)');

  const room = await createRoom(server.url);
  const ana = await join(open, room.id, 'Ana');
  const bruno = await join(open, room.id, 'Bruno');
  await assertRising(ana, 'video', 'framesDecoded', 1, 'Ana');
  const { offeredCandidates } = await mediaStats(ana);
  for (const address of announced) {
    for (const protocol of ['udp', 'tcp']) {
      assert.ok(offeredCandidates.some((c) => c.split(' ')[2] === protocol && c.split(' ')[4] === address),
        `a ${protocol} candidate on ${address}: ${JSON.stringify(offeredCandidates)}`);
    }
  }
  const priorities = offeredCandidates.filter((c) => c.split(' ')[2] === 'udp').map((c) => Number(c.split(' ')[3]));
  assert.equal(new Set(priorities).size, priorities.length, `one priority per address: ${offeredCandidates}`);
  for (const page of [ana, bruno]) await page.context().close();
});

test('a participant whose IPv4 carries only the web page calls over IPv6', { skip }, async () => {
  const room = await createRoom(server.url);
  const ana = await join(open, room.id, 'Ana');
  const bruno = await join(open, room.id, 'Bruno');
  const chloe = await join(home, room.id, 'Chloé');
  for (const [who, page] of [['Chloé', chloe], ['Ana', ana], ['Bruno', bruno]]) {
    await assertRising(page, 'video', 'framesDecoded', 2, who);
  }
  const stats = await waitForStats(chloe, 'Chloé: both peer connections with a selected pair', (s) => s.selectedPairs.length === 2);
  console.log(`Chloé's selected pairs: ${JSON.stringify(stats.selectedPairs)}`);
  for (const pair of stats.selectedPairs) {
    assert.equal(pair.remoteAddress, SERVER_V6, `Chloé's media goes to Parley's IPv6 address: ${JSON.stringify(pair)}`);
    assert.equal(pair.protocol, 'udp', `over UDP: ${JSON.stringify(pair)}`);
  }
  for (const page of [ana, bruno, chloe]) await page.context().close();
});
