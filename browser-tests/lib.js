// Shared by the browser tests: the server under test (from the environment the Rust test
// `setup_ui` sets), Debian's chromium launched headless through playwright-core, screenshots
// into target/ui-screenshots/, PKCE, a tiny callback server, and an admin API token.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through \`cargo test -p portico --test e2e setup_ui\`, which starts a server and sets it`);
  }
  return value;
}

export const BASE = required('PORTICO_URL').replace(/\/$/, '');
export const ADMIN_USERNAME = required('PORTICO_ADMIN_USERNAME');
export const ADMIN_PASSWORD = required('PORTICO_ADMIN_PASSWORD');

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = process.env.PORTICO_SCREENSHOTS || path.resolve(here, '..', 'target', 'ui-screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

/** Debian's chromium, headless, with nothing that reaches out to the network by itself. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.PORTICO_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page whose script errors fail the test (the pages' script must never throw). */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

/** A full-page screenshot, named for the step. */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fails unless every visible form control has a label (or an aria-label). */
export async function assertLabelled(page) {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
      .filter((el) => el.offsetParent !== null && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML.slice(0, 120)));
  if (unlabelled.length) throw new Error(`controls without a label on ${page.url()}: ${unlabelled.join(' | ')}`);
}

/** Logs in through the login page, starting from `startPath` (which must redirect there). */
export async function logIn(page, username, password, startPath = '/setup') {
  await page.goto(BASE + startPath);
  await page.waitForURL(/\/login\?startURL=/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log In' }).click();
  await page.waitForURL((url) => url.pathname === startPath);
}

const b64url = (buf) => buf.toString('base64url');

/** An RFC 7636 verifier and its S256 challenge. */
export function pkce() {
  const verifier = b64url(randomBytes(48));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

/** A tiny HTTP server for an app's callback URL: answers every request with a short page. */
export async function callbackServer() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('callback received');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/callback`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * The form control whose label starts with `text` (labels of required fields end with
 * "(required)"; a prefix also keeps "API Name" from matching "… (API names, one per line)").
 */
export function field(page, text) {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}`));
}

/** Answers the consent page if the server shows it. */
export async function allowIfAsked(page) {
  const allow = page.getByRole('button', { name: 'Allow' });
  if (await allow.count()) await allow.click();
}

/**
 * An admin API access token for the user logged in on `page`: the built-in PorticoCLI app's web
 * server flow with PKCE. Nothing listens on the CLI's loopback port: the browser's request to it
 * (seen whether it follows a redirect or the consent page's answer) carries the code.
 */
export async function apiToken(page) {
  const { verifier, challenge } = pkce();
  const redirect = 'http://localhost:1717/OauthRedirect';
  let callbackUrl = null;
  const watch = (request) => {
    if (request.url().startsWith(redirect)) callbackUrl = request.url();
  };
  page.on('request', watch);
  await page.route('http://localhost:1717/**', (route) => route.fulfill({ status: 200, body: 'ok' }));
  const query = new URLSearchParams({
    response_type: 'code', client_id: 'PorticoCLI', redirect_uri: redirect, scope: 'api',
    state: 'cli-state', code_challenge: challenge, code_challenge_method: 'S256',
  });
  // A redirect to the unrouted loopback port fails the navigation; the request was still seen.
  await page.goto(`${BASE}/services/oauth2/authorize?${query}`).catch(() => {});
  if (!callbackUrl) await allowIfAsked(page).catch(() => {});
  for (let i = 0; i < 100 && !callbackUrl; i += 1) await new Promise((r) => setTimeout(r, 100));
  page.off('request', watch);
  await page.unroute('http://localhost:1717/**');
  if (!callbackUrl) throw new Error(`the authorize flow did not reach ${redirect}; the page is at ${page.url()}`);
  const code = new URL(callbackUrl).searchParams.get('code');
  const res = await fetch(`${BASE}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, client_id: 'PorticoCLI', redirect_uri: redirect, code_verifier: verifier,
    }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** One admin API call: [status, JSON body]. */
export async function api(token, method, path, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return [res.status, text ? JSON.parse(text) : null];
}
