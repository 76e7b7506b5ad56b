// Web server flow driver for bench/run.sh: authorize -> login -> (consent) -> code -> token, with
// PKCE (S256), a fresh cookie jar per login and manual redirects, against Portico or the peer.
//
//   node flow.mjs --authorize URL --token URL --client-id ID [--client-secret S] --redirect-uri U
//                 --scope "openid" --user U --password P [--extra k=v&k2=v2]
//                 [--once | --seconds N --concurrency C]
//
// --once prints the token response JSON (used to obtain refresh/access tokens for other scenarios).
// Otherwise it runs C concurrent "browsers" for N seconds and prints one JSON line:
// {"completed", "errors", "seconds", "logins_per_s", "p50_ms", "p99_ms"}.
import { createHash, randomBytes } from 'node:crypto';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i].replace(/^--/, '');
  const v = process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[++i] : true;
  args[k] = v;
}
const b64u = (b) => b.toString('base64url');

const unescapeHtml = (s) => s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (m, e) => {
  if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e.toLowerCase()];
});

function parseForm(html) {
  const form = html.match(/<form\b[^>]*>/i)?.[0] ?? '';
  const action = unescapeHtml(form.match(/action="([^"]*)"/i)?.[1] ?? '') || undefined;
  const fields = [];
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = m[0];
    const name = tag.match(/name="([^"]*)"/i)?.[1];
    if (!name) continue;
    const type = tag.match(/type="([^"]*)"/i)?.[1];
    const value = unescapeHtml(tag.match(/value="([^"]*)"/i)?.[1] ?? '');
    fields.push({ name, type, value });
  }
  return { action, fields };
}

async function oneLogin() {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i).trim(), kv.slice(i + 1));
    }
  };
  const verifier = b64u(randomBytes(32));
  const challenge = b64u(createHash('sha256').update(verifier).digest());
  const q = new URLSearchParams({
    response_type: 'code', client_id: args['client-id'], redirect_uri: args['redirect-uri'], scope: args.scope,
    state: b64u(randomBytes(8)), code_challenge: challenge, code_challenge_method: 'S256',
  });
  let url = `${args.authorize}?${q}${args.extra ? `&${args.extra}` : ''}`;
  let init = {};
  let code;
  for (let step = 0; step < 12 && !code; step++) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers || {}), cookie: cookie() } });
    keep(res);
    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      const loc = new URL(res.headers.get('location'), url);
      if (loc.href.startsWith(args['redirect-uri'])) {
        code = loc.searchParams.get('code');
        if (!code) throw new Error(`callback without code: ${loc.href}`);
        break;
      }
      url = loc.href;
      init = {};
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const { action, fields } = parseForm(html);
    const body = new URLSearchParams();
    for (const f of fields) {
      if (f.type === 'hidden') body.append(f.name, f.value);
    }
    const names = new Set(fields.map((f) => f.name));
    if (names.has('username')) { body.set('username', args.user); body.set('password', args.password); }
    if (names.has('login')) { body.set('login', args.user); body.set('password', args.password); }
    if (/consent_decision/.test(html)) body.set('consent_decision', 'allow');
    url = new URL(action || url, url).href;
    init = { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  if (!code) throw new Error(`no code after redirects (last ${url})`);
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: args['redirect-uri'], code_verifier: verifier });
  if (args['client-secret']) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(args['client-id'])}:${encodeURIComponent(args['client-secret'])}`).toString('base64')}`;
  } else {
    form.set('client_id', args['client-id']);
  }
  const res = await fetch(args.token, { method: 'POST', headers, body: form.toString() });
  const json = await res.json();
  if (!res.ok || !json.access_token) throw new Error(`token: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

if (args.once) {
  process.stdout.write(`${JSON.stringify(await oneLogin())}\n`);
} else {
  const seconds = Number(args.seconds || 10);
  const conc = Number(args.concurrency || 4);
  const deadline = Date.now() + seconds * 1000;
  const lat = [];
  let errors = 0;
  let lastError;
  const start = Date.now();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (Date.now() < deadline) {
      const t = performance.now();
      try {
        await oneLogin();
        lat.push(performance.now() - t);
      } catch (e) {
        errors++;
        lastError = String(e.message || e);
      }
    }
  }));
  const elapsed = (Date.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0);
  console.log(JSON.stringify({
    completed: lat.length, errors, seconds: elapsed, logins_per_s: lat.length / elapsed,
    p50_ms: pct(0.5), p99_ms: pct(0.99), ...(lastError ? { last_error: lastError } : {}),
  }));
}
