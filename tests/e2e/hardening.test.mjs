// What one hostile or unlucky client, or a bad moment of the database, could do to the
// server before: each test is a defect the security review found, as a client sees it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { PARLEY, after, before, createRoom, getRoom, joinBare, launchBrowser, participantItem, startServer, tempDir, test, within } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

// A signaling client: frames as they come, and the close code.
function signaling(url, roomId, headers = {}) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/${roomId}`, { headers, maxPayload: 0 });
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    // A frame someone waits for is theirs; the others stay for a later next().
    const waiter = waiters.find((w) => w.match(frame));
    if (waiter) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(frame);
    } else {
      frames.push(frame);
    }
  });
  const next = (match, ms = 15000) => within(ms, `a frame matching ${match}`, new Promise((resolve) => {
    const found = frames.find(match);
    if (found) {
      frames.splice(frames.indexOf(found), 1);
      resolve(found);
    } else waiters.push({ match, resolve });
  }));
  const opened = within(15000, 'the WebSocket opening', new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }));
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  const join = async (name, token) => {
    await opened;
    ws.send(JSON.stringify({ type: 'join', version: 1, name, ...(token ? { token } : {}) }));
    return next((f) => f.type === 'welcome' || f.type === 'error');
  };
  return { ws, frames, next, opened, closed, join };
}

// A client still sending a message too big when the server refuses it: raw WebSocket frames
// over TCP, so that how the connection ends (a close frame and FIN, or a reset) is seen.
async function sendTooBigSlowly(url, roomId) {
  const { hostname, port } = new URL(url);
  // Half-open allowed: the server may end its side first, while the client still sends.
  const socket = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true });
  await within(10000, 'the TCP connection', new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject)));
  const key = Buffer.from('parley-hardening').toString('base64');
  socket.write(`GET /ws/${roomId} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nOrigin: ${url}\r\n\r\n`);
  let received = Buffer.alloc(0);
  let reset = null;
  let upgraded;
  const upgrade = new Promise((resolve) => { upgraded = resolve; });
  socket.on('data', (chunk) => {
    received = Buffer.concat([received, chunk]);
    if (received.includes('\r\n\r\n')) upgraded();
  });
  socket.on('error', (error) => { reset = error.code; });
  const gone = new Promise((resolve) => socket.once('close', resolve));
  await within(10000, 'the upgrade', upgrade);
  assert.match(received.toString('latin1'), /^HTTP\/1.1 101/);
  received = received.subarray(received.indexOf('\r\n\r\n') + 4);
  // A masked text frame of 1.5 MiB (64-bit length), sent in pieces of 64 KiB.
  const length = 1536 * 1024;
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  const write = (bytes) => new Promise((resolve) => socket.write(bytes, () => resolve()));
  await write(header);  // mask 0: the payload goes as it is
  const closeFrame = () => received.length >= 4 && received[0] === 0x88 ? received.readUInt16BE(2) : null;
  let sent = 0;
  while (sent < length && !reset) {
    await write(Buffer.alloc(64 * 1024, 0x78));
    sent += 64 * 1024;
    // Once refused, the rest still comes, as from a browser in the middle of its send.
    if (closeFrame() === null) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!reset) {
    await write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf1]));  // our close (1009), masked
    socket.end();
  }
  await within(15000, 'the end of the connection', gone);
  return { code: closeFrame(), reset };
}

const metric = async (url, pattern) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${pattern} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
};

const sql = (dataDir, statement) =>
  execFileSync('sqlite3', [path.join(dataDir, 'parley.db')], { input: statement, encoding: 'utf8' }).trim();

test('a database locked by another process fails only the requests of that moment', async () => {
  const server = await startServer({ args: ['--empty-room-timeout', '2'] });
  try {
    const room = await createRoom(server.url);
    const ana = signaling(server.url, room.id);
    assert.equal((await ana.join('Ana')).type, 'welcome');
    // A backup, say, takes the write lock for a few seconds.
    const holder = spawn('python3', ['-c', `
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
sys.stdin.readline()
c.execute('COMMIT')
`, path.join(server.dataDir, 'parley.db')], { stdio: ['pipe', 'pipe', 'inherit'] });
    await within(10000, 'the lock', new Promise((resolve) => holder.stdout.once('data', resolve)));

    const create = await fetch(`${server.url}/api/rooms`, { method: 'POST' });
    assert.equal(create.status, 503);
    assert.match((await create.json()).error, /database/);
    ana.ws.send(JSON.stringify({ type: 'chat', text: 'pendant le verrou' }));
    assert.equal((await ana.next((f) => f.type === 'error')).code, 'unavailable');
    const late = signaling(server.url, room.id);
    assert.equal((await late.join('Bruno')).code, 'unavailable');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the server is up');
    // Ana leaves meanwhile: she is gone at once, and her leaving is written later.
    ana.ws.close();
    await ana.closed;

    holder.stdin.end('\n');
    await new Promise((resolve) => holder.once('exit', resolve));
    assert.equal((await fetch(`${server.url}/api/rooms`, { method: 'POST' })).status, 201);
    const again = await late.join('Bruno');
    assert.equal(again.type, 'welcome', `joining works again: ${JSON.stringify(again)}\n${server.log()}`);
    late.ws.send(JSON.stringify({ type: 'chat', text: 'après le verrou' }));
    await late.next((f) => f.type === 'chat');
    assert.ok((await metric(server.url, 'parley_store_errors_total')) >= 3);
    // The kept write (Ana's leaving) reaches the database at the next upkeep.
    for (let i = 0; i < 50 && sql(server.dataDir, "SELECT COUNT(*) FROM participant_sessions WHERE name='Ana' AND left_at IS NULL") !== '0'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(sql(server.dataDir, "SELECT COUNT(*) FROM participant_sessions WHERE name='Ana' AND left_at IS NULL"), '0');
    late.ws.close();
  } finally {
    const { code, signal } = await server.stop();
    assert.equal(code, 0, `it stops cleanly after all that (${signal}):\n${server.log().slice(-3000)}`);
  }
});

test('signaling frames past 1 MiB close with 1009, and a socket that never joins is closed', async () => {
  const server = await startServer();
  try {
    const room = await createRoom(server.url);
    const big = signaling(server.url, room.id);
    await big.join('Big');
    big.ws.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(1536 * 1024) }));
    assert.equal(await within(15000, 'the close', big.closed), 1009);
    // A client still sending gets the close frame and a clean end, not a reset: the server
    // reads and drops the rest of the message before closing.
    assert.deepEqual(await sendTooBigSlowly(server.url, room.id), { code: 1009, reset: null });

    const idle = signaling(server.url, room.id);
    await idle.opened;
    const started = Date.now();
    assert.equal((await idle.next((f) => f.type === 'error', 20000)).code, 'not-joined');
    assert.equal(await within(20000, 'the close', idle.closed), 1008);
    assert.ok(Date.now() - started >= 9000, 'it had ten seconds to join');
    assert.ok((await metric(server.url, 'parley_websocket_join_timeouts_total')) >= 1);
  } finally {
    await server.stop();
  }
});

test('SIGTERM with a client that never answers the close: the server stops cleanly and the participant has left', async () => {
  const server = await startServer();
  const room = await createRoom(server.url);
  const silent = joinBare(server.url, room.id, 'Silent');
  assert.equal((await silent.first).type, 'welcome');
  silent.ws._socket.pause(); // reads nothing more: the server's "going away" goes unanswered
  const { code, signal } = await server.stop();
  silent.ws.terminate();
  assert.equal(code, 0, `a clean exit (${signal}):\n${server.log().slice(-3000)}`);
  assert.match(server.log(), /stopped/);
  assert.equal(sql(server.dataDir, "SELECT COUNT(*) FROM participant_sessions WHERE name='Silent' AND left_at IS NOT NULL"), '1',
    'the participant left while the room still existed');
});

test('a removed participant cannot walk back in through the same link', async () => {
  const server = await startServer();
  try {
    const room = await createRoom(server.url);
    const moderator = signaling(server.url, room.id);
    const welcome = await moderator.join('Modératrice', room.moderator_token);
    const context = await browser.newContext({ locale: 'en-US' });
    const ana = await context.newPage();
    await ana.goto(`${server.url}/r/${room.id}?name=Ana&autojoin=1`);
    await participantItem(ana, 'Ana').waitFor();
    const joined = await moderator.next((f) => f.type === 'participant-joined');
    moderator.ws.send(JSON.stringify({ type: 'moderate', action: 'remove', target: joined.participant.id }));
    await ana.getByTestId('notice-title').filter({ hasText: 'removed you' }).waitFor();
    // The same browser, the same link: refused, and told why.
    await ana.goto(`${server.url}/r/${room.id}?name=Ana&autojoin=1`);
    await ana.getByTestId('notice-title').filter({ hasText: 'cannot join' }).waitFor();
    const { body } = await getRoom(server.url, room.id, room.moderator_token);
    assert.deepEqual(body.participants.map((p) => p.name), ['Modératrice']);
    assert.equal(welcome.you.role, 'moderator');
    await context.close();
    moderator.ws.close();
  } finally {
    await server.stop();
  }
});

test('the chat of a meeting is bounded and comes in pages', async () => {
  const server = await startServer();
  try {
    const room = await createRoom(server.url);
    // 300 messages of 500 bytes already in the meeting (written straight into its database).
    const rows = Array.from({ length: 300 }, (_, i) => `('${room.id}', 'p', 'Ana', '${String(i).padStart(3, '0')}${'m'.repeat(497)}', ${i})`);
    sql(server.dataDir, `INSERT INTO chat_messages (room_id, participant_id, name, text, sent_at) VALUES ${rows.join(',')}`);
    const bruno = signaling(server.url, room.id);
    const welcome = await bruno.join('Bruno');
    const bytes = welcome.chat.reduce((n, m) => n + m.text.length + m.name.length, 0);
    assert.ok(welcome.chat.length < 300 && bytes <= 64 * 1024, `the welcome brings ${welcome.chat.length} messages, ${bytes} bytes`);
    assert.equal(welcome.chat.at(-1).text.slice(0, 3), '299', 'the newest ones');
    assert.equal(welcome.chat_more, true);
    bruno.ws.send(JSON.stringify({ type: 'chat-history', before: welcome.chat[0].id }));
    const page = await bruno.next((f) => f.type === 'chat-history');
    assert.ok(page.messages.length > 0);
    assert.ok(page.messages.at(-1).id < welcome.chat[0].id, 'older than what the welcome had');
    // Up to the meeting's limit (5,000 messages), then a clear refusal.
    const more = Array.from({ length: 4700 }, (_, i) => `('${room.id}', 'p', 'Ana', 'x', ${1000 + i})`);
    sql(server.dataDir, `INSERT INTO chat_messages (room_id, participant_id, name, text, sent_at) VALUES ${more.join(',')}`);
    const carla = signaling(server.url, room.id);
    await carla.join('Carla');
    carla.ws.send(JSON.stringify({ type: 'chat', text: 'encore un' }));
    assert.equal((await carla.next((f) => f.type === 'error')).code, 'limit-reached');
    bruno.ws.close();
    carla.ws.close();
  } finally {
    await server.stop();
  }
});

// Opens `count` TCP connections to the server and keeps them open.
async function connections(url, count) {
  const { port } = new URL(url);
  const sockets = [];
  for (let i = 0; i < count; i++) {
    sockets.push(await new Promise((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => resolve(s));
      s.on('error', () => resolve(s));
    }));
  }
  return sockets;
}

test('one address cannot take every connection, and running out of descriptors does not spin', async () => {
  const server = await startServer({ args: ['--max-connections-per-address', '8'] });
  try {
    const held = await connections(server.url, 8);
    const [ninth] = await connections(server.url, 1);
    await within(5000, 'the ninth connection closed', new Promise((resolve) => ninth.once('close', resolve)));
    for (const s of held) s.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'free again once they went');
  } finally {
    await server.stop();
  }

  // A server with few file descriptors: past them, accepting backs off instead of looping.
  const dataDir = tempDir();
  const child = spawn('prlimit', ['--nofile=48', PARLEY, 'serve',
    '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--media-workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const url = await within(15000, 'the server starting', new Promise((resolve) => {
    child.stderr.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]);
    });
  }));
  try {
    const flood = await connections(url, 80);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const warnings = (log.match(/accept failed/g) ?? []).length;
    assert.ok(warnings >= 1 && warnings <= 2, `one warning per episode, not a line per try: ${warnings}`);
    for (const s of flood) s.destroy();
    // It accepts again: the metrics say how often it tried, a handful of times, not thousands.
    let tries = NaN;
    for (let i = 0; i < 30 && Number.isNaN(tries); i++) {
      tries = await metric(url, 'parley_accept_errors_total').catch(() => NaN);
      if (Number.isNaN(tries)) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(tries >= 1 && tries < 60, `accept errors over 3 s: ${tries}`);
    assert.match(log, /accepting connections again/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});
