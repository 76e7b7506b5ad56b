// Single logout in headless Chromium (issue 7; OIDC Front-Channel and Back-Channel Logout 1.0):
// log in to two apps with a Single Logout URL, log out at /secur/logout.jsp, and observe the
// browser request each Single Logout URL with `iss` and `sid` (from the hidden frames of the
// logout page), a back-channel receiver get a logout token that verifies against /id/keys, and
// the session's tokens turn inactive.
//
// The SLO and back-channel receivers are plain http on 127.0.0.1: logout URLs accept http only
// on loopback hosts, exactly like callback URLs (RFC 8252 §7.3), so tests need no certificates.

import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { createServer } from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ADMIN_PASSWORD, ADMIN_USERNAME, BASE, allowIfAsked, api, apiToken, callbackServer, launch, logIn, newPage, shot } from './lib.js';

/** Records every request: [method, url, body]. */
async function receiver() {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push([req.method, req.url, body]);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>rp logout</title>logged out');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function waitFor(what, check) {
  for (let i = 0; i < 100; i += 1) {
    const found = check();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString());

async function verifyJwt(jwt) {
  const [h, p, s] = jwt.split('.');
  const header = decode(h);
  const keys = await (await fetch(`${BASE}/id/keys`)).json();
  const jwk = keys.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `kid ${header.kid} is published`);
  const ok = verifySignature('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  assert.ok(ok, 'the logout token signature verifies');
  return [header, decode(p)];
}

async function introspect(app, token) {
  const res = await fetch(`${BASE}/services/oauth2/introspect`, {
    method: 'POST', body: new URLSearchParams({ token, client_id: app.key, client_secret: app.secret }),
  });
  return (await res.json()).active;
}

test('logging out loads every Single Logout URL with iss and sid and notifies the back channel', async () => {
  const rp = await receiver();
  const callback = await callbackServer();
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await logIn(page, ADMIN_USERNAME, ADMIN_PASSWORD);
    const token = await apiToken(page);
    const run = Date.now().toString(36);
    const apps = ['A', 'B'].map((n) => ({ name: `Slo${n}_${run}`, key: `Slo${n}Key${run}`, secret: `Slo${n}Secret${run}0001`, path: `/${n.toLowerCase()}` }));
    for (const [i, app] of apps.entries()) {
      const oauthConfig = {
        callbackUrl: callback.url, consumerKey: app.key, consumerSecret: app.secret, scopes: ['api', 'openid'],
        singleLogoutUrl: `${rp.base}${app.path}/slo`,
      };
      if (i === 0) oauthConfig.backchannelLogoutUrl = `${rp.base}${app.path}/bc`;
      const [status, body] = await api(token, 'POST', '/api/v1/connected-apps', { fullName: app.name, label: app.name, contactEmail: 'slo@app.test', oauthConfig });
      assert.equal(status, 201, JSON.stringify(body));
    }
    for (const app of apps) {
      const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: callback.url, scope: 'api openid', state: 's' });
      await page.goto(`${BASE}/services/oauth2/authorize?${query}`);
      if (!page.url().startsWith(callback.url)) {
        await allowIfAsked(page);
        await page.waitForURL((u) => u.href.startsWith(callback.url));
      }
      const code = new URL(page.url()).searchParams.get('code');
      const res = await fetch(`${BASE}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: app.key, client_secret: app.secret, redirect_uri: callback.url }),
      });
      app.tokens = await res.json();
      assert.equal(res.status, 200, JSON.stringify(app.tokens));
      assert.equal(await introspect(app, app.tokens.access_token), true);
    }
    const sid = decode(apps[0].tokens.id_token.split('.')[1]).sid;
    assert.match(sid, /^[0-9a-f]{32}$/);

    await page.goto(`${BASE}/secur/logout.jsp`);
    await page.getByRole('heading', { name: 'You are logged out' }).waitFor();
    for (const app of apps) {
      const [, url] = await waitFor(`${app.path}/slo`, () => rp.seen.find(([m, u]) => m === 'GET' && u.startsWith(`${app.path}/slo?`)));
      const params = new URL(url, rp.base).searchParams;
      assert.equal(params.get('iss'), BASE);
      assert.equal(params.get('sid'), sid);
    }
    await shot(page, 'slo-logged-out');
    assert.deepEqual(page.errors, []);

    const [, , body] = await waitFor('the back-channel POST', () => rp.seen.find(([m, u]) => m === 'POST' && u === '/a/bc'));
    assert.equal(rp.seen.filter(([m]) => m === 'POST').length, 1, 'only the app with a back-channel URL is called');
    const [header, claims] = await verifyJwt(new URLSearchParams(body).get('logout_token'));
    assert.equal(header.typ, 'logout+jwt');
    assert.equal(claims.iss, BASE);
    assert.equal(claims.aud, apps[0].key);
    assert.equal(claims.sid, sid);
    assert.deepEqual(claims.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
    assert.equal(claims.nonce, undefined);
    assert.ok(claims.jti && claims.iat <= Date.now() / 1000 + 5);

    for (const app of apps) {
      assert.equal(await introspect(app, app.tokens.access_token), false, `${app.name}'s token is revoked`);
    }
  } finally {
    await browser.close();
    await rp.close();
    await callback.close();
  }
});
