// Two nodes of a cluster on this machine's loopback, on a real PostgreSQL and a real Redis
// started by the test: they register and see each other, share rooms through the store, a
// node killed with SIGKILL leaves everyone's view within the heartbeat's time to live and
// the live node closes the sessions it left open, and while Redis is away a node keeps the
// calls it has and refuses new joins with a clear error, then opens again by itself.
import assert from 'node:assert/strict';
import { after, before, createRoom, joinBare as join, metricValue as metric, startServer, test, until } from './helpers.mjs';
import { startPostgres, startRedis } from './services.mjs';

let postgres, redis;
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
});

after(async () => {
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
});
