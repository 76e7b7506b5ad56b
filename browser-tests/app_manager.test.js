// Issue 8, "How it is checked": log in as the admin, create an app through the New Connected
// App page with every section filled, see the errors for a bad callback URL, an ID token
// validity of 721 and an http:// single logout URL, fix and save, read the consumer key, reveal
// the secret, set admin-approved policy and assign a permission set, then complete a web server
// flow with the new app. Every page is photographed into target/ui-screenshots/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  ADMIN_PASSWORD, ADMIN_USERNAME, BASE, allowIfAsked, callbackServer, field, launch, logIn, newPage, pkce, shot, assertLabelled,
} from './lib.js';

const APP = 'Acme_Field_Service';
const LABEL = 'Acme Field Service';
const PERMSET = 'Connected_App_Users';
const RUN_AS = 'integration.bot@acme.test';

/** A screenshot of the page, which must have a label on every control. */
async function snap(page, name) {
  await shot(page, name);
  await assertLabelled(page);
}

let browser;
let page;
let callback;
/** What one step learns and a later one needs. */
const seen = {};

before(async () => {
  browser = await launch();
  page = await newPage(browser);
  callback = await callbackServer();
});

after(async () => {
  await browser?.close();
  await callback?.close();
});

/** Runs a step; on failure, photographs the page as it was. */
async function step(t, name, body) {
  await t.test(name, async () => {
    try {
      await body();
    } catch (e) {
      await shot(page, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
      throw e;
    }
  });
}

const fieldError = (id) => page.locator(`#${id}-error`);

test('an administrator sets up a connected app in the browser and uses it', async (t) => {
  await step(t, 'log in and see Setup home', async () => {
    await logIn(page, ADMIN_USERNAME, ADMIN_PASSWORD, '/setup');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Setup Home' }).waitFor());
    await snap(page, '01-setup-home');
  });

  await step(t, 'create an asset signing certificate', async () => {
    await page.getByRole('link', { name: 'Certificate and Key Management' }).click();
    await field(page, 'Unique Name').fill('Asset_Signer');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Certificate Asset_Signer was created.').waitFor();
    seen.pem = (await page.locator('pre.pem').first().textContent()).trim();
    assert.match(seen.pem, /^-----BEGIN CERTIFICATE-----/);
    await snap(page, '02-certificates');
  });

  await step(t, 'create the run-as user on the New User page', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await snap(page, '03-users');
    await page.getByRole('link', { name: 'New User' }).click();
    await field(page, 'First Name').fill('Integration');
    await field(page, 'Last Name').fill('Bot');
    await field(page, 'Email').fill(RUN_AS);
    await field(page, 'Username').fill(RUN_AS);
    await field(page, 'Profile').selectOption({ label: 'API Only User' });
    await field(page, 'Password').fill('short');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.match(await fieldError('password').textContent(), /at least 8 characters/);
    assert.equal(await field(page, 'Username').inputValue(), RUN_AS, 'the form keeps what was typed');
    await snap(page, '04-user-form-errors');
    await field(page, 'Password').fill('Integration-Bot-Passw0rd');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`User ${RUN_AS} was created.`).waitFor();
  });

  await step(t, 'create a permission set and assign it to the admin', async () => {
    await page.getByRole('link', { name: 'Permission Sets' }).click();
    await page.getByRole('link', { name: 'New Permission Set' }).click();
    await field(page, 'Label').fill('Connected App Users');
    await field(page, 'Label').blur();
    assert.equal(await field(page, 'API Name').inputValue(), PERMSET, 'the API name is suggested');
    await field(page, 'API Enabled').check();
    await snap(page, '05-permission-set-form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Permission Set Connected App Users was saved.').waitFor();
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: 'System Administrator' }).click();
    await page.getByLabel('Permission Set', { exact: true }).selectOption({ label: 'Connected App Users' });
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByText('Permission set Connected App Users was assigned.').waitFor();
    await snap(page, '06-user-detail');
  });

  await step(t, 'fill every section of the New Connected App page', async () => {
    await page.getByRole('link', { name: 'App Manager' }).click();
    await snap(page, '07-app-manager');
    await page.getByRole('link', { name: 'New Connected App' }).click();
    // Basic Information.
    await field(page, 'Connected App Name').fill(LABEL);
    await field(page, 'Connected App Name').blur();
    assert.equal(await field(page, 'API Name').inputValue(), APP, 'the API name is suggested');
    await field(page, 'Contact Email').fill('admin@acme.test');
    await field(page, 'Contact Phone').fill('+1 415 555 0100');
    await field(page, 'Logo Image URL').fill('https://acme.test/logo.png');
    await field(page, 'Info URL').fill('https://acme.test/field-service');
    await field(page, 'Description').fill('Dispatch and field technicians');
    // API (Enable OAuth Settings): dependent fields appear with their checkbox.
    assert.equal(await field(page, 'Callback URL').isVisible(), false);
    await field(page, 'Enable OAuth Settings').check();
    assert.equal(await field(page, 'Callback URL').isVisible(), true);
    await field(page, 'Enable for Device Flow').check();
    await field(page, 'Callback URL').fill(`${callback.url}\nhttp://acme.test/callback`);
    const count = `${callback.url.length + 1 + 'http://acme.test/callback'.length} of 2,000 characters`;
    assert.equal(await page.locator('#callback_url-count').textContent(), count, 'the live counter');
    await field(page, 'Use Digital Signatures').check();
    await field(page, 'Certificate file (PEM or DER, at most 4 KB)').setInputFiles({
      name: 'acme.crt', mimeType: 'application/x-x509-ca-cert', buffer: Buffer.from(seen.pem),
    });
    // The two-list scope picker.
    await field(page, 'Available OAuth Scopes').selectOption(['Api', 'OpenID', 'RefreshToken', 'Basic']);
    await page.getByRole('button', { name: 'Add' }).click();
    const chosen = await page.locator('#scopes-selected option').allTextContents();
    assert.deepEqual(chosen.sort(), [
      'Access and manage your data (api)',
      'Access your basic information (id, profile, email, address, phone)',
      'Allow access to your unique identifier (openid)',
      'Perform requests on your behalf at any time (refresh_token, offline_access)',
    ]);
    assert.equal(await field(page, 'Require Secret for Web Server Flow').isChecked(), true);
    assert.equal(await field(page, 'Require Secret for Refresh Token Flow').isChecked(), true);
    await page.getByLabel(/Require Proof Key for Code Exchange/).check();
    await field(page, 'Introspect All Tokens').check();
    await field(page, 'Configure ID Token').check();
    await page.locator('#id_token_validity').fill('721');
    await field(page, 'ID Token Audiences').fill('https://acme.test/service');
    await field(page, 'Include Standard Claims').check();
    await page.locator('#id_token_attributes').check();
    await page.locator('#id_token_custom_perms').check();
    await field(page, 'Enable Asset Tokens').check();
    await page.locator('#asset_validity').fill('60');
    await field(page, 'Asset Signing Certificate').selectOption('Asset_Signer');
    await field(page, 'Asset Audiences').fill('https://devices.acme.test');
    await field(page, 'Enable Single Logout').check();
    await field(page, 'Single Logout URL').fill('http://acme.test/logout');
    await field(page, 'Enable Client Credentials Flow').check();
    await field(page, 'Run As (username)').fill(RUN_AS);
    await field(page, 'Enable Refresh Token Rotation').check();
    await page.getByLabel(/JWT\)-based access tokens/).check();
    await snap(page, '08-new-app-filled');
  });

  await step(t, 'save shows every error beside its field and keeps what was typed', async () => {
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#error-summary').waitFor();
    assert.match(await fieldError('callback_url').textContent(), /http:\/\/acme\.test\/callback/);
    assert.match(await fieldError('id_token_validity').textContent(), /721.*1 to 720 minutes/);
    assert.match(await fieldError('single_logout_url').textContent(), /https/);
    assert.equal(await page.locator('#id_token_validity').inputValue(), '721');
    assert.equal(await field(page, 'Single Logout URL').inputValue(), 'http://acme.test/logout');
    assert.equal(await field(page, 'Run As (username)').inputValue(), RUN_AS);
    assert.equal(await field(page, 'Asset Signing Certificate').inputValue(), 'Asset_Signer');
    assert.equal(await field(page, 'Introspect All Tokens').isChecked(), true);
    assert.match(await page.locator('#certificate-current').textContent(), /Certificate: .*RSA 2048/, 'the upload is kept');
    const chosen = await page.locator('#scopes-selected option').count();
    assert.equal(chosen, 4, 'the scopes are kept');
    await snap(page, '09-new-app-errors');
  });

  await step(t, 'fix the three fields and save', async () => {
    await field(page, 'Callback URL').fill(callback.url);
    await page.locator('#id_token_validity').fill('30');
    await field(page, 'Single Logout URL').fill('https://acme.test/logout');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${BASE}/setup/apps/${APP}`);
    await page.getByText(`Connected app ${LABEL} was created.`).waitFor();
    await snap(page, '10-view-app');
  });

  await step(t, 'read the consumer key and reveal the secret with the password', async () => {
    seen.key = (await page.locator('#consumer-key').textContent()).trim();
    assert.match(seen.key, /^[A-Za-z0-9._]{20,}$/);
    assert.equal(await page.getByRole('button', { name: 'Copy' }).first().isVisible(), true);
    await page.getByRole('link', { name: 'Manage Consumer Details' }).click();
    assert.equal(await page.locator('#consumer-secret').count(), 0, 'no secret before the password');
    await field(page, 'Password').fill('not-my-password');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText("That password isn't right.").waitFor();
    await snap(page, '11-verify-password');
    await field(page, 'Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Verify' }).click();
    seen.secret = (await page.locator('#consumer-secret').textContent()).trim();
    assert.match(seen.secret, /^[A-Za-z0-9]{16,}$/);
    assert.equal((await page.locator('#consumer-key').textContent()).trim(), seen.key);
    await snap(page, '12-consumer-details');
  });

  await step(t, 'set admin-approved users and assign the permission set', async () => {
    await page.goto(`${BASE}/setup/apps/${APP}/policies`);
    await field(page, 'Permitted Users').selectOption({ label: 'Admin approved users are pre-authorized' });
    await field(page, 'IP Relaxation').selectOption('ENFORCE_RELAXREFRESH');
    await field(page, 'Expire refresh token if not used for the period below').check();
    await page.getByLabel('Period', { exact: true }).fill('30');
    await page.getByLabel('Unit', { exact: true }).selectOption('DAYS');
    await field(page, 'Timeout Value').selectOption({ label: '2 hours' });
    await field(page, 'Connected App Users').check();
    await page.getByRole('button', { name: 'Save Policies' }).click();
    await page.getByText('The policies were saved.').waitFor();
    assert.equal(await field(page, 'Connected App Users').isChecked(), true);
    // A custom attribute: a bad formula is refused beside the field, then a good one is added.
    await field(page, 'Attribute Key').fill('region');
    await field(page, 'Formula').fill('$User.');
    await page.getByRole('button', { name: 'Add Attribute' }).click();
    await fieldError('attr_formula').waitFor();
    await snap(page, '13-policies-formula-error');
    await field(page, 'Formula').fill('$User.Email');
    await page.getByRole('button', { name: 'Add Attribute' }).click();
    await page.getByText('Custom attribute region was added.').waitFor();
    await snap(page, '14-policies');
  });

  await step(t, 'complete a web server flow with the new app', async () => {
    const { verifier, challenge } = pkce();
    const query = new URLSearchParams({
      response_type: 'code', client_id: seen.key, redirect_uri: callback.url, scope: 'api openid refresh_token',
      state: 'state-123', code_challenge: challenge, code_challenge_method: 'S256',
    });
    await page.goto(`${BASE}/services/oauth2/authorize?${query}`);
    if (!page.url().startsWith(callback.url)) await allowIfAsked(page);
    await page.waitForURL((url) => url.href.startsWith(callback.url));
    const back = new URL(page.url()).searchParams;
    assert.equal(back.get('state'), 'state-123');
    const res = await fetch(`${BASE}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: back.get('code'), client_id: seen.key, client_secret: seen.secret,
        redirect_uri: callback.url, code_verifier: verifier,
      }),
    });
    const tokens = await res.json();
    assert.equal(res.status, 200, JSON.stringify(tokens));
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token, JSON.stringify(Object.keys(tokens)));
    seen.refresh = tokens.refresh_token;
  });

  await step(t, 'see the app in use, and edit it without losing its policies', async () => {
    await page.goto(`${BASE}/setup/oauth-usage`);
    const row = page.getByRole('row').filter({ hasText: LABEL });
    assert.equal((await row.locator('td.num').textContent()).trim(), '1');
    await snap(page, '15-oauth-usage');
    await page.goto(`${BASE}/setup/apps?q=field`);
    assert.equal(await page.getByRole('link', { name: LABEL, exact: true }).count(), 1);
    await snap(page, '16-app-manager-search');
    await page.goto(`${BASE}/setup/apps/${APP}/edit`);
    await snap(page, '17-edit-app');
    await field(page, 'Description').fill('Dispatch, field technicians and their devices');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Connected app ${LABEL} was saved.`).waitFor();
    await page.getByText('Dispatch, field technicians and their devices').waitFor();
    await page.getByText('Admin approved users are pre-authorized').waitFor();
  });

  await step(t, "revoke the admin's approval from the user page", async () => {
    await page.goto(`${BASE}/setup/users`);
    await page.getByRole('link', { name: 'System Administrator' }).click();
    const row = page.getByRole('row').filter({ hasText: LABEL });
    assert.match(await row.textContent(), /api openid refresh_token/);
    await snap(page, '18-user-oauth-apps');
    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.getByText('Access was revoked').waitFor();
    const res = await fetch(`${BASE}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token', refresh_token: seen.refresh, client_id: seen.key, client_secret: seen.secret,
      }),
    });
    assert.equal(res.status, 400, 'the revoked refresh token no longer works');
  });

  await step(t, 'rotate the secret and generate an initial access token', async () => {
    await page.goto(`${BASE}/setup/apps/${APP}/consumer`);
    await page.getByRole('button', { name: 'Generate New Secret' }).click();
    await page.getByText('A new consumer secret was generated.').waitFor();
    const rotated = (await page.locator('#consumer-secret').textContent()).trim();
    assert.notEqual(rotated, seen.secret);
    await page.getByRole('button', { name: 'Generate Initial Access Token' }).click();
    await page.getByText('A new initial access token was generated').waitFor();
    assert.ok((await page.locator('#flash-secret').textContent()).trim().length >= 20);
    await snap(page, '19-initial-access-token');
    await page.reload();
    assert.equal(await page.locator('#flash-secret').count(), 0, 'the token is shown once');
  });

  await step(t, 'profiles and permission sets', async () => {
    await page.getByRole('link', { name: 'Profiles' }).click();
    await snap(page, '20-profiles');
    await page.getByRole('link', { name: 'Standard User' }).click();
    assert.equal(await page.getByLabel('API Enabled').isChecked(), true);
    await snap(page, '21-profile');
    await page.getByRole('link', { name: 'Permission Sets' }).click();
    await snap(page, '22-permission-sets');
  });

  await step(t, 'uninstall, install and block from Connected Apps OAuth Usage', async () => {
    await page.goto(`${BASE}/setup/oauth-usage`);
    const row = () => page.getByRole('row').filter({ hasText: LABEL });
    await row().getByRole('button', { name: /Uninstall/ }).click();
    await page.getByText(`Connected app ${APP} was uninstalled.`).waitFor();
    assert.match(await row().textContent(), /Not installed/);
    await row().getByRole('button', { name: /^Install/ }).click();
    await page.getByText(`Connected app ${APP} was installed.`).waitFor();
    await row().getByRole('link', { name: /Block/ }).click();
    await snap(page, '23-confirm-block');
    await page.getByRole('button', { name: 'Block' }).click();
    await page.getByText(`${LABEL} was blocked`).waitFor();
    assert.match(await row().textContent(), /Not installed/);
  });

  await step(t, 'deactivate and activate a user', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: 'Integration Bot' }).click();
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText(`User ${RUN_AS} was deactivated`).waitFor();
    await snap(page, '24-user-deactivated');
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByText(`User ${RUN_AS} was activated.`).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await field(page, 'First Name').fill('Integration Service');
    await snap(page, '25-edit-user');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Integration Service Bot' }).waitFor();
  });

  await step(t, 'delete an app after confirming', async () => {
    await page.goto(`${BASE}/setup/apps/new`);
    await field(page, 'Connected App Name').fill('Throwaway');
    await field(page, 'Connected App Name').blur();
    await field(page, 'Contact Email').fill('admin@acme.test');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${BASE}/setup/apps/Throwaway`);
    await page.getByRole('link', { name: 'Delete' }).click();
    await snap(page, '26-confirm-delete');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Connected app Throwaway was deleted.').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Throwaway' }).count(), 0);
  });

  await step(t, 'the pages ran no failing script', async () => {
    assert.deepEqual(page.errors, []);
  });
});
