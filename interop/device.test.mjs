// The device flow (issue 5; RFC 8628) with real clients: openid-client's device authorization
// grant (RFC 8628 endpoint from discovery, `device_code` polling, ID token validated), and
// @salesforce/core's DeviceOauthService (multipart `response_type=device_code` on the token
// endpoint, `grant_type=device` polling with `code`, stopping only on 400
// `authorization_pending`), then its AuthInfo refreshing with the refresh token it got.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ADMIN_USERNAME, CLIENT_ID, PORTICO_URL } from './lib/portico.js';
import { answerDeviceCode, skipUnlessIssue5 } from './lib/device.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('openid-client: device authorization grant with pending polls', { skip: skipUnlessIssue5() }, async () => {
  const client = await import('openid-client');
  const config = await client.discovery(new URL(PORTICO_URL), CLIENT_ID, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  assert.equal(config.serverMetadata().device_authorization_endpoint, `${PORTICO_URL}/services/oauth2/device/authorize`);
  const response = await client.initiateDeviceAuthorization(config, { scope: 'openid api refresh_token' });
  assert.match(response.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  assert.equal(response.verification_uri, `${PORTICO_URL}/setup/connect`);
  assert.equal(response.interval, 5);
  assert.equal(response.expires_in, 600);

  // The client polls every `interval` seconds; the user answers after its first poll.
  const polling = client.pollDeviceAuthorizationGrant(config, response);
  await sleep(6000);
  const page = await answerDeviceCode(response.verification_uri_complete);
  assert.match(page, /is now connected to your account/);
  const tokens = await polling;
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.refresh_token, 'refresh_token was granted');
  const claims = tokens.claims();
  assert.equal(claims.iss, PORTICO_URL);
  assert.ok([claims.aud].flat().includes(CLIENT_ID));
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(userinfo.preferred_username, ADMIN_USERNAME);
});

test('openid-client: a denied device authorization rejects with access_denied', { skip: skipUnlessIssue5() }, async () => {
  const client = await import('openid-client');
  const config = await client.discovery(new URL(PORTICO_URL), CLIENT_ID, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const response = await client.initiateDeviceAuthorization(config, { scope: 'api' });
  const page = await answerDeviceCode(response.verification_uri_complete, 'deny');
  assert.match(page, /Access denied/);
  await assert.rejects(client.pollDeviceAuthorizationGrant(config, response), (err) => {
    assert.equal(err.error, 'access_denied');
    return true;
  });
});

test('@salesforce/core: DeviceOauthService logs in with multipart requests', { skip: skipUnlessIssue5() }, async () => {
  // @salesforce/core keeps its state and logs under the home folder: use a fresh one.
  process.env.HOME = mkdtempSync(join(tmpdir(), 'portico-sfdx-'));
  process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
  process.env.SF_DISABLE_TELEMETRY = 'true';
  const { AuthInfo, DeviceOauthService } = await import('@salesforce/core');
  const service = await DeviceOauthService.create({ clientId: CLIENT_ID, loginUrl: PORTICO_URL });
  const login = await service.requestDeviceLogin();
  assert.match(login.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  assert.equal(login.interval, 5);
  assert.equal(login.verification_uri, `${PORTICO_URL}/setup/connect`);

  // It polls at once (authorization_pending), sleeps `interval`, and polls again.
  const approval = service.awaitDeviceApproval(login);
  await answerDeviceCode(`${login.verification_uri}?user_code=${encodeURIComponent(login.user_code)}`);
  const tokens = await approval;
  assert.equal(tokens.instance_url, PORTICO_URL);
  assert.ok(tokens.refresh_token, 'scope refresh_token web api grants a refresh token');

  // What `sf org login device` does next: an AuthInfo from the refresh token.
  const authInfo = await AuthInfo.create({
    oauth2Options: { loginUrl: tokens.instance_url, refreshToken: tokens.refresh_token, clientId: CLIENT_ID },
  });
  assert.equal(authInfo.getUsername(), ADMIN_USERNAME);
  assert.match(authInfo.getFields(true).accessToken, /^00D\w{12,15}![.\w]*$/);
});
