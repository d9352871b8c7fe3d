// docs/nginx/parley-cluster.conf as written, in front of three nodes of a cluster (real
// PostgreSQL, Redis and nginx, all on loopback): a meeting's people, joining through nginx,
// meet on one node; when that node is killed with SIGKILL, they reconnect through nginx (as
// the client does) and meet again on one other node, with their chat intact.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, after, before, joinBare, metricValue, startServer, tempDir, test, until } from './helpers.mjs';
import { freePort, startPostgres, startRedis } from './services.mjs';

let postgres, redis, nginx, nginxDir, front;
const nodes = [];

function startNode(udp) {
  return startServer({
    args: ['--cluster', redis.url, '--store', postgres.url, '--node-address', '127.0.0.1', '--udp-ports', udp,
      '--tcp-ports', 'off', '--media-workers', '1', '--trusted-proxy', '127.0.0.1'],
  });
}

async function startNginx(upstreams) {
  nginxDir = tempDir('parley-nginx-');
  const port = await freePort();
  let site = readFileSync(path.join(ROOT, 'docs/nginx/parley-cluster.conf'), 'utf8').replace('listen LISTEN;', `listen 127.0.0.1:${port};`);
  ['NODE_A', 'NODE_B', 'NODE_C'].forEach((name, i) => (site = site.replace(`server ${name} `, `server ${upstreams[i]} `)));
  writeFileSync(path.join(nginxDir, 'site.conf'), site);
  writeFileSync(path.join(nginxDir, 'nginx.conf'), `
daemon off;
master_process off;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${nginxDir}/body;
  proxy_temp_path ${nginxDir}/proxy;
  include ${nginxDir}/site.conf;
}
`);
  nginx = spawn('nginx', ['-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  nginx.stderr.on('data', (chunk) => (errors += chunk));
  front = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${front}/healthz`)).ok) return;
    } catch { /* not listening yet */ }
    if (nginx.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nginx did not start: ${errors}`);
}

// Joins through nginx as a client would; resolves once welcomed. A 503 (the meeting's node
// cannot be reached just now) is tried again after the web client's first delays.
async function join(roomId, name) {
  for (const delay of [500, 1000, 2000, 4000, 0]) {
    const client = joinBare(front, roomId, name);
    let first;
    try {
      first = await client.first;
    } catch (error) {
      if (!/503/.test(error.message) || delay === 0) throw error;
      console.log(`# ${name}: 503, tried again after ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      continue;
    }
    assert.equal(first.type, 'welcome', `${name}: ${JSON.stringify(first)}`);
    return { ...client, welcome: first };
  }
}

// The node whose live room holds `count` people, by asking each node directly.
async function hostOf(roomId, count) {
  for (const node of nodes) {
    if (!node.alive) continue;
    const room = await (await fetch(`${node.url}/api/rooms/${roomId}`)).json();
    if (room.participant_count === count) return node;
  }
  return undefined;
}

before(async () => {
  postgres = await startPostgres();
  redis = await startRedis();
  for (const udp of ['47820-47821', '47822-47823', '47824-47825']) nodes.push(Object.assign(await startNode(udp), { alive: true }));
  await startNginx(nodes.map((node) => new URL(node.url).host));
  // Each node opens to joins once its first heartbeat has answered.
  for (const node of nodes) {
    await until(10000, 'the node opens to joins', async () => (await metricValue(node.url, 'parley_cluster_joins_refused')) === 0);
  }
});

after(async () => {
  nginx?.kill('SIGTERM');
  for (const node of nodes) if (node.alive) await node.stop();
  await redis?.remove();
  postgres?.remove();
  if (nginxDir) rmSync(nginxDir, { recursive: true, force: true });
});

test('through nginx a meeting meets on one node, and again on one other when that node dies', async () => {
  const created = await fetch(`${front}/api/rooms`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Cellule de crise' }),
  });
  assert.equal(created.status, 201);
  const room = await created.json();
  const ana = await join(room.id, 'Ana');
  const bruno = await join(room.id, 'Bruno');
  assert.deepEqual(bruno.welcome.participants.map((p) => p.name).sort(), ['Ana', 'Bruno'], 'Bruno finds Ana: one node');
  const host = await hostOf(room.id, 2);
  assert.ok(host, 'one node holds both');
  ana.ws.send(JSON.stringify({ type: 'chat', text: 'avant la panne' }));
  await until(5000, 'the chat reaches Bruno', () => bruno.frames.some((f) => f.type === 'chat' && f.message.text === 'avant la panne'));

  const killedAt = Date.now();
  host.signal('SIGKILL');
  await host.exited;
  host.alive = false;
  await Promise.all([ana.closed, bruno.closed]);
  // Both come back through nginx, as the client's reconnect does.
  const [ana2, bruno2] = await Promise.all([join(room.id, 'Ana'), join(room.id, 'Bruno')]);
  const seconds = (Date.now() - killedAt) / 1000;
  console.log(`host node killed: both back in the meeting on another node after ${seconds.toFixed(2)} s`);
  const newHost = await hostOf(room.id, 2);
  assert.ok(newHost && newHost !== host, 'one other node holds both');
  assert.ok(ana2.welcome.chat.some((m) => m.text === 'avant la panne'), 'the chat came back from PostgreSQL');
  assert.ok(seconds < 15, `back within 15 s (${seconds} s)`);
  for (const client of [ana2, bruno2]) client.ws.close();
});
