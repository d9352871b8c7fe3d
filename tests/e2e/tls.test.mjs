// HTTPS and WSS served by Parley itself (--tls-cert, --tls-key): browsers give a camera and a
// microphone only to secure origins. Chromium trusts the test CA through its own trust store
// (an NSS database in its HOME), as a ministry's browsers trust their internal CA, and not
// through --ignore-certificate-errors: a Chromium without that CA must refuse the page. What
// is not TLS on the TLS port gets an error and the server goes on; SIGHUP reloads a renewed
// certificate while a call stays up.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { CHROMIUM_ARGS, after, assertRising, before, homeTrusting, makeTestCertificates, participantItem, startServer,
  tempDir, test, within } from './helpers.mjs';

let dir;
let files;
let server;
let url;  // https://127.0.0.1:PORT
let trusting;  // a Chromium whose trust store has the test CA
let ca;

// One HTTPS request trusting the test CA: { status, headers, body }.
function request(method, target, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}${target}`, { method, ca, headers: body ? { 'Content-Type': 'application/json' } : {} },
      (res) => {
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
      });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

// Sends `bytes` to the TLS port over plain TCP; resolves with all it answers until it closes.
function rawExchange(bytes) {
  const { port } = new URL(url);
  return within(15000, 'the TLS port answering plain bytes', new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let answer = Buffer.alloc(0);
    socket.on('data', (chunk) => (answer = Buffer.concat([answer, chunk])));
    socket.on('close', () => resolve(answer.toString('latin1')));
    socket.on('error', (error) => (error.code === 'ECONNRESET' ? resolve(answer.toString('latin1')) : reject(error)));
  }));
}

// The serial number of the certificate a new TLS connection is given.
function servedSerial() {
  const { port } = new URL(url);
  return within(15000, 'a TLS handshake', new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on('error', reject);
  }));
}

before(async () => {
  dir = tempDir('parley-tls-');
  files = makeTestCertificates(dir, ['localhost', '127.0.0.1']);
  ca = readFileSync(files.ca);
  server = await startServer({ args: ['--tls-cert', files.chain, '--tls-key', files.key, '--udp-ports', '44200-44209'] });
  url = server.url;
  trusting = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: homeTrusting(files.ca) },
  });
});

after(async () => {
  await trusting?.close();
  await server?.stop();
});

test('Chromium trusting the deployment CA joins over HTTPS and WSS and the call works', async () => {
  assert.match(url, /^https:\/\//);
  const created = await request('POST', '/api/rooms', { name: 'Sécurisé' });
  assert.equal(created.status, 201);
  assert.equal(created.headers['strict-transport-security'], 'max-age=31536000');
  const room = JSON.parse(created.body);
  const pages = [];
  for (const name of ['Ana', 'Bruno']) {
    const page = await (await trusting.newContext()).newPage();
    await page.goto(`${url}/r/${room.id}?name=${name}&autojoin=1`);
    await participantItem(page, name).waitFor();
    assert.equal(await page.evaluate(() => window.isSecureContext && location.protocol), 'https:');
    pages.push(page);
  }
  await participantItem(pages[0], 'Bruno').waitFor();
  for (const page of pages) await assertRising(page, 'video', 'framesDecoded', 1);

  // The control: without the CA in its trust store, Chromium refuses the same page.
  const untrusting = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: tempDir('parley-home-') } });
  try {
    const page = await untrusting.newPage();
    await assert.rejects(page.goto(`${url}/r/${room.id}`), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await untrusting.close();
  }
});

test('plain HTTP, garbage and old TLS on the TLS port get an error, and the server goes on', async () => {
  const plain = await rawExchange('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.match(plain, /^HTTP\/1\.1 400 /);
  assert.match(plain, /HTTPS only/);
  const garbage = await rawExchange(Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37 + 11) % 256)));
  assert.match(garbage, /^HTTP\/1\.1 400 /);
  // Looks like a ClientHello, is not one: the handshake fails and the connection ends.
  const fakeHello = await rawExchange(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), Buffer.alloc(512, 0x41)]));
  assert.doesNotMatch(fakeHello, /HTTP\/1\.1 200/);
  // TLS 1.1 is refused (curl, as Node's OpenSSL will not even offer it).
  const { port } = new URL(url);
  await assert.rejects(promisify(execFile)('curl', ['-sS', '--tlsv1.1', '--tls-max', '1.1', '--cacert', files.ca,
    `https://127.0.0.1:${port}/`]), /protocol version|unsupported protocol|no protocols/i);

  const health = await request('GET', '/healthz');
  assert.equal(health.status, 200);
  const metrics = (await request('GET', '/metrics')).body;
  assert.match(metrics, /parley_tls_plaintext_refused_total [2-9]/);
  assert.match(metrics, /parley_tls_handshake_failures_total [1-9]/);
});

test('SIGHUP reloads a renewed certificate and a call in progress stays up', async () => {
  const room = JSON.parse((await request('POST', '/api/rooms', { name: 'Renewal' })).body);
  const before = await servedSerial();
  const wsUrl = `${url.replace('https', 'wss')}/ws/${room.id}`;
  const ws = new WebSocket(wsUrl, { ca, headers: { Origin: url } });
  const frames = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  await within(15000, 'the WSS connection', new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }));
  ws.send(JSON.stringify({ type: 'join', version: 1, name: 'Chloé' }));
  const awaitFrame = (type) => within(15000, `a ${type} frame`, (async () => {
    while (!frames.some((f) => f.type === type)) await new Promise((resolve) => ws.once('message', resolve));
  })());
  await awaitFrame('welcome');

  // The renewal: a new certificate (new key, new serial) written over the same files.
  const renewed = makeTestCertificates(dir, ['localhost', '127.0.0.1'], 'renewed');
  copyFileSync(renewed.chain, files.chain);
  copyFileSync(renewed.key, files.key);
  server.signal('SIGHUP');
  await within(15000, 'the reload in the log', (async () => {
    while (!/reloaded the TLS certificate/.test(server.log())) await new Promise((resolve) => setTimeout(resolve, 100));
  })());
  const afterReload = await servedSerial();
  assert.notEqual(afterReload, before);
  assert.equal(afterReload, new X509Certificate(readFileSync(renewed.cert)).serialNumber);

  // The connection made before the reload still works both ways.
  assert.equal(ws.readyState, WebSocket.OPEN);
  frames.length = 0;
  ws.send(JSON.stringify({ type: 'ping' }));
  await awaitFrame('pong');
  ws.close();

  // A broken renewal keeps the certificate in use.
  writeFileSync(files.key, 'not a key');
  server.signal('SIGHUP');
  await within(15000, 'the refused reload in the log', (async () => {
    while (!/kept the certificate in use/.test(server.log())) await new Promise((resolve) => setTimeout(resolve, 100));
  })());
  assert.equal(await servedSerial(), afterReload);
});
