// The JWT bearer flow (issue 5; RFC 7523) with real clients: @salesforce/core's JWT login
// (`AuthInfo.create` with a private key file: it signs `exp: Date.now() + 300` — milliseconds —
// for the audience https://login.salesforce.com, then reads the user and the org), and jsforce's
// `requestToken` with an assertion built by jsonwebtoken exactly as @salesforce/core builds it.
//
// Started by the Rust test `jwt_interop`, which creates a pre-authorized app with a certificate
// and sets PORTICO_JWT_CLIENT_ID, PORTICO_JWT_KEY_FILE and PORTICO_JWT_USERNAME; the server
// runs with `--jwt-audiences https://login.salesforce.com`.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { PORTICO_URL } from './lib/portico.js';
import { skipUnlessIssue5 } from './lib/device.js';

const NEEDS = ['PORTICO_JWT_CLIENT_ID', 'PORTICO_JWT_KEY_FILE', 'PORTICO_JWT_USERNAME'];
const skip = skipUnlessIssue5(...NEEDS);

test('jsforce requestToken with a jsonwebtoken assertion shaped like @salesforce/core', { skip }, async () => {
  const { default: jwt } = await import('jsonwebtoken');
  const { OAuth2 } = await import('jsforce');
  const clientId = process.env.PORTICO_JWT_CLIENT_ID;
  const key = readFileSync(process.env.PORTICO_JWT_KEY_FILE, 'utf8');
  const sign = (claims) => jwt.sign(claims, key, { algorithm: 'RS256' });
  const oauth2 = new OAuth2({ loginUrl: PORTICO_URL, clientId });
  const assertion = sign({
    iss: clientId,
    sub: process.env.PORTICO_JWT_USERNAME,
    aud: 'https://login.salesforce.com',
    exp: Date.now() + 300,
  });
  const res = await oauth2.requestToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
  assert.match(res.access_token, /^00D\w{12,15}![.\w]*$/);
  assert.equal(res.instance_url, PORTICO_URL);
  assert.match(res.id, /\/id\/00D\w{15}\/005\w{15}$/);
  assert.equal(res.refresh_token, undefined);
  assert.equal(res.signature, undefined);

  // Errors come back as jsforce reads them: `error` names the error, the message describes it.
  const foreign = sign({ iss: clientId, sub: process.env.PORTICO_JWT_USERNAME, aud: 'https://evil.test', exp: Date.now() + 300 });
  await assert.rejects(oauth2.requestToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: foreign }), (err) => {
    assert.equal(err.name, 'invalid_grant');
    assert.match(err.message, /audience is invalid/);
    return true;
  });
});

test('@salesforce/core AuthInfo logs in with the JWT bearer flow', { skip }, async () => {
  // @salesforce/core keeps its state and logs under the home folder: use a fresh one.
  process.env.HOME = mkdtempSync(join(tmpdir(), 'portico-sfdx-'));
  process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
  process.env.SF_DISABLE_TELEMETRY = 'true';
  const { AuthInfo, Connection } = await import('@salesforce/core');
  const authInfo = await AuthInfo.create({
    username: process.env.PORTICO_JWT_USERNAME,
    oauth2Options: {
      clientId: process.env.PORTICO_JWT_CLIENT_ID,
      loginUrl: PORTICO_URL,
      privateKeyFile: process.env.PORTICO_JWT_KEY_FILE,
    },
  });
  const fields = authInfo.getFields(true);
  assert.equal(fields.username, process.env.PORTICO_JWT_USERNAME);
  assert.match(fields.orgId, /^00D/);
  assert.match(fields.accessToken, /^00D\w{12,15}![.\w]*$/);
  const connection = await Connection.create({ authInfo });
  const identity = await connection.identity();
  assert.equal(identity.username, process.env.PORTICO_JWT_USERNAME);
});
