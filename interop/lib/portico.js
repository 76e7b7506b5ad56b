// Shared helpers for the interop tests: the server under test (from the environment the Rust
// test `interop` sets) and a tiny scripted browser that logs in through Portico's real /login
// and consent pages with plain `fetch`, keeping cookies by hand and never following redirects.

import assert from 'node:assert/strict';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: these tests are started by \`cargo test -p portico --test e2e interop\`, ` +
        'which runs a Portico server and passes PORTICO_URL, PORTICO_ADMIN_USERNAME and PORTICO_ADMIN_PASSWORD',
    );
  }
  return value;
}

export const PORTICO_URL = required('PORTICO_URL');
export const ADMIN_USERNAME = required('PORTICO_ADMIN_USERNAME');
export const ADMIN_PASSWORD = required('PORTICO_ADMIN_PASSWORD');
/** The built-in public app and its only callback (CONTRACT §1). */
export const CLIENT_ID = 'PorticoCLI';
export const CALLBACK = 'http://localhost:1717/OauthRedirect';

/** Undoes the HTML escaping of attribute values (named and numeric entities). */
function unescapeHtml(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, e) => {
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e.toLowerCase()];
    if (named) return named;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** The hidden inputs of a page's forms, in order, as [name, value] pairs. */
export function hiddenInputs(html) {
  const pairs = [];
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    if (!/type="hidden"/i.test(tag)) continue;
    const name = /\bname="([^"]*)"/i.exec(tag);
    const value = /\bvalue="([^"]*)"/i.exec(tag);
    if (name && value) pairs.push([unescapeHtml(name[1]), unescapeHtml(value[1])]);
  }
  return pairs;
}

/** A browser: a cookie jar over `fetch`, redirects left to the caller. */
export class Browser {
  #cookies = new Map();

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers ?? {});
    if (this.#cookies.size > 0) {
      headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const res = await fetch(new URL(url, PORTICO_URL), { ...init, headers, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return res;
  }

  postForm(url, pairs) {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(pairs).toString(),
    });
  }
}

/**
 * Follows an authorization URL through Portico's login page (as `username`) and consent page
 * (clicking Allow) and returns the redirect to the client's callback, as a string.
 */
export async function authorize(authorizeUrl, username = ADMIN_USERNAME, password = ADMIN_PASSWORD, browser = new Browser()) {
  const origin = new URL(PORTICO_URL).origin;
  let url = authorizeUrl;
  for (let hop = 0; hop < 8; hop += 1) {
    const res = await browser.fetch(url);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      const next = new URL(location, PORTICO_URL);
      if (next.origin !== origin) return location;
      if (next.pathname === '/login') {
        const page = await (await browser.fetch(next)).text();
        const form = hiddenInputs(page);
        assert.ok(form.some(([k]) => k === 'csrf_token'), 'the login page carries a CSRF token');
        form.push(['username', username], ['password', password]);
        const login = await browser.postForm('/login', form);
        assert.equal(login.status, 303, `login as ${username} should succeed`);
        url = new URL(login.headers.get('location'), PORTICO_URL);
        continue;
      }
      url = next;
      continue;
    }
    const page = await res.text();
    assert.equal(res.status, 200, `unexpected page: ${page}`);
    assert.match(page, /Allow Access\?/, 'expected the consent page');
    const form = hiddenInputs(page);
    form.push(['consent_decision', 'allow']);
    const consent = await browser.postForm('/services/oauth2/authorize', form);
    assert.equal(consent.status, 303, 'allowing consent redirects with 303');
    return consent.headers.get('location');
  }
  throw new Error(`too many redirects from ${authorizeUrl}`);
}
