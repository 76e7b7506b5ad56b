// The device verification page in a real browser (issue 5; RFC 8628 §3.3): headless Debian
// Chromium driven by playwright-core opens `verification_uri_complete`, logs in, sees the Code
// field pre-filled, presses Connect and Allow, and reads "You're connected"; a second device's
// code is typed by hand (lower case, no dash) and denied. The device's polls confirm each answer.
//
// Needs `apt-get install -y chromium` (PORTICO_CHROMIUM overrides /usr/bin/chromium).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ADMIN_PASSWORD, ADMIN_USERNAME, CLIENT_ID, PORTICO_URL } from './lib/portico.js';
import { skipUnlessIssue5 } from './lib/device.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function post(path, form) {
  const res = await fetch(new URL(path, PORTICO_URL), { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() };
}

async function startDevice() {
  const { status, body } = await post('/services/oauth2/device/authorize', { client_id: CLIENT_ID, scope: 'api' });
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

const poll = (deviceCode) => post('/services/oauth2/token', { grant_type: 'device', client_id: CLIENT_ID, code: deviceCode });

test('Chromium completes the device verification page', { skip: skipUnlessIssue5() }, async () => {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    const tv = await startDevice();

    // The link logs in first, then lands on the page with the code filled in.
    await page.goto(tv.verification_uri_complete);
    await page.waitForURL(/\/login\?/);
    await page.getByLabel('Username').fill(ADMIN_USERNAME);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log In' }).click();
    await page.waitForURL(/\/setup\/connect\?user_code=/);
    assert.equal(await page.getByLabel('Code').inputValue(), tv.user_code);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('heading', { name: 'Allow Access?' }).waitFor();
    assert.ok(await page.getByText('Portico CLI', { exact: false }).first().isVisible());
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: "You're connected" }).waitFor();
    assert.match(await page.textContent('main'), /return to your device/);
    const approved = await poll(tv.device_code);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.ok(approved.body.access_token);

    // Typed by hand, in lower case without the dash, then denied.
    const other = await startDevice();
    await page.goto(other.verification_uri);
    await page.getByLabel('Code').fill(other.user_code.toLowerCase().replace('-', ''));
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Access denied' }).waitFor();
    const denied = await poll(other.device_code);
    assert.equal(denied.status, 400);
    assert.equal(denied.body.error, 'access_denied');
  } finally {
    await browser.close();
  }
});
