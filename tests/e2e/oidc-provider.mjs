// A real OpenID Connect provider for the tests: panva's oidc-provider (a certified
// implementation), on loopback, with one confidential client (Parley) and two users. Its
// login, consent and logout pages are ours, small and without third-party assets (the
// library's defaults load web fonts from the internet).
//   const idp = await startProvider({ redirectUri, postLogoutRedirectUri });
//   idp.issuer, idp.clientId, idp.clientSecret; await idp.stop()
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

// The people who can sign in: login, password, and the claims ProConnect would send.
export const USERS = {
  ana: { password: 'ana-password-1', claims: { given_name: 'Ana', usual_name: 'Martin', family_name: 'Martin',
    email: 'ana.martin@interieur.gouv.fr' } },
  bruno: { password: 'bruno-password-2', claims: { given_name: 'Bruno', usual_name: 'Durand', family_name: 'Durand',
    email: 'bruno.durand@culture.gouv.fr' } },
};

const page = (title, body) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title>
<body><main><h1>${title}</h1>${body}</main></body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

export async function startProvider({ redirectUri, postLogoutRedirectUri }) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const clientId = 'parley-test';
  const clientSecret = randomBytes(24).toString('hex');
  // An RS256 and an ES256 key, as a provider publishes them.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri], response_types: ['code'], grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256' }],
    jwks: { keys: [{ ...rsa, kid: 'rsa-1', use: 'sig', alg: 'RS256' }, { ...ec, kid: 'ec-1', use: 'sig', alg: 'ES256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name', 'usual_name'], email: ['email'],
      given_name: ['given_name'], usual_name: ['usual_name'] },
    findAccount: async (ctx, id) => (USERS[id] ? { accountId: id, claims: async () => ({ sub: id,
      name: `${USERS[id].claims.given_name} ${USERS[id].claims.usual_name}`, ...USERS[id].claims }) } : undefined),
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out', `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout"
            data-testid="idp-logout">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => { ctx.body = page('Signed out', '<p>You are signed out.</p>'); },
      },
    },
    renderError: async (ctx, out) => { ctx.type = 'html'; ctx.body = page('Error', `<pre>${JSON.stringify(out)}</pre>`); },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([^/?]+)/.exec(req.url);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        if (req.method === 'GET') {
          res.setHeader('Content-Type', 'text/html');
          return res.end(page('Sign in to the test provider', `<form method="post">
            <label>Login <input name="login" data-testid="idp-login" autocomplete="off"></label>
            <label>Password <input name="password" type="password" data-testid="idp-password"></label>
            <button type="submit" data-testid="idp-submit">Sign in</button></form>`));
        }
        const form = await readForm(req);
        const user = USERS[form.get('login')];
        if (!user || user.password !== form.get('password')) {
          res.statusCode = 401;
          res.setHeader('Content-Type', 'text/html');
          return res.end(page('Wrong login or password', '<p>Go back and try again.</p>'));
        }
        return provider.interactionFinished(req, res, { login: { accountId: form.get('login') } },
          { mergeWithLastSubmission: false });
      }
      // Consent: Parley is the deployment's own client, so grant what it asks for.
      const grant = details.grantId ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (error) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/html');
      res.end(page('Interaction error', `<pre>${String(error)}</pre>`));
    }
  });
  return {
    issuer, clientId, clientSecret,
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}
