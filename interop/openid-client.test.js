// openid-client v6 (a certified OpenID Connect relying party) against Portico: discovery,
// authorization code with PKCE S256, state and nonce (the ID token is validated: signature from
// the JWKS, iss, aud, exp, iat, nonce; and the RFC 9207 `iss` of the callback), refresh with a
// fresh ID token, UserInfo bound to the expected subject, and revocation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';

import { ADMIN_USERNAME, CALLBACK, CLIENT_ID, PORTICO_URL, authorize } from './lib/portico.js';

test('openid-client: discovery, code + PKCE, ID token, refresh, userinfo', async () => {
  const config = await client.discovery(new URL(PORTICO_URL), CLIENT_ID, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const metadata = config.serverMetadata();
  assert.equal(metadata.issuer, PORTICO_URL);
  assert.ok(metadata.supportsPKCE(), 'S256 is advertised');

  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid api refresh_token',
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  const callback = new URL(await authorize(authUrl.href));
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.iss, PORTICO_URL);
  assert.equal(claims.nonce, nonce);
  assert.ok([claims.aud].flat().includes(CLIENT_ID));
  assert.equal(claims.sub, tokens.id, 'sub is the identity URL');
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.refresh_token);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.access_token, tokens.access_token);
  const refreshedClaims = refreshed.claims();
  assert.ok(refreshedClaims, 'a new ID token on refresh, as openid was granted');
  assert.equal(refreshedClaims.sub, claims.sub);
  assert.equal(refreshedClaims.iss, claims.iss);

  const userinfo = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  assert.equal(userinfo.sub, claims.sub);
  assert.equal(userinfo.preferred_username, ADMIN_USERNAME);
  assert.ok(claims.sub.endsWith(`/${userinfo.organization_id}/${userinfo.user_id}`));
  await assert.rejects(
    client.fetchUserInfo(config, refreshed.access_token, `${PORTICO_URL}/id/00D000000000001AAA/005000000000001AAA`),
    'the subject must match',
  );

  await client.tokenRevocation(config, tokens.refresh_token);
  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (err) => {
    assert.equal(err.error, 'invalid_grant');
    assert.equal(err.error_description, 'expired access/refresh token');
    return true;
  });
});
