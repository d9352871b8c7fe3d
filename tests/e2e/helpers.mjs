// Shared pieces of the end-to-end tests: the real server binary on a free loopback port,
// Debian's Chromium with fake camera and microphone, and the REST API.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PARLEY = process.env.PARLEY_BIN ?? path.join(ROOT, 'build/parley');

export function tempDir(prefix = 'parley-e2e-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

// Starts `parley serve` on 127.0.0.1 with port 0 and resolves once it logs where it listens.
export async function startServer({ dataDir = tempDir(), args = [] } = {}) {
  const child = spawn(PARLEY, ['serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]);
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', (chunk) => (log += chunk));
    exited.then(({ code, signal }) => reject(new Error(`parley exited (${code ?? signal}) before listening:\n${log}`)));
  });
  return {
    url,
    dataDir,
    log: () => log,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function createRoom(url, body) {
  const response = await fetch(`${url}/api/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms: ${response.status}`);
  return response.json();
}

export async function getRoom(url, id) {
  const response = await fetch(`${url}/api/rooms/${id}`);
  return { status: response.status, body: await response.json() };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export function launchBrowser(extraArgs = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

// Opens the automation URL in a fresh context and waits until the person is in the room.
export async function joinRoom(browser, url, roomId, name, { token, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const query = new URLSearchParams({ name, autojoin: '1', ...(token ? { token } : {}) });
  await page.goto(`${url}/r/${roomId}?${query}`);
  await participantItem(page, name).waitFor();
  return page;
}

export function participantItem(page, name) {
  return page.getByTestId('participant-list').locator(`[data-testid="participant-item"][data-name="${name}"]`);
}

export async function participantNames(url, roomId) {
  const { body } = await getRoom(url, roomId);
  return body.participants.map((p) => p.name).sort();
}
