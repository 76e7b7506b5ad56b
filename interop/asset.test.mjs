// Asset tokens (issue 7; RFC 8693 token exchange, `reference/salesforce-oauth.md` §3.11) checked
// the way a device back end would: with the `jose` package against Portico's /id/keys. A device
// key made by jose signs the actor token and carries itself in `cnf.jwk`; the asset token must
// verify (signature, issuer, audiences, lifetime), bind that key, and carry the custom claims
// only when the app's switches say so.
//
// Started by the Rust test `jose_verifies_asset_tokens` (crates/portico/tests/e2e/asset_tokens.rs),
// which creates the apps and the user's subject tokens and sets PORTICO_ASSET_*; elsewhere
// (the general `interop` run) these tests report themselves skipped.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { PORTICO_URL } from './lib/portico.js';

const NEEDS = [
  'PORTICO_ASSET_CLIENT_ID', 'PORTICO_ASSET_CLIENT_SECRET', 'PORTICO_ASSET_SUBJECT_TOKEN',
  'PORTICO_ASSET_PLAIN_CLIENT_ID', 'PORTICO_ASSET_PLAIN_CLIENT_SECRET', 'PORTICO_ASSET_PLAIN_SUBJECT_TOKEN',
];
const missing = NEEDS.filter((n) => !process.env[n]);
const skip = missing.length > 0 ? `started by \`cargo test -p portico --test e2e jose_verifies_asset_tokens\` (${missing.join(', ')} not set)` : undefined;

const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

async function exchange(prefix, actorToken) {
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    client_id: process.env[`${prefix}_CLIENT_ID`],
    client_secret: process.env[`${prefix}_CLIENT_SECRET`],
    subject_token: process.env[`${prefix}_SUBJECT_TOKEN`],
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  });
  if (actorToken) {
    form.set('actor_token', actorToken);
    form.set('actor_token_type', JWT_TYPE);
  }
  const res = await fetch(`${PORTICO_URL}/services/oauth2/token`, { method: 'POST', body: form });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

test('an asset token verifies with jose against /id/keys and binds the device key', { skip }, async () => {
  const jose = await import('jose');
  const device = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(device.publicKey);
  const actor = await new jose.SignJWT({ did: 'jose-device', Name: 'Jose Device', Asset: { Name: 'Sensor', SerialNumber: 'S-1' }, cnf: { jwk } })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(device.privateKey);
  const body = await exchange('PORTICO_ASSET', actor);
  assert.equal(body.issued_token_type, JWT_TYPE);
  assert.equal(body.token_type, 'Bearer');

  const keys = jose.createRemoteJWKSet(new URL('/id/keys', PORTICO_URL));
  for (const audience of ['https://devices.test', 'https://backend.test']) {
    const { payload, protectedHeader } = await jose.jwtVerify(body.access_token, keys, {
      issuer: PORTICO_URL, audience, algorithms: ['RS256'], requiredClaims: ['exp', 'nbf', 'iat', 'jti', 'sub'],
    });
    assert.equal(protectedHeader.kid, 'Asset_Signer');
    assert.equal(payload.exp - payload.iat, body.expires_in);
    assert.equal(body.expires_in, 5 * 60);
    assert.deepEqual(payload.aud, ['https://devices.test', 'https://backend.test']);
    assert.equal(payload.did, 'jose-device');
    assert.deepEqual(payload.Asset, { Name: 'Sensor', SerialNumber: 'S-1' });
    assert.equal(payload.cnf.jwk.n, jwk.n);
    assert.equal(await jose.calculateJwkThumbprint(payload.cnf.jwk), await jose.calculateJwkThumbprint(jwk));
    assert.equal(typeof payload.custom_attributes, 'object');
    assert.equal(typeof payload.custom_permissions, 'object');
  }
  await assert.rejects(jose.jwtVerify(body.access_token, keys, { issuer: PORTICO_URL, audience: 'https://other.test' }));
  const [h, p, s] = body.access_token.split('.');
  const tampered = `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  await assert.rejects(jose.jwtVerify(tampered, keys, { issuer: PORTICO_URL, audience: 'https://devices.test' }));
});

test('with the switches off the token has no custom claims and no key without an actor', { skip }, async () => {
  const jose = await import('jose');
  const body = await exchange('PORTICO_ASSET_PLAIN');
  const keys = jose.createRemoteJWKSet(new URL('/id/keys', PORTICO_URL));
  const { payload } = await jose.jwtVerify(body.access_token, keys, { issuer: PORTICO_URL, audience: 'https://devices.test' });
  for (const absent of ['cnf', 'did', 'custom_attributes', 'custom_permissions']) {
    assert.equal(payload[absent], undefined, absent);
  }
});
