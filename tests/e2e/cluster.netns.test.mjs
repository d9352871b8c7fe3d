// Three nodes of a cluster as three machines: each node in a network namespace of its own,
// joined to the others by a bridge (one /24, as a private network between servers), with
// Redis and PostgreSQL on the bridge's side. scripts/test runs this file in a namespace of
// its own, which holds the bridge, Redis, PostgreSQL and the browsers. People joining
// through each of the three nodes, in Chromium and in Firefox ESR, meet in one meeting: they
// see each other in the list, see and hear each other, chat, and the moderator on node A
// mutes a participant on node C. The signaling of those on nodes B and C is relayed to the
// meeting's home over the bridge. The nodes take 2 streams of a meeting each
// (--node-streams), so the meeting's media is forced across the three: each person's media
// is on another node, and every track reaches the other two through the cascade between the
// nodes. Then the path between node B and the others loses 2% of its UDP (nftables), and
// the cascade's NACKs repair it before the browsers see the loss.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';
import { after, assertRising, before, createRoom, joinRoom, launchBrowser, mediaStats, metricValue as metric,
  participantItem, startServer, tempDir, test, until } from './helpers.mjs';
import { startPostgres, startRedis } from './services.mjs';

const inNamespace = Boolean(process.env.PARLEY_E2E_HOST);
const skip = inNamespace ? false : 'run through scripts/test: it needs the network namespace it makes, and root';
const BRIDGE = 'brparley';
const BRIDGE_IP = '10.86.0.1';
const NODES = ['a', 'b', 'c'].map((name, i) => ({ name, ip: `10.86.0.${11 + i}`, ns: `parley-node-${name}-${process.pid}` }));

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
let postgres, redis, browser, firefox;
const nodes = {};

function makeNetwork() {
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${BRIDGE_IP}/24`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  NODES.forEach(({ name, ip: address, ns }) => {
    ip('netns', 'add', ns);
    ip('link', 'add', `vn${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', `vn${name}`, 'master', BRIDGE);
    ip('link', 'set', `vn${name}`, 'up');
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  });
}

function removeNetwork() {
  for (const { ns } of NODES) {
    try { ip('netns', 'del', ns); } catch { /* not made */ }
  }
  try { ip('link', 'del', BRIDGE); } catch { /* not made */ }
}

before(async () => {
  if (skip) return;
  makeNetwork();
  postgres = await startPostgres({ host: BRIDGE_IP });
  redis = await startRedis({ host: BRIDGE_IP });
  for (const { name, ip: address, ns } of NODES) {
    nodes[name] = await startServer({ netns: ns, host: address, dataDir: tempDir(`parley-node-${name}-`),
      args: ['--cluster', redis.url, '--store', postgres.url, '--node-address', address, '--udp-ports', '47900-47901',
        '--tcp-ports', 'off', '--media-workers', '1', '--node-streams', '2',
        ...(name === 'a' ? ['--recordings', tempDir('parley-node-a-recordings-')] : [])] });
  }
  for (const node of Object.values(nodes)) {
    await until(15000, 'three nodes, open to joins', async () =>
      (await metric(node.url, 'parley_cluster_nodes')) === 3 && (await metric(node.url, 'parley_cluster_joins_refused')) === 0);
  }
  // Pages from the nodes' plain-HTTP addresses may use the camera and microphone.
  browser = await launchBrowser([`--unsafely-treat-insecure-origin-as-secure=${Object.values(nodes).map((n) => n.url).join(',')}`]);
  firefox = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,  // a fake camera and microphone
      'media.navigator.permission.disabled': true,
      'dom.securecontext.allowlist': NODES.map((n) => n.ip).join(','),
    },
  });
});

// Firefox joins through `url`, as the automation URL does for Chromium.
async function joinFirefox(url, roomId, name) {
  const page = await (await firefox.createBrowserContext()).newPage();
  await page.goto(`${url}/r/${roomId}?name=${encodeURIComponent(name)}&autojoin=1`);
  await page.waitForSelector(`[data-testid="participant-item"][data-name="${name}"]`, { timeout: 30000 });
  return page;
}

after(async () => {
  await firefox?.close();
  await browser?.close();
  for (const node of Object.values(nodes)) await node.stop();
  await redis?.remove();
  postgres?.remove();
  removeNetwork();
});

// Node B's namespace loses 2% of the UDP between it and the other nodes, both ways, until
// the next 50 drops; the cascade NACKs them (its retransmissions) and the browsers, whose
// paths to the nodes lose nothing, see far fewer losses than the path between nodes made.
async function lossyCascadeIsRepaired(people) {
  const b = NODES[1];
  const nft = (...args) => execFileSync('ip', ['netns', 'exec', b.ns, 'nft', ...args], { encoding: 'utf8' });
  const sum = async (name) => {
    let total = 0;
    for (const node of Object.values(nodes)) total += await metric(node.url, name);
    return total;
  };
  const browsersLost = async () => {
    let lost = 0;
    for (const page of Object.values(people)) for (const i of (await mediaStats(page)).inbound) lost += i.packetsLost;
    return lost;
  };
  const dropped = () => JSON.parse(nft('-j', 'list', 'table', 'inet', 'cascadeloss')).nftables
    .filter((e) => e.rule).reduce((n, e) => n + (e.rule.expr.find((x) => x.counter)?.counter.packets ?? 0), 0);
  const lostBefore = await browsersLost();
  const retransmittedBefore = await sum('parley_cascade_retransmissions_total');
  nft('add', 'table', 'inet', 'cascadeloss');
  for (const [hook, peer] of [['output', 'daddr'], ['input', 'saddr']]) {
    nft('add', 'chain', 'inet', 'cascadeloss', hook, `{ type filter hook ${hook} priority 0; }`);
    nft('add', 'rule', 'inet', 'cascadeloss', hook, 'ip', peer, '!=', BRIDGE_IP, 'meta', 'l4proto', 'udp',
      'numgen', 'random', 'mod', '100', '<', '2', 'counter', 'drop');
  }
  let drops = 0;
  try {
    await until(60000, '50 packets dropped between node B and the others', async () => (drops = dropped()) >= 50);
    drops = dropped();
  } finally {
    nft('delete', 'table', 'inet', 'cascadeloss');
  }
  // Repairs in flight land within a few round trips; a failure says what each node counted.
  await until(10000, 'the drops repaired', async () =>
    (await sum('parley_cascade_retransmissions_total')) - retransmittedBefore >= 10).catch(async (e) => {
    for (const [name, node] of Object.entries(nodes)) {
      const text = await (await fetch(`${node.url}/metrics`)).text();
      console.log(name, text.split('\n').filter((l) => l.startsWith('parley_cascade')).join(' '));
    }
    throw e;
  });
  // Unrepaired, every dropped media packet would count as lost in a browser.
  let lost = 0;
  await until(10000, `the browsers lose at most ${drops / 5} packets of the ${drops} dropped between nodes`, async () =>
    (lost = (await browsersLost()) - lostBefore) <= drops / 5).catch((e) => {
    throw new Error(`${e.message}: they lost ${lost}`);
  });
  const retransmitted = (await sum('parley_cascade_retransmissions_total')) - retransmittedBefore;
  console.log(`lossy cascade: ${drops} packets dropped between node B and the others, ${retransmitted} ` +
    `retransmitted between nodes, ${lost} lost as the browsers count`);
  for (const [who, page] of Object.entries(people)) await assertRising(page, 'video', 'framesDecoded', 2, who);
}

// The meeting's recording, on its home (node A, the only one with --recordings), has a
// camera and a microphone file for each of the three, two of whom have their media on the
// other nodes: the home records what the cascade brings it.
async function homeRecordsEveryNodesTracks(room, people) {
  const control = (action) => fetch(`${nodes.b.url}/api/rooms/${room.id}/recording`, {
    method: 'POST', headers: { Authorization: `Bearer ${room.moderator_token}` }, body: JSON.stringify({ action }),
  });
  assert.equal((await control('start')).status, 200);
  for (const [who, page] of Object.entries(people)) await page.waitForSelector('[data-testid="recording-indicator"]');
  // A few seconds of everyone's media: each page's video decodes on while it is recorded.
  for (const [who, page] of Object.entries(people)) await assertRising(page, 'video', 'framesDecoded', 2, who);
  assert.equal((await control('stop')).status, 200);
  let item;
  await until(30000, 'the recording listed as stopped', async () => {
    const response = await fetch(`${nodes.c.url}/api/rooms/${room.id}/recordings`,
      { headers: { Authorization: `Bearer ${room.moderator_token}` } });
    [item] = (await response.json()).recordings ?? [];
    return item?.state === 'stopped';
  });
  const files = item.files.filter((f) => f.kind !== 'composite');
  for (const source of ['camera', 'microphone']) {
    assert.equal(files.filter((f) => f.source === source).length, 3, `a ${source} file for each: ${JSON.stringify(files)}`);
  }
}

test('people joining through three nodes on three machines, in Chromium and Firefox, meet in one meeting forced across the three nodes, see and hear each other through the cascade (repaired when the path between nodes loses packets), chat, and a moderator on node A mutes a participant on node C', { skip }, async () => {
  const room = await createRoom(nodes.a.url, { name: 'Trois machines' });
  const ana = await joinRoom(browser, nodes.a.url, room.id, 'Ana', { token: room.moderator_token });
  const bruno = await joinFirefox(nodes.b.url, room.id, 'Bruno');
  const carla = await joinRoom(browser, nodes.c.url, room.id, 'Carla');
  const people = { Ana: ana, Bruno: bruno, Carla: carla };
  for (const [who, page] of Object.entries(people)) {
    for (const other of Object.keys(people)) {
      await page.waitForSelector(`[data-testid="participant-list"] [data-testid="participant-item"][data-name="${other}"]`, { timeout: 30000 });
    }
    await assertRising(page, 'audio', 'totalAudioEnergy', 2, who);
    await assertRising(page, 'video', 'framesDecoded', 2, who);
  }
  // Node A is the meeting's home (Ana came first): B and C relay their people's signaling.
  for (const node of [nodes.b, nodes.c]) assert.ok((await metric(node.url, 'parley_signaling_relayed_connections')) >= 1);
  assert.equal(await metric(nodes.a.url, 'parley_participants'), 3, 'all three in the meeting on its home');
  // Its media is on the three nodes, one person on each, linked by the cascade.
  const mediaNode = {};
  for (const [who, page] of Object.entries(people)) {
    const addresses = [...new Set((await mediaStats(page)).remoteAddresses)];  // publishing and receiving
    assert.equal(addresses.length, 1, `${who}'s media goes to one node: ${addresses}`);
    mediaNode[who] = addresses[0];
  }
  assert.equal(mediaNode.Ana, NODES[0].ip, 'the first person is on the home');
  assert.deepEqual(new Set(Object.values(mediaNode)), new Set(NODES.map((n) => n.ip)), JSON.stringify(mediaNode));
  assert.equal(await metric(nodes.a.url, 'parley_cascade_rooms_spanning_nodes'), 1);
  for (const node of Object.values(nodes)) assert.ok((await metric(node.url, 'parley_cascade_packets_received_total')) > 0);

  await lossyCascadeIsRepaired(people);
  await homeRecordsEveryNodesTracks(room, people);

  await carla.getByTestId('toggle-chat').click();
  await carla.getByTestId('chat-input').fill('Bonjour depuis le nœud C');
  await carla.getByTestId('chat-input').press('Enter');
  await ana.getByTestId('toggle-chat').click();
  await ana.getByTestId('chat-message').filter({ hasText: 'Bonjour depuis le nœud C' }).waitFor();

  await ana.getByTestId('toggle-participants').click();
  await participantItem(ana, 'Carla').getByTestId('moderator-mute').click();
  await carla.getByTestId('toast').filter({ hasText: 'muted your microphone' }).waitFor();
  assert.equal(await carla.getByTestId('toggle-mic').getAttribute('aria-pressed'), 'true');
  await participantItem(ana, 'Carla').getByTestId('participant-muted').waitFor();
  await bruno.waitForSelector('[data-testid="participant-item"][data-name="Carla"] [data-testid="participant-muted"]', { timeout: 10000 });
  for (const page of [ana, carla]) await page.context().close();
  await bruno.browserContext().close();
});
