// Issue 6 with real clients: openid-client v6 registers a client dynamically (RFC 7591, with an
// initial access token an administrator generated for a registrar app), runs the code flow with
// PKCE and a nonce and validates the ID token (signature from the JWKS, iss, aud with azp when the
// app adds an audience, exp, iat, nonce); at_hash is checked here against the access token, and the
// `jose` package verifies the same ID token against /id/keys on its own. The registrar then
// introspects the client's tokens with openid-client's tokenIntrospection (RFC 7662), and the
// client reads its registration back (RFC 7592).
//
// Started by the Rust test `interop` (crates/portico/tests/e2e/interop.rs) with PORTICO_URL and
// the administrator's credentials.

import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

import { CALLBACK, CLIENT_ID, PORTICO_URL, authorize } from './lib/portico.js';

const insecure = { execute: [client.allowInsecureRequests] };
const REDIRECT = 'https://client.example.com/cb';

/** An admin API token, from PorticoCLI's code flow. */
async function adminToken() {
  const cli = await client.discovery(new URL(PORTICO_URL), CLIENT_ID, undefined, client.None(), insecure);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(cli, {
    redirect_uri: CALLBACK,
    scope: 'api',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const tokens = await client.authorizationCodeGrant(cli, new URL(await authorize(url.href)), {
    pkceCodeVerifier: verifier,
  });
  return tokens.access_token;
}

/** An admin API call; asserts the status. */
async function api(token, method, path, body, status = 200) {
  const res = await fetch(new URL(path, PORTICO_URL), {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, status, JSON.stringify(json));
  return json;
}

/** at_hash: base64url of the left half of the access token's SHA-256 (OIDC Core §3.1.3.6). */
function atHash(accessToken) {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

test('openid-client: dynamic registration, ID token validation, introspection, RFC 7592 read', async () => {
  const admin = await adminToken();
  // A name of its own, so the test can run again against the same server.
  const name = `InteropRegistrar_${Date.now()}`;
  const created = await api(admin, 'POST', '/api/v1/connected-apps', {
    fullName: name,
    label: 'Interop Registrar',
    contactEmail: 'ops@example.com',
    oauthConfig: { callbackUrl: 'https://registrar.example.com/cb', scopes: ['api', 'id', 'openid', 'refresh_token'] },
  }, 201);
  const [registrarKey, registrarSecret] = [created.consumerKey, created.consumerSecret];
  const { initialAccessToken } = await api(admin, 'POST', `/api/v1/connected-apps/${name}/initial-access-token`);

  const config = await client.dynamicClientRegistration(
    new URL(PORTICO_URL),
    {
      redirect_uris: [REDIRECT],
      client_name: 'openid-client interop',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid api refresh_token',
    },
    undefined,
    { ...insecure, initialAccessToken },
  );
  const registered = config.clientMetadata();
  assert.match(registered.client_id, /^3MVG9/);
  assert.equal(typeof registered.client_secret, 'string');
  assert.equal(registered.client_secret_expires_at, 0);
  assert.equal(registered.registration_client_uri, `${PORTICO_URL}/services/oauth2/register/${registered.client_id}`);
  client.allowInsecureRequests(config);

  // An administrator adds an audience and the standard claims to the registered app.
  const apps = await api(admin, 'GET', '/api/v1/connected-apps');
  const app = apps.find((a) => a.consumerKey === registered.client_id);
  assert.ok(app, 'the registered app is in the admin API');
  await api(admin, 'PATCH', `/api/v1/connected-apps/${app.fullName}`, {
    oauthConfig: {
      idTokenConfig: { idTokenValidity: 720, idTokenAudience: 'https://api.example.com', idTokenIncludeStandardClaims: true },
    },
  });

  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid api refresh_token',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const tokens = await client.authorizationCodeGrant(config, new URL(await authorize(url.href)), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.deepEqual(claims.aud, [registered.client_id, 'https://api.example.com']);
  assert.equal(claims.azp, registered.client_id);
  assert.equal(claims.nonce, nonce);
  assert.equal(claims.at_hash, atHash(tokens.access_token));
  assert.equal(claims.exp - claims.iat, 720 * 60);
  assert.equal(claims.sub, tokens.id, 'sub is the identity URL');
  assert.equal(typeof claims.auth_time, 'number');
  assert.equal(typeof claims.preferred_username, 'string');

  // jose, independently: the signature against /id/keys, the issuer and the extra audience.
  const jwks = createRemoteJWKSet(new URL('/id/keys', PORTICO_URL));
  const verified = await jwtVerify(tokens.id_token, jwks, {
    issuer: PORTICO_URL,
    audience: 'https://api.example.com',
    algorithms: ['RS256'],
  });
  assert.equal(verified.protectedHeader.alg, 'RS256');
  assert.ok(verified.protectedHeader.kid);
  assert.equal(verified.payload.sub, claims.sub);

  // A refresh brings a fresh ID token that keeps auth_time (OIDC Core §12.2).
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.equal(refreshed.claims().auth_time, claims.auth_time);
  assert.equal(refreshed.claims().at_hash, atHash(refreshed.access_token));

  // The registrar introspects the tokens of the client it registered.
  const registrar = new client.Configuration(
    config.serverMetadata(),
    registrarKey,
    registrarSecret,
    client.ClientSecretBasic(registrarSecret),
  );
  client.allowInsecureRequests(registrar);
  const active = await client.tokenIntrospection(registrar, refreshed.access_token);
  assert.equal(active.active, true);
  assert.equal(active.client_id, registered.client_id);
  assert.equal(active.token_type, 'access_token');
  assert.equal(active.sub, claims.sub);
  assert.equal(typeof active.exp, 'number');
  const refresh = await client.tokenIntrospection(registrar, tokens.refresh_token, { token_type_hint: 'refresh_token' });
  assert.equal(refresh.token_type, 'refresh_token');
  const unknown = await client.tokenIntrospection(registrar, 'not-a-token');
  assert.equal(unknown.active, false);
  assert.deepEqual(Object.keys(unknown), ['active'], 'nothing but active: false');
  const own = await client.tokenIntrospection(config, tokens.access_token);
  assert.equal(own.active, true, 'a client introspects its own tokens');

  // RFC 7592: the client reads its registration with its registration access token.
  const read = await fetch(registered.registration_client_uri, {
    headers: { authorization: `Bearer ${registered.registration_access_token}` },
  });
  assert.equal(read.status, 200);
  const info = await read.json();
  assert.equal(info.client_id, registered.client_id);
  assert.deepEqual(info.redirect_uris, [REDIRECT]);
});
