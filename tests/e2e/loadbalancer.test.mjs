// docs/nginx/parley-cluster.conf as written, in front of three nodes of a cluster (real
// PostgreSQL, Redis and nginx, all on loopback): a meeting's people, joining through nginx,
// meet on one node; when that node is killed with SIGKILL, they reconnect through nginx (as
// the client does) and meet again on one other node, with their chat intact; a node killed
// during a transcribed call: the page's own reconnect brings its participant back through
// another node within 15 s, and every transcript line that was final is still there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, after, before, getRoom, joinBare, metricValue, participantItem, startServer, tempDir, test,
  until } from './helpers.mjs';
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

// The node whose meetings hold `count` people, by asking each node's metrics (any node
// answers GET /api/rooms/CODE as the meeting's home does).
async function hostOf(count) {
  for (const node of nodes) {
    if (node.alive && (await metricValue(node.url, 'parley_participants')) === count) return node;
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
  const host = await hostOf(2);
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
  const newHost = await hostOf(2);
  assert.ok(newHost && newHost !== host, 'one other node holds both');
  assert.ok(ana2.welcome.chat.some((m) => m.text === 'avant la panne'), 'the chat came back from PostgreSQL');
  assert.ok(seconds < 15, `back within 15 s (${seconds} s)`);
  for (const client of [ana2, bruno2]) client.ws.close();
});

test('a node killed during a transcribed call: its participant is back through another node within 15 s, and no final line of the transcript is lost', async () => {
  const room = await (await fetch(`${front}/api/rooms`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Compte rendu' }),
  })).json();
  const moderator = { Authorization: `Bearer ${room.moderator_token}` };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${path.join(ROOT, 'tests/fixtures/speech/jfk.wav')}`] });
  try {
    const ana = await (await browser.newContext()).newPage();
    await ana.goto(`${front}/r/${room.id}?name=Ana&autojoin=1`);
    await participantItem(ana, 'Ana').waitFor();
    await ana.getByTestId('toggle-camera').click();  // the recognizer's CPU, not video, is the subject
    const started = await fetch(`${front}/api/rooms/${room.id}/transcription`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...moderator }, body: JSON.stringify({ action: 'start' }),
    });
    assert.equal(started.status, 200, await started.clone().text());
    const transcript = async () => (await (await fetch(`${front}/api/rooms/${room.id}/transcript?format=json`, { headers: moderator })).json()).segments;
    let final = [];
    await until(90000, 'a final line of Ana\'s words', async () => (final = await transcript()).length >= 1);

    const host = await hostOf(1);
    assert.ok(host, 'one node holds Ana');
    const killedAt = Date.now();
    host.signal('SIGKILL');
    await host.exited;
    host.alive = false;
    // Nobody helps the page: its own reconnect goes through nginx to another node.
    await until(15000, 'Ana back in the meeting', async () => {
      const { status, body } = await getRoom(front, room.id, room.moderator_token);
      return status === 200 && body.participants?.some((p) => p.name === 'Ana');
    });
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`transcribing node killed: its participant back on another node after ${seconds.toFixed(2)} s`);
    const newHost = await hostOf(1);
    assert.ok(newHost && newHost !== host, 'another node holds her now');
    const now = await transcript();
    for (const line of final) {
      assert.ok(now.some((l) => l.text === line.text && l.start === line.start && l.speaker.name === 'Ana'),
        `kept: ${JSON.stringify(line)} in ${JSON.stringify(now)}`);
    }
    console.log(`transcript: ${final.length} final line(s) before the kill, all kept (${now.length} after)`);
  } finally {
    await browser.close();
  }
});
