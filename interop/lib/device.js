// Helpers for the device flow and JWT interop tests (issue 5): whether the Rust test that starts
// them is the one running (they need what it sets up), and a scripted browser that answers a
// device code on Portico's /setup/connect page the way a person would.

import assert from 'node:assert/strict';

import { ADMIN_PASSWORD, ADMIN_USERNAME, Browser, PORTICO_URL, hiddenInputs } from './portico.js';

/**
 * Why an issue-5 test cannot run here, or undefined when it can: the Rust tests
 * `device_interop` and `jwt_interop` set PORTICO_ISSUE5_INTEROP and the variables each test
 * needs; the general `interop` run does not, so there these tests report themselves skipped.
 */
export function skipUnlessIssue5(...names) {
  if (process.env.PORTICO_ISSUE5_INTEROP !== '1') {
    return 'started by `cargo test -p portico --test e2e -- device_interop jwt_interop`';
  }
  const missing = names.filter((n) => !process.env[n]);
  return missing.length > 0 ? `${missing.join(', ')} not set` : undefined;
}

/** Follows redirects within Portico from `url`, logging in as `username` when asked. */
async function openLoggedIn(browser, url, username, password) {
  let next = new URL(url, PORTICO_URL);
  for (let hop = 0; hop < 6; hop += 1) {
    const res = await browser.fetch(next);
    if (res.status < 300 || res.status >= 400) return res;
    next = new URL(res.headers.get('location'), PORTICO_URL);
    if (next.pathname === '/login') {
      const form = hiddenInputs(await (await browser.fetch(next)).text());
      form.push(['username', username], ['password', password]);
      const login = await browser.postForm('/login', form);
      assert.equal(login.status, 303, `login as ${username} should succeed`);
      next = new URL(login.headers.get('location'), PORTICO_URL);
    }
  }
  throw new Error(`too many redirects from ${url}`);
}

/**
 * Opens `verificationUriComplete` (logging in first), presses Connect with the pre-filled code,
 * then Allow (or Deny) on the consent page. Returns the final page's text.
 */
export async function answerDeviceCode(verificationUriComplete, decision = 'allow', username = ADMIN_USERNAME, password = ADMIN_PASSWORD) {
  const browser = new Browser();
  const page = await openLoggedIn(browser, verificationUriComplete, username, password);
  const html = await page.text();
  assert.equal(page.status, 200, html);
  const code = /name="user_code" value="([^"]*)"/.exec(html);
  assert.ok(code, 'the Code field is pre-filled from ?user_code=');
  const connect = await browser.postForm('/setup/connect', [...hiddenInputs(html), ['user_code', code[1]]]);
  const consent = await connect.text();
  assert.equal(connect.status, 200, consent);
  assert.match(consent, /Allow Access\?/);
  const answered = await browser.postForm('/setup/connect', [...hiddenInputs(consent), ['consent_decision', decision]]);
  const done = await answered.text();
  assert.equal(answered.status, 200, done);
  return done;
}
