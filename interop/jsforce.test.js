// jsforce (the library behind the Salesforce CLI) against Portico: OAuth2 with `loginUrl` set to
// Portico and PKCE (`useVerifier`: a 171-character verifier and a challenge sent without a
// method), the code exchange, refresh, Connection.identity(), the REST calls jsforce makes after
// a 401 (automatic refresh), and revocation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';

import { ADMIN_USERNAME, CALLBACK, CLIENT_ID, PORTICO_URL, authorize } from './lib/portico.js';

const { OAuth2, Connection } = jsforce;

// @salesforce/core's recognisers (reference/salesforce-oauth.md §13.3).
const ACCESS_TOKEN = /^(00D\w{12,15})![.\w]*$/;
const REFRESH_TOKEN = /^[a-zA-Z0-9._-]+={0,2}$/;

test('jsforce: web server flow with PKCE, refresh, identity, REST and revoke', async () => {
  const oauth2 = new OAuth2({ loginUrl: PORTICO_URL, clientId: CLIENT_ID, redirectUri: CALLBACK, useVerifier: true });
  assert.equal(oauth2.codeVerifier.length, 171, 'jsforce verifiers are 171 characters');

  const state = 'jsforce-state-1';
  const authUrl = new URL(oauth2.getAuthorizationUrl({ scope: 'api web refresh_token', state }));
  assert.equal(`${authUrl.origin}${authUrl.pathname}`, `${PORTICO_URL}/services/oauth2/authorize`);
  assert.ok(authUrl.searchParams.get('code_challenge'));
  assert.equal(authUrl.searchParams.get('code_challenge_method'), null, 'jsforce sends no method');

  const callback = new URL(await authorize(authUrl.href));
  assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), PORTICO_URL);
  const code = callback.searchParams.get('code');
  assert.ok(code, `a code in ${callback}`);

  const tokens = await oauth2.requestToken(code);
  assert.match(tokens.access_token, ACCESS_TOKEN);
  assert.match(tokens.refresh_token, REFRESH_TOKEN);
  assert.equal(tokens.instance_url, PORTICO_URL);
  assert.equal(tokens.token_type, 'Bearer');
  assert.match(tokens.issued_at, /^\d{13}$/, 'issued_at is a string of milliseconds');
  const [orgId, userId] = tokens.id.split('/').slice(-2);
  assert.match(orgId, /^00D\w{15}$/);
  assert.match(userId, /^005\w{15}$/);
  assert.deepEqual(tokens.scope.split(' ').sort(), ['api', 'refresh_token', 'web']);

  // jsforce sends code_verifier and redirect_uri again on refresh: Portico ignores them.
  const refreshed = await oauth2.refreshToken(tokens.refresh_token);
  assert.match(refreshed.access_token, ACCESS_TOKEN);
  assert.notEqual(refreshed.access_token, tokens.access_token);
  assert.equal(refreshed.id, tokens.id);

  const conn = new Connection({
    oauth2,
    instanceUrl: tokens.instance_url,
    accessToken: refreshed.access_token,
    refreshToken: tokens.refresh_token,
  });
  const identity = await conn.identity();
  assert.equal(identity.user_id, userId);
  assert.equal(identity.organization_id, orgId);
  assert.equal(identity.username, ADMIN_USERNAME);
  assert.equal(identity.id, tokens.id);

  const user = await conn.sobject('User').retrieve(userId);
  assert.equal(user.Username, ADMIN_USERNAME);
  const result = await conn.query(`SELECT Id, Username FROM User WHERE Id = '${userId}'`);
  assert.equal(result.totalSize, 1);
  assert.equal(result.records[0].Id, userId);

  // A dead access token: the REST API answers 401 INVALID_SESSION_ID and jsforce refreshes.
  const stale = new Connection({
    oauth2,
    instanceUrl: tokens.instance_url,
    accessToken: `${orgId.slice(0, 15)}!expired.token`,
    refreshToken: tokens.refresh_token,
  });
  let renewed = null;
  stale.on('refresh', (accessToken) => {
    renewed = accessToken;
  });
  const again = await stale.sobject('User').retrieve(userId);
  assert.equal(again.Id, userId);
  assert.match(renewed ?? '', ACCESS_TOKEN, 'jsforce refreshed the session after the 401');

  // Revoking the refresh token ends the approval.
  await oauth2.revokeToken(tokens.refresh_token);
  await assert.rejects(oauth2.refreshToken(tokens.refresh_token), (err) => {
    assert.equal(err.name, 'invalid_grant');
    assert.equal(err.message, 'expired access/refresh token');
    return true;
  });
  await assert.rejects(oauth2.revokeToken(tokens.refresh_token), 'a second revocation fails');
  await assert.rejects(conn.sobject('User').retrieve(userId), 'its access tokens died with it');

  // The code was single use.
  await assert.rejects(oauth2.requestToken(code), { name: 'invalid_grant' });
});
