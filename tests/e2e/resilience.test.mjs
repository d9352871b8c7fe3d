// Faults: hostile or broken signaling, connections that die without a word, and restarts.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { after, before, createRoom, within, getRoom, joinRoom, launchBrowser, participantItem, participantNames, startServer, tempDir, test } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function openSocket(url, roomId) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/${roomId}`);
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
  // The next frame that matches, or a failure naming what never came.
  const next = (match, ms = 15000) =>
    within(ms, `a frame matching ${match}`, new Promise((resolve) => {
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
  return { ws, frames, next, opened, closed };
}

test('malformed signaling gets errors and does not disturb a participant in the same room', async () => {
  const server = await startServer();
  try {
    const room = await createRoom(server.url);
    const ana = await joinRoom(browser, server.url, room.id, 'Ana');
    const bad = openSocket(server.url, room.id);
    await bad.opened;
    const isError = (code) => (f) => f.type === 'error' && f.code === code;

    bad.ws.send('this is not json');
    await bad.next(isError('malformed'));
    bad.ws.send('{"type":"chat","text":"before joining"}');
    await bad.next(isError('not-joined'));
    bad.ws.send(JSON.stringify({ type: 'join', name: 'x'.repeat(65) }));
    await bad.next(isError('invalid'));
    bad.ws.send(JSON.stringify({ type: 'join', name: 'Evil\u0007Bell' }));
    await bad.next(isError('invalid'));
    bad.ws.send(JSON.stringify({ type: 'join', version: 99, name: 'Future' }));
    await bad.next(isError('unsupported-version'));
    bad.ws.send(JSON.stringify({ type: 'join', name: 'Mallory', token: 'forged' }));
    await bad.next(isError('forbidden'));
    bad.ws.send(JSON.stringify({ type: 'join', name: 'Mallory' }));
    await bad.next((f) => f.type === 'welcome');
    bad.ws.send('['.repeat(5000));
    await bad.next(isError('malformed'));
    bad.ws.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(70 * 1024) }));
    await bad.next(isError('too-large'));
    bad.ws.send(JSON.stringify({ type: 'chat', text: 'y'.repeat(2001) }));
    await bad.next(isError('invalid'));
    bad.ws.send(JSON.stringify({ type: 'launch-missiles' }));
    await bad.next(isError('unknown-type'));
    bad.ws.send(Buffer.from([0xff, 0x00, 0xfe]), { binary: true });
    await bad.next(isError('malformed'));
    bad.ws.send(JSON.stringify({ type: 'moderate', action: 'remove', target: 'whoever' }));
    await bad.next(isError('forbidden'));

    // Ana saw Mallory come in and nothing else of the above; she still chats normally.
    await participantItem(ana, 'Mallory').waitFor();
    bad.ws.send(JSON.stringify({ type: 'chat', text: 'a valid line after the garbage' }));
    await ana.getByTestId('chat-unread').filter({ hasText: '1' }).waitFor();
    await ana.getByTestId('toggle-chat').click();
    await ana.getByTestId('chat-message').filter({ hasText: 'a valid line after the garbage' }).waitFor();
    assert.equal(await ana.getByTestId('chat-message').count(), 1);

    // A flood is cut down to size and the server stays responsive.
    for (let i = 0; i < 300; i++) bad.ws.send('{"type":"ping"}');
    await bad.next(isError('rate-limited'));
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /parley_signaling_errors_total\{reason="malformed"\} [1-9]/);
    assert.match(metrics, /parley_signaling_errors_total\{reason="too_large"\} [1-9]/);
    assert.match(metrics, /parley_signaling_errors_total\{reason="rate_limited"\} [1-9]/);
    bad.ws.close();
    await participantItem(ana, 'Mallory').waitFor({ state: 'detached' });
    await ana.context().close();
  } finally {
    await server.stop();
  }
});

test('a participant whose connection died is gone from the list once its resume window has passed', async () => {
  const server = await startServer();
  try {
    const room = await createRoom(server.url);
    const ana = await joinRoom(browser, server.url, room.id, 'Ana');
    const ghost = openSocket(server.url, room.id);
    await ghost.opened;
    ghost.ws.send(JSON.stringify({ type: 'join', version: 1, name: 'Ghost' }));
    await ghost.next((f) => f.type === 'welcome');
    await participantItem(ana, 'Ghost').waitFor();
    // The process stops reading and answering, as a frozen laptop or a cut cable would:
    // no close frame, no FIN, no pongs.
    ghost.ws.pause();
    ghost.ws._socket.pause();
    const start = Date.now();
    // The server's keep-alive takes it for gone 8 to 12 s after its last byte, then keeps it
    // 20 s for its return (how long exactly is the machine's business: the wait only
    // bounds a hang).
    await participantItem(ana, 'Ghost').waitFor({ state: 'detached', timeout: 60000 });
    console.log(`a silent participant was gone after ${((Date.now() - start) / 1000).toFixed(1)} s`);
    assert.deepEqual(await participantNames(server.url, room), ['Ana']);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /parley_participants_timed_out_total 1/);
    ghost.ws.terminate();
    await ana.context().close();
  } finally {
    await server.stop();
  }
});

test('a room, its chat and its history survive a server restart', async () => {
  const dataDir = tempDir();
  let server = await startServer({ dataDir });
  const room = await createRoom(server.url, { name: 'Persistante' });
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  await ana.getByTestId('toggle-chat').click();
  await ana.getByTestId('chat-input').fill('Compte rendu à suivre');
  await ana.getByTestId('chat-send').click();
  await ana.getByTestId('chat-message').filter({ hasText: 'Compte rendu à suivre' }).waitFor();
  await ana.context().close();
  const { code, signal } = await server.stop();
  assert.equal(code, 0, `SIGTERM stops the server cleanly (${signal}):\n${server.log().slice(-3000)}`);

  server = await startServer({ dataDir });
  try {
    const { status, body } = await getRoom(server.url, room.id, room.moderator_token);
    assert.equal(status, 200);
    assert.equal(body.name, 'Persistante');
    assert.deepEqual(body.participants, []);
    // The moderator token still works, and the chat is still there.
    const mod = await joinRoom(browser, server.url, room.id, 'Ana', { token: room.moderator_token });
    assert.match(await participantItem(mod, 'Ana').textContent(), /moderator/);
    await mod.getByTestId('toggle-chat').click();
    await mod.getByTestId('chat-message').filter({ hasText: 'Compte rendu à suivre' }).waitFor();
    await mod.context().close();
  } finally {
    await server.stop();
  }
});

test('participants in other rooms are not affected when a server client misbehaves', async () => {
  const server = await startServer();
  try {
    const [roomA, roomB] = [await createRoom(server.url), await createRoom(server.url)];
    const ana = await joinRoom(browser, server.url, roomA.id, 'Ana');
    const wrongRoom = openSocket(server.url, roomB.id);
    await wrongRoom.opened;
    wrongRoom.ws.send(JSON.stringify({ type: 'join', name: 'Elsewhere' }));
    await wrongRoom.next((f) => f.type === 'welcome');
    wrongRoom.ws.send(JSON.stringify({ type: 'chat', text: 'only for room B' }));
    await wrongRoom.next((f) => f.type === 'chat');
    assert.deepEqual(await participantNames(server.url, roomA), ['Ana']);
    assert.equal(await participantItem(ana, 'Elsewhere').count(), 0);
    // A WebSocket to a room that does not exist is refused at the upgrade.
    const ghost = new WebSocket(`${server.url.replace('http', 'ws')}/ws/zzz-zzzz-zzz`);
    const status = await new Promise((resolve) => ghost.once('unexpected-response', (_req, res) => resolve(res.statusCode)));
    assert.equal(status, 404);
    wrongRoom.ws.close();
    await ana.context().close();
  } finally {
    await server.stop();
  }
});
