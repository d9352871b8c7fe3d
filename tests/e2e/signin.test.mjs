// Sign-in with a real OpenID Connect provider (oidc-provider, tests/e2e/oidc-provider.mjs):
// a public servant signs in from Parley's home page through the provider's login form, is
// shown by name, holds an HttpOnly session cookie, and signs out at Parley and at the
// provider; a signed-out session, a forged cookie, a replayed callback, a wrong password and
// a cross-site sign-out sign nobody in or out.
import assert from 'node:assert/strict';
import { after, before, launchBrowser, test } from './helpers.mjs';
import { USERS } from './oidc-provider.mjs';
import { signIn as signInThroughProvider, startSignInServer } from './signin-server.mjs';

let parley;
let idp;
let server;
let browser;
let base;

before(async () => {
  parley = await startSignInServer();
  ({ base, idp, server } = parley);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await parley?.stop();
});

const me = async (cookie) =>
  (await fetch(`${base}/api/me`, { headers: cookie ? { Cookie: `parley_session=${cookie}` } : {} })).json();

const signIn = (login, password) => signInThroughProvider(browser, parley, login, password);

test('a public servant signs in through the identity provider, is named, and signs out there too', async () => {
  assert.deepEqual(await me(), { sign_in: true, user: null }, 'the server offers sign-in');
  const { context, page } = await signIn('ana');
  await page.getByTestId('signed-in-name').waitFor({ timeout: 30000 });
  assert.equal(new URL(page.url()).origin, base, 'back at Parley');
  assert.equal(await page.getByTestId('signed-in-name').textContent(), 'Ana Martin',
    'given_name and usual_name, from the provider');
  const cookie = (await context.cookies(base)).find((c) => c.name === 'parley_session');
  assert.ok(cookie, 'a session cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.ok(cookie.value.length >= 40, 'a long random id');
  const signedIn = await me(cookie.value);
  assert.equal(signedIn.user.name, 'Ana Martin');
  assert.equal(signedIn.user.email, USERS.ana.claims.email);
  assert.equal(signedIn.user.subject, 'ana');

  await page.getByTestId('sign-out').click();
  await page.getByTestId('idp-logout').waitFor({ timeout: 30000 });  // the provider asks to confirm
  await page.getByTestId('idp-logout').click();
  await page.getByTestId('sign-in').waitFor({ timeout: 30000 });
  assert.equal(new URL(page.url()).origin, base, 'back at Parley, signed out');
  assert.deepEqual((await me(cookie.value)).user, null, 'the old session id is dead for good');
  await context.close();
});

test('a forged cookie, a wrong password and a replayed callback sign nobody in', async () => {
  assert.equal((await me('forged-0000000000000000000000000000000000000000')).user, null);
  assert.equal((await me('')).user, null);

  const wrong = await signIn('bruno', 'not-his-password');
  await wrong.page.getByText('Wrong login or password').waitFor();
  assert.equal((await wrong.context.cookies(base)).some((c) => c.name === 'parley_session'), false);
  await wrong.context.close();

  const bruno = await signIn('bruno');
  await bruno.page.getByTestId('signed-in-name').waitFor({ timeout: 30000 });
  const callback = bruno.callback();
  assert.ok(callback, 'the provider sent the browser back with a code');
  const replay = await fetch(callback, { redirect: 'manual' });
  assert.equal(replay.status, 400, 'the same code and state twice');
  assert.equal(replay.headers.get('set-cookie'), null, 'no session for a replay');
  assert.match(await replay.text(), /Sign-in failed/);
  await bruno.context.close();
});

// A sign-in driven without a browser, following redirects by hand with its own cookies:
// returns the callback URL the provider sends back (code and state) and the Cookie header
// that Parley's /auth/login gave this "browser".
async function signInByHand(login, password) {
  const jar = new Map();  // cookie name -> value, for Parley and the provider alike (both on 127.0.0.1)
  const remember = (response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let response = await fetch(`${base}/auth/login?return=/`, { redirect: 'manual' });
  remember(response);
  const parleyCookie = `parley_signin=${jar.get('parley_signin')}`;
  let url = response.headers.get('location');
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(`${base}/auth/callback`)) return { callback: url, parleyCookie };
    response = await fetch(url, { redirect: 'manual', headers: { Cookie: cookieHeader() } });
    remember(response);
    if (response.status === 200 && /name="login"/.test(await response.text())) {
      response = await fetch(url, { method: 'POST', redirect: 'manual',
        headers: { Cookie: cookieHeader(), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login, password }).toString() });
      remember(response);
    }
    assert.ok(response.status >= 300 && response.status < 400, `a redirect from ${url}: ${response.status}`);
    url = new URL(response.headers.get('location'), url).toString();
  }
  throw new Error('the provider never sent the browser back');
}

test('a callback opened in another browser signs nobody in there, and still works in its own', async () => {
  // Bruno signs in without following the provider's last redirect: its URL (his code and
  // state) is what an attacker would make a victim open to sign them in as Bruno (login CSRF).
  const { callback, parleyCookie } = await signInByHand('bruno', USERS.bruno.password);
  const victim = await browser.newContext();
  const refused = await (await victim.newPage()).goto(callback);
  assert.equal(refused.status(), 400);
  assert.equal((await victim.cookies(base)).some((c) => c.name === 'parley_session'), false, 'the victim is not signed in');
  await victim.close();

  // The browser that started the sign-in brings its parley_signin cookie: signed in.
  const own = await fetch(callback, { redirect: 'manual', headers: { Cookie: parleyCookie } });
  assert.equal(own.status, 302);
  const session = own.headers.getSetCookie().find((line) => line.startsWith('parley_session='));
  assert.ok(session, 'a session for the browser that started it');
  assert.equal((await me(session.split(';')[0].split('=')[1])).user.name, 'Bruno Durand');
});

test('sign-out is refused from another site, /auth/* checks its input, and sign-ins are rate-limited', async () => {
  const { context, page } = await signIn('ana');
  await page.getByTestId('signed-in-name').waitFor({ timeout: 30000 });
  const cookie = (await context.cookies(base)).find((c) => c.name === 'parley_session').value;
  const crossSite = await fetch(`${base}/auth/logout`, {
    method: 'POST', headers: { Cookie: `parley_session=${cookie}`, Origin: 'http://evil.example' } });
  assert.equal(crossSite.status, 403);
  const noOrigin = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { Cookie: `parley_session=${cookie}` } });
  assert.equal(noOrigin.status, 403, 'a sign-out must say where it comes from');
  assert.equal((await me(cookie)).user?.name, 'Ana Martin', 'still signed in');

  const unknownState = await fetch(`${base}/auth/callback?code=abc&state=never-issued`, { redirect: 'manual' });
  assert.equal(unknownState.status, 400);
  const cancelled = await fetch(`${base}/auth/callback?error=access_denied&state=x`, { redirect: 'manual' });
  assert.equal(cancelled.status, 403);
  // The return path stays on this site.
  const login = await fetch(`${base}/auth/login?return=//evil.example/`, { redirect: 'manual' });
  assert.equal(login.status, 302);
  assert.ok(login.headers.get('location').startsWith(`${idp.issuer}/`), login.headers.get('location'));
  const location = new URL(login.headers.get('location'));
  assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(location.searchParams.get('redirect_uri'), `${base}/auth/callback`);
  assert.ok(location.searchParams.get('state') && location.searchParams.get('nonce'));
  await context.close();

  // Starting sign-ins is bounded per address (20 at once, then 1 a second): a burst gets 429.
  const statuses = [];
  let retryAfter;
  const started = Date.now();
  for (let i = 0; i < 30 && !statuses.includes(429); i++) {
    const response = await fetch(`${base}/auth/login`, { redirect: 'manual' });
    statuses.push(response.status);
    if (response.status === 429) retryAfter = response.headers.get('retry-after');
  }
  assert.ok(statuses.includes(429), `a burst of sign-ins is refused: ${statuses}`);
  assert.ok(statuses.every((status) => status === 302 || status === 429), `${statuses}`);
  // The burst, plus what refilled meanwhile.
  const refilled = Math.ceil((Date.now() - started) / 1000);
  assert.ok(statuses.filter((status) => status === 302).length <= 20 + refilled,
    `at most the burst gets through: ${statuses}`);
  assert.equal(retryAfter, '5');
});
