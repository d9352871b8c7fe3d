// A Parley with sign-in through the test identity provider (oidc-provider.mjs), and a
// browser's sign-in through the provider's form, for the end-to-end tests that need both.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startServer } from './helpers.mjs';
import { startProvider, USERS } from './oidc-provider.mjs';

// A free port for Parley: the provider must know its redirect URI before Parley starts.
const freePort = () => new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

// The provider, then Parley using it; `stop()` stops both.
export async function startSignInServer(args = []) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startProvider({ redirectUri: `${base}/auth/callback`, postLogoutRedirectUri: `${base}/` });
  const server = await startServer({
    args: ['--port', String(port), '--public-url', base, '--oidc-issuer', idp.issuer, '--oidc-client-id', idp.clientId, ...args],
    env: { PARLEY_OIDC_CLIENT_SECRET: idp.clientSecret },
  });
  return { base, idp, server, async stop() { await server.stop(); await idp.stop(); } };
}

// From Parley's home page through the provider's form, in a new browser context; returns
// the context and page (back home, or wherever the provider sent it) and the callback URL
// the provider sent the browser to.
export async function signIn(browser, { base, idp }, login, password = USERS[login].password) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let callback;
  page.on('request', (request) => { if (request.url().includes('/auth/callback?')) callback = request.url(); });
  await page.goto(base);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('idp-login').waitFor();
  assert.ok(page.url().startsWith(idp.issuer), `at the provider: ${page.url()}`);
  await page.getByTestId('idp-login').fill(login);
  await page.getByTestId('idp-password').fill(password);
  await page.getByTestId('idp-submit').click();
  return { context, page, callback: () => callback };
}
