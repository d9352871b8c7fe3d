// The HTTP contract: health, metrics, rooms, errors, and hostile requests.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, createRoom, getRoom, startServer, test } from './helpers.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const host = () => new URL(server.url).host;

function rawRequest(url, bytes) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(bytes));
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

test('GET /healthz answers ok', async () => {
  const response = await fetch(`${server.url}/healthz`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'ok');
});

test('POST /api/rooms creates an unguessable room', async () => {
  const room = await createRoom(server.url, { name: 'Comité de pilotage' });
  assert.match(room.id, /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  assert.equal(room.url, `${server.url}/r/${room.id}`);
  assert.ok(room.moderator_token.length >= 40);
  const again = await createRoom(server.url);
  assert.notEqual(again.id, room.id);
  assert.notEqual(again.moderator_token, room.moderator_token);

  const { status, body } = await getRoom(server.url, room.id);
  assert.equal(status, 200);
  assert.equal(body.id, room.id);
  assert.equal(body.name, 'Comité de pilotage');
  assert.ok(!Number.isNaN(Date.parse(body.created_at)));
  assert.equal(body.participant_count, 0);
  assert.equal(body.participants, undefined, 'who is in a meeting is for its moderators');
  assert.equal(body.moderator_token, undefined, 'the token is never shown again');
  const moderator = await getRoom(server.url, room.id, room.moderator_token);
  assert.deepEqual(moderator.body.participants, []);
  assert.equal((await getRoom(server.url, room.id, 'not-the-token')).status, 403);
});

test('unknown rooms and routes answer 404 with a JSON error', async () => {
  for (const path of ['/api/rooms/zzz-zzzz-zzz', '/api/rooms/not-a-code', '/nowhere', '/api/nothing']) {
    const response = await fetch(`${server.url}${path}`);
    assert.equal(response.status, 404, path);
    assert.match(response.headers.get('content-type'), /application\/json/);
    assert.equal(typeof (await response.json()).error, 'string');
  }
  const page = await fetch(`${server.url}/r/zzz-zzzz-zzz`);
  assert.equal(page.status, 404, 'the room page of an unknown code says so');
});

test('bad bodies answer 400 and nothing is created', async () => {
  const before = (await (await fetch(`${server.url}/metrics`)).text()).match(/parley_rooms_created_total (\d+)/)[1];
  for (const body of ['not json', '[1,2]', '{"name": 42}', `{"name": "${'x'.repeat(101)}"}`, '{"name": "a\\u0000b"}']) {
    const response = await fetch(`${server.url}/api/rooms`, { method: 'POST', body });
    assert.equal(response.status, 400, body);
    assert.equal(typeof (await response.json()).error, 'string');
  }
  // Too large: answered 413, and read by the client (the server drains what it still
  // sends instead of resetting the connection under it).
  const big = await fetch(`${server.url}/api/rooms`, { method: 'POST', body: 'x'.repeat(70 * 1024) });
  assert.equal(big.status, 413);
  const raw = await rawRequest(server.url, `POST /api/rooms HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n` +
    `Content-Length: ${200 * 1024}\r\n\r\n${'y'.repeat(200 * 1024)}`);
  assert.match(raw, /^HTTP\/1\.1 413/);
  const afterCount = (await (await fetch(`${server.url}/metrics`)).text()).match(/parley_rooms_created_total (\d+)/)[1];
  assert.equal(afterCount, before);
});

test('wrong methods answer 405', async () => {
  assert.equal((await fetch(`${server.url}/api/rooms`)).status, 405);
  assert.equal((await fetch(`${server.url}/healthz`, { method: 'DELETE' })).status, 405);
});

test('paths with odd bytes get a clear error and the server keeps serving', async () => {
  const replies = await Promise.all([
    rawRequest(server.url, `GET /\x01\x02\x7f HTTP/1.1\r\nHost: ${host()}\r\n\r\n`),
    rawRequest(server.url, `GET /r/\xff\xfe HTTP/1.1\r\nHost: ${host()}\r\n\r\n`),
    rawRequest(server.url, `GET /api/rooms/%00%2e%2e%2fetc HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`),
    rawRequest(server.url, `GET /../../etc/passwd HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`),
    rawRequest(server.url, 'NONSENSE\r\n\r\n'),
    rawRequest(server.url, `GET / HTTP/1.1\r\nHost: ${host()}\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`),
  ]);
  for (const reply of replies) assert.match(reply, /^HTTP\/1\.1 (400|404|431)/, reply.slice(0, 80));
  assert.doesNotMatch(replies[3], /root:/);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

test('the web client is served with a strict content security policy', async () => {
  const response = await fetch(`${server.url}/`);
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.match(html, /<div id="app">/);
  const csp = response.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  // WebAssembly may be compiled; JavaScript may not be evaluated from strings.
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  // Every asset the page refers to is served by us: nothing from a third party.
  for (const [, ref] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    assert.ok(ref.startsWith('/'), `third-party reference ${ref}`);
    assert.equal((await fetch(`${server.url}${ref}`)).status, 200, ref);
  }
});

test('GET /metrics exposes Prometheus metrics', async () => {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  for (const name of ['parley_rooms_active', 'parley_participants', 'parley_signaling_messages_total', 'parley_signaling_errors_total', 'parley_http_requests_total']) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
});

test('cross-origin WebSocket upgrades are refused', async () => {
  const room = await createRoom(server.url);
  const reply = await rawRequest(
    server.url,
    `GET /ws/${room.id} HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n',
  );
  assert.match(reply, /^HTTP\/1\.1 403/);
});

test('requests for a host name that is not ours are refused (DNS rebinding)', async () => {
  // A page on evil.example whose name was made to resolve to 127.0.0.1 still says so.
  const reply = await rawRequest(server.url, `GET /api/rooms/abc-defg-hij HTTP/1.1\r\nHost: evil.example:${new URL(server.url).port}\r\nConnection: close\r\n\r\n`);
  assert.match(reply, /^HTTP\/1\.1 421/);
  const upgrade = await rawRequest(server.url, 'GET /ws/abc-defg-hij HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\n' +
    'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n');
  assert.match(upgrade, /^HTTP\/1\.1 421/);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^parley_http_unknown_host_total [1-9]/m);
});

test('a Transfer-Encoding other than chunked is refused, so no proxy reads the body otherwise', async () => {
  for (const headers of ['Transfer-Encoding: gzip\r\nContent-Length: 2', 'Transfer-Encoding: gzip, chunked',
    'Transfer-Encoding: chunked\r\nContent-Length: 5', 'Transfer-Encoding: identity']) {
    const reply = await rawRequest(server.url, `POST /api/rooms HTTP/1.1\r\nHost: ${host()}\r\n${headers}\r\n\r\n{}`);
    assert.match(reply, /^HTTP\/1\.1 400/, headers);
  }
  // Plain chunked is fine.
  const chunked = await rawRequest(server.url, `POST /api/rooms HTTP/1.1\r\nHost: ${host()}\r\nTransfer-Encoding: chunked\r\n` +
    'Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
  assert.match(chunked, /^HTTP\/1\.1 201/);
});

test('a link from another site never joins with camera and microphone without a click', async () => {
  const room = await createRoom(server.url);
  const response = await fetch(`${server.url}/r/${room.id}?name=Ana&autojoin=1`, {
    headers: { 'Sec-Fetch-Site': 'cross-site' }, redirect: 'manual' });
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), `/r/${room.id}?name=Ana`);
});
