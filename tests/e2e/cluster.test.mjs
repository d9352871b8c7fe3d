// Two nodes of a cluster on this machine's loopback, on a real PostgreSQL and a real Redis
// started by the test: they register and see each other, share rooms through the store,
// people joining through either node meet in one room (its home node serves it, the other
// relays), a node killed with SIGKILL leaves everyone's view within the heartbeat's time to
// live, the live node closes the sessions it left open and becomes home to its rooms, a home
// that finds one of its rooms taken by another node (after an absence) sends its people there, and
// while Redis is away a node keeps the calls it has and refuses new joins with a clear
// error, then opens again by itself.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { after, assertRising, before, createRoom, joinBare as join, joinRoom, launchBrowser, metricValue as metric, participantItem, participantNames, startServer, test, until, within } from './helpers.mjs';
import { startPostgres, startRedis } from './services.mjs';

let postgres, redis, browser;
const nodes = {};

function startNode(name, udp) {
  return startServer({
    args: ['--cluster', redis.url, '--store', postgres.url, '--node-address', '127.0.0.1', '--udp-ports', udp,
      '--tcp-ports', 'off', '--media-workers', '1'],
  }).then((node) => (nodes[name] = node));
}

before(async () => {
  postgres = await startPostgres();
  redis = await startRedis();
  await startNode('a', '47810-47811');
  await startNode('b', '47812-47813');
  // Each node opens to joins once its first heartbeat has answered.
  for (const node of Object.values(nodes)) {
    await until(10000, 'the node opens to joins', async () => (await metric(node.url, 'parley_cluster_joins_refused')) === 0);
  }
});

after(async () => {
  await browser?.close();
  for (const node of Object.values(nodes)) await node.stop();
  await redis?.remove();
  postgres?.remove();
});

test('nodes register in Redis and see each other', async () => {
  for (const node of Object.values(nodes)) {
    await until(10000, 'two nodes in the view', async () => (await metric(node.url, 'parley_cluster_nodes')) === 2);
    assert.equal(await metric(node.url, 'parley_cluster_reachable'), 1);
  }
  assert.match(nodes.a.log(), /cluster: node \S+ at 127\.0\.0\.1, coordinated by redis:\/\/127\.0\.0\.1:\d+\/0/);
  assert.match(nodes.a.log(), /store: PostgreSQL postgresql:\/\/parley@127\.0\.0\.1:\d+\/parley/);
});

test('a room created through one node is known to the other (one store)', async () => {
  const room = await createRoom(nodes.a.url, { name: 'Conseil' });
  const seen = await fetch(`${nodes.b.url}/api/rooms/${room.id}`);
  assert.equal(seen.status, 200);
  assert.equal((await seen.json()).name, 'Conseil');
  const joined = join(nodes.b.url, room.id, 'Bruno');
  assert.equal((await joined.first).type, 'welcome', JSON.stringify(joined.frames));
  joined.ws.close();
});

// Frames of `type` a bare client got, once there are `count` of them.
async function framesOf(client, type, count = 1, what = type) {
  await until(10000, what, () => client.frames.filter((f) => f.type === type).length >= count);
  return client.frames.filter((f) => f.type === type);
}

// Live participants of a room, as GET /api/rooms/{id} through `node` says (the home answers).
async function liveCount(node, roomId) {
  return (await (await fetch(`${node.url}/api/rooms/${roomId}`)).json()).participant_count;
}

test('people joining through either node meet in one room: its home serves it, the other node relays', async () => {
  const room = await createRoom(nodes.b.url, { name: 'Relais' });
  // Ana first, through node A: A becomes the room's home.
  const ana = join(nodes.a.url, room.id, 'Ana', { token: room.moderator_token });
  assert.equal((await ana.first).type, 'welcome', JSON.stringify(ana.frames));
  const relayedBefore = await metric(nodes.b.url, 'parley_signaling_relayed_connections');
  const bruno = join(nodes.b.url, room.id, 'Bruno');
  const welcome = await bruno.first;
  assert.equal(welcome.type, 'welcome', JSON.stringify(bruno.frames));
  assert.deepEqual(welcome.participants.map((p) => p.name).sort(), ['Ana', 'Bruno'], 'Bruno, through B, sees Ana');
  const [joined] = await framesOf(ana, 'participant-joined', 1, 'Ana hears of Bruno');
  assert.equal(joined.participant.name, 'Bruno');
  assert.equal(await metric(nodes.b.url, 'parley_signaling_relayed_connections'), relayedBefore + 1);
  assert.equal(await liveCount(nodes.a, room.id), 2, 'the room lives on its home');
  assert.equal(await liveCount(nodes.b, room.id), 2, 'node B answers for it as its home does');
  await until(5000, 'nobody\'s call is on node B', async () => (await metric(nodes.b.url, 'parley_participants')) === 0);

  // Chat both ways, and a moderator's action across nodes.
  bruno.ws.send(JSON.stringify({ type: 'chat', text: 'bonjour depuis B' }));
  for (const [who, client] of [['Ana', ana], ['Bruno', bruno]]) {
    await until(5000, `${who} gets Bruno's chat`, () => client.frames.some((f) => f.type === 'chat' && f.message.text === 'bonjour depuis B'));
  }
  ana.ws.send(JSON.stringify({ type: 'moderate', action: 'mute', target: welcome.you.id }));
  const [muted] = await framesOf(bruno, 'muted', 1, 'Bruno is muted by Ana');
  assert.equal(muted.by, 'Ana');

  // Carla, through B, drops her connection to come back (code 4000, as the page does when
  // its media fails): the relay passes the code on, so she is still in the room and resumes
  // through A as the same participant.
  const carla = join(nodes.b.url, room.id, 'Carla');
  const carlaWelcome = await carla.first;
  assert.equal(carlaWelcome.type, 'welcome');
  carla.ws.close(4000, 'reconnecting');
  await carla.closed;
  const back = join(nodes.a.url, room.id, 'Carla', { resume: carlaWelcome.resume_token });
  const resumed = await back.first;
  assert.equal(resumed.type, 'welcome', JSON.stringify(back.frames));
  assert.equal(resumed.you.id, carlaWelcome.you.id, 'the same participant');
  assert.ok(!ana.frames.some((f) => f.type === 'participant-left' && f.id === carlaWelcome.you.id), 'Carla never left');

  // Bruno closes his connection through the relay (code 1000): he is gone at once, not kept
  // for a resume as after a broken link, so the relay passed the close on as it was.
  bruno.ws.close(1000);
  await until(5000, 'Ana sees Bruno go', () =>
    ana.frames.some((f) => f.type === 'participant-left' && f.id === welcome.you.id && f.reason === 'disconnected'));
  await until(5000, 'node B\'s relay ends with it', async () =>
    (await metric(nodes.b.url, 'parley_signaling_relayed_connections')) === relayedBefore);
  for (const client of [ana, back]) client.ws.close();
});

test('a node trusts relayed signaling only with the cluster\'s key', async () => {
  const room = await createRoom(nodes.a.url, { name: 'Clé' });
  const status = await new Promise((resolve, reject) => {
    const ws = new WebSocket(`${nodes.a.url.replace('http', 'ws')}/ws/${room.id}`,
      { headers: { 'X-Parley-Relay': 'not-the-key', 'X-Parley-Relay-Client': '203.0.113.9' } });
    ws.on('unexpected-response', (request, response) => resolve(response.statusCode));
    ws.on('open', () => reject(new Error('a forged relay was accepted')));
    ws.on('error', () => {});
  });
  assert.equal(status, 403);
});

test('a room\'s REST API answers through any node: its home serves it, with the same rights', async () => {
  const room = await createRoom(nodes.a.url, { name: 'Commandes' });
  const ana = join(nodes.a.url, room.id, 'Ana', { token: room.moderator_token });
  assert.equal((await ana.first).type, 'welcome', JSON.stringify(ana.frames));
  const relayedBefore = await metric(nodes.b.url, 'parley_http_relayed_requests_total');
  const transcription = (token, action) => fetch(`${nodes.b.url}/api/rooms/${room.id}/transcription`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ action }),
  });
  // Rights are checked where the meeting lives: the home's own answers come back.
  assert.equal((await transcription(null, 'start')).status, 401);
  assert.equal((await transcription('not-the-token', 'start')).status, 403);
  // A moderator's page behind a load balancer that chose node B starts the transcription
  // of the meeting Ana is in on node A (not of an empty copy of it on B).
  const started = await transcription(room.moderator_token, 'start');
  assert.equal(started.status, 200, await started.clone().text());
  assert.equal((await started.json()).active, true);
  await framesOf(ana, 'transcription', 1, 'Ana, on the home, hears that the transcription started');
  assert.ok(ana.frames.some((f) => f.type === 'transcription' && f.active));
  const list = await fetch(`${nodes.b.url}/api/rooms/${room.id}/recordings`, { headers: { Authorization: `Bearer ${room.moderator_token}` } });
  assert.equal(list.status, 200);
  assert.ok(Array.isArray((await list.json()).recordings), 'the home\'s recordings');
  const stopped = await transcription(room.moderator_token, 'stop');
  assert.equal((await stopped.json()).active, false);
  assert.equal(await metric(nodes.b.url, 'parley_http_relayed_requests_total'), relayedBefore + 5);
  assert.equal(await liveCount(nodes.b, room.id), 1, 'through node B, the meeting Ana is in');
  assert.equal(await metric(nodes.b.url, 'parley_rooms_active'), 0, 'no meeting with people in it on node B');
  // A forged relay key on a REST request is refused as on an upgrade.
  const forged = await fetch(`${nodes.a.url}/api/rooms/${room.id}/recordings`,
    { headers: { 'X-Parley-Relay': 'not-the-key', 'X-Parley-Relay-Client': '203.0.113.9' } });
  assert.equal(forged.status, 403);
  ana.ws.close();
});

test('Chromium participants joining through different nodes see and hear each other', async () => {
  browser = await launchBrowser();
  const room = await createRoom(nodes.a.url, { name: 'Deux portes' });
  const ana = await joinRoom(browser, nodes.a.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, nodes.b.url, room.id, 'Bruno');
  for (const [page, other] of [[ana, 'Bruno'], [bruno, 'Ana']]) await participantItem(page, other).waitFor();
  assert.ok((await metric(nodes.b.url, 'parley_signaling_relayed_connections')) >= 1, 'Bruno\'s signaling goes through node B\'s relay');
  for (const [who, page] of [['Ana', ana], ['Bruno', bruno]]) {
    await assertRising(page, 'audio', 'totalAudioEnergy', 1, who);
    await assertRising(page, 'video', 'framesDecoded', 1, who);
  }
  for (const page of [ana, bruno]) await page.context().close();
});

test('while Redis is away, calls go on, new joins are refused clearly, then open again', async () => {
  const room = await createRoom(nodes.a.url, { name: 'Pendant la panne' });
  const ana = join(nodes.a.url, room.id, 'Ana');
  assert.equal((await ana.first).type, 'welcome');

  await redis.stop();
  const stoppedAt = Date.now();
  await until(10000, 'node A notices', async () => (await metric(nodes.a.url, 'parley_cluster_joins_refused')) === 1);
  console.log(`Redis stopped: node A refuses joins after ${Date.now() - stoppedAt} ms`);
  const refused = await join(nodes.a.url, room.id, 'Carla').first;
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'unavailable');
  assert.match(refused.message, /coordination service is unreachable.*calls in progress go on/);
  // Ana's call goes on: her chat still reaches the room and comes back.
  ana.ws.send(JSON.stringify({ type: 'chat', text: 'toujours là' }));
  await until(5000, 'Ana\'s chat during the outage', () => ana.frames.some((f) => f.type === 'chat' && f.message?.text === 'toujours là'));

  await redis.start();
  const back = Date.now();
  await until(10000, 'node A open again', async () => (await metric(nodes.a.url, 'parley_cluster_joins_refused')) === 0);
  console.log(`Redis back: node A open again after ${Date.now() - back} ms`);
  const carla = join(nodes.a.url, room.id, 'Carla');
  assert.equal((await carla.first).type, 'welcome', JSON.stringify(carla.frames));
  for (const ws of [ana.ws, carla.ws]) ws.close();
  // Both nodes registered again in the new (empty) Redis.
  await until(10000, 'two nodes again', async () => (await metric(nodes.a.url, 'parley_cluster_nodes')) === 2);
});

test('a home that finds its room taken by another node (while it was away) sends its people there', async () => {
  await until(10000, 'two nodes', async () => (await metric(nodes.a.url, 'parley_cluster_nodes')) === 2);
  const room = await createRoom(nodes.a.url, { name: 'Deux maisons' });
  const ana = join(nodes.a.url, room.id, 'Ana');
  assert.equal((await ana.first).type, 'welcome');
  const homeKey = `parley:room:${room.id}:home`;
  const nodeA = redis.command('GET', homeKey);
  const nodeB = redis.command('--scan', '--pattern', 'parley:node:*').split('\n')
    .map((key) => key.slice('parley:node:'.length)).find((id) => id && id !== nodeA);
  assert.ok(nodeA && nodeB, `two node ids (${nodeA}, ${nodeB})`);
  // What a partition leaves behind: node A away from Redis for longer than its time to live,
  // and someone joining through node B meanwhile, which then claimed the room.
  const handedBefore = await metric(nodes.a.url, 'parley_participants_handed_over_total');
  const relayedBefore = await metric(nodes.a.url, 'parley_signaling_relayed_connections');
  const tookAt = Date.now();
  redis.command('SET', homeKey, nodeB, 'PX', '600000');
  const bruno = join(nodes.b.url, room.id, 'Bruno');
  assert.equal((await bruno.first).type, 'welcome', 'served by node B, the home now');

  // Node A sees it on its next confirmation and lets Ana go, without a goodbye: her client
  // reconnects, through node A again, and is relayed to node B.
  await within(15000, 'node A lets Ana go', ana.closed);
  console.log(`room taken by node B: node A let its people go after ${Date.now() - tookAt} ms`);
  assert.ok(!ana.frames.some((f) => f.type === 'ended' || f.type === 'removed'), 'no goodbye: her client comes back');
  assert.equal(await metric(nodes.a.url, 'parley_participants_handed_over_total'), handedBefore + 1);
  assert.ok((await metric(nodes.a.url, 'parley_cluster_rooms_handed_over_total')) >= 1);
  const again = join(nodes.a.url, room.id, 'Ana');
  assert.equal((await again.first).type, 'welcome', JSON.stringify(again.frames));
  assert.equal(await metric(nodes.a.url, 'parley_signaling_relayed_connections'), relayedBefore + 1, 'relayed to node B');
  // One room: Bruno sees Ana come in, and node A answers for the room as its home does.
  await until(5000, 'Bruno sees Ana', () => bruno.frames.some((f) => f.type === 'participant-joined' && f.participant?.name === 'Ana'));
  assert.deepEqual(await participantNames(nodes.a.url, room), ['Ana', 'Bruno']);
  const sessions = postgres.query(`SELECT leave_reason FROM participant_sessions WHERE name = 'Ana' AND room_id = '${room.id}' ORDER BY joined_at`);
  assert.match(sessions, /^moved/, 'her first session ended as moved');
  for (const ws of [again.ws, bruno.ws]) ws.close();
});

test('a node killed with SIGKILL leaves the others\' view within the time to live, and they close its sessions', async () => {
  await until(10000, 'two nodes', async () => (await metric(nodes.a.url, 'parley_cluster_nodes')) === 2);
  const room = await createRoom(nodes.a.url, { name: 'Avant la chute' });
  const basile = join(nodes.b.url, room.id, 'Basile');
  assert.equal((await basile.first).type, 'welcome');
  const session = () => postgres.query(`SELECT leave_reason FROM participant_sessions WHERE name = 'Basile' AND room_id = '${room.id}'`);
  assert.equal(session(), '', 'open while node B lives');
  const killedAt = Date.now();
  nodes.b.signal('SIGKILL');
  await nodes.b.exited;
  delete nodes.b;
  await until(15000, 'node B gone from A\'s view', async () => (await metric(nodes.a.url, 'parley_cluster_nodes')) === 1);
  const seconds = (Date.now() - killedAt) / 1000;
  console.log(`node B killed: gone from node A's view after ${seconds.toFixed(1)} s (time to live 10 s, heartbeat 2 s)`);
  assert.ok(seconds <= 12.5, `taken for dead within 10 s and a heartbeat (${seconds} s)`);

  // Basile's session, left open by the dead node, is closed by the live one.
  await until(40000, 'Basile\'s session closed', async () => session() === 'node-lost');
  assert.ok((await metric(nodes.a.url, 'parley_cluster_lost_node_sessions_closed_total')) >= 1);
  console.log(`node B killed: its open session closed by node A after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
  basile.ws.terminate();
  // The room was homed on node B: node A takes it over when Basile comes back through it.
  const again = join(nodes.a.url, room.id, 'Basile');
  assert.equal((await again.first).type, 'welcome', JSON.stringify(again.frames));
  again.ws.close();
});
