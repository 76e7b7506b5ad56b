// Issue 8: "a user lacking Manage Connected Apps sees the pages refuse". Users made through the
// admin API with profiles that lack permissions get a clear 403 page, naming what is missing,
// on every page their profile does not allow; the Setup pages send anyone not logged in to
// the login page and back.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ADMIN_PASSWORD, ADMIN_USERNAME, BASE, api, apiToken, assertLabelled, launch, logIn, newPage, shot } from './lib.js';

const PASSWORD = 'Restricted-Passw0rd-1';
/** A screenshot of the page, which must have a label on every control. */
async function snap(page, name) {
  await shot(page, name);
  await assertLabelled(page);
}

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Creates a profile with `permissions` and a user with it, through the admin API. */
async function userWith(token, name, permissions) {
  const [status, profile] = await api(token, 'POST', '/api/v1/profiles', { name, label: name.replace(/_/g, ' '), permissions });
  assert.equal(status, 201, JSON.stringify(profile));
  const username = `${name.toLowerCase()}@acme.test`;
  const [created, user] = await api(token, 'POST', '/api/v1/users', {
    username, email: username, firstName: 'Restricted', lastName: name, profileId: profile.id, password: PASSWORD,
  });
  assert.equal(created, 201, JSON.stringify(user));
  return username;
}

test('users without the permissions see the Setup pages refuse', async (t) => {
  const admin = await newPage(browser);
  await logIn(admin, ADMIN_USERNAME, ADMIN_PASSWORD, '/setup');
  const token = await apiToken(admin);
  const viewer = await userWith(token, 'Setup_Viewer', ['ApiEnabled', 'ViewSetup', 'CustomizeApplication']);
  const outsider = await userWith(token, 'No_Setup', ['ApiEnabled']);
  // An app for the viewer to be refused; the built-in PorticoCLI app would do as well.
  const refusedPaths = ['/setup/apps', '/setup/apps/new', '/setup/apps/PorticoCLI', '/setup/apps/PorticoCLI/edit',
    '/setup/apps/PorticoCLI/consumer', '/setup/apps/PorticoCLI/policies', '/setup/oauth-usage', '/setup/certificates'];

  await t.test('not logged in: to the login page and back', async () => {
    const page = await newPage(browser);
    const res = await page.goto(`${BASE}/setup/apps?q=cli`);
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(new URL(page.url()).searchParams.get('startURL'), '/setup/apps?q=cli');
    await page.context().close();
  });

  await t.test('a user without Manage Connected Apps', async () => {
    const page = await newPage(browser);
    await logIn(page, viewer, PASSWORD, '/setup');
    await page.getByRole('heading', { name: 'Setup Home' }).waitFor();
    await page.getByText('Needs Manage Connected Apps').waitFor();
    for (const path of refusedPaths) {
      const res = await page.goto(BASE + path);
      assert.equal(res.status(), 403, path);
      await page.getByRole('heading', { name: 'Insufficient Privileges' }).waitFor();
      assert.match(await page.getByRole('alert').textContent(), /Manage Connected Apps/, path);
    }
    await snap(page, '27-refused-app-manager');
    // Reading users is allowed with View Setup; creating them needs Manage Users.
    assert.equal((await page.goto(`${BASE}/setup/users`)).status(), 200);
    assert.equal(await page.getByRole('link', { name: 'New User' }).count(), 0);
    const res = await page.goto(`${BASE}/setup/users/new`);
    assert.equal(res.status(), 403);
    assert.match(await page.getByRole('alert').textContent(), /Manage Users/);
    // A forged form post is refused too (the page's token is this user's own).
    await page.goto(`${BASE}/setup/users`);
    const status = await page.evaluate(async () => {
      const html = await (await fetch('/login')).text();
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(html);
      const body = new URLSearchParams({ csrf_token: csrf ? csrf[1] : 'none', name: 'Nope' });
      return (await fetch('/setup/certificates', { method: 'POST', body })).status;
    });
    assert.equal(status, 403);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  await t.test('a user without View Setup', async () => {
    const page = await newPage(browser);
    await logIn(page, outsider, PASSWORD, '/setup');
    const res = await page.goto(`${BASE}/setup`);
    assert.equal(res.status(), 403);
    assert.match(await page.getByRole('alert').textContent(), /View Setup and Configuration/);
    await snap(page, '28-refused-setup-home');
    await page.context().close();
  });

  await admin.context().close();
});
