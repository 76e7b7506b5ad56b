// node-oidc-provider (v9, default in-memory adapter) configured like Portico for bench/run.sh.
// Usage: node server.mjs <port> <opaque|jwt>
//   opaque: client_credentials / authorization_code / refresh_token issue opaque access tokens.
//   jwt:    client_credentials access tokens are RS256 JWTs (resource indicators feature with
//           accessTokenFormat 'jwt'; every client_credentials request gets the default resource).
// Clients: bench-basic (client_secret_basic) and bench-post (client_secret_post), same secret.
// Interactions use the built-in devInteractions (login accepts any username, no password hash).
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 3000);
const mode = process.argv[3] || 'opaque';
const issuer = `http://127.0.0.1:${port}`;
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const RESOURCE = 'urn:bench:api';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

const client = (id, method) => ({
  client_id: id,
  client_secret: SECRET,
  token_endpoint_auth_method: method,
  grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['https://bench.test/cb'],
  scope: 'openid offline_access api',
});

const config = {
  clients: [client('bench-basic', 'client_secret_basic'), client('bench-post', 'client_secret_post')],
  jwks: { keys: [jwk] },
  scopes: ['openid', 'offline_access', 'api'],
  claims: { openid: ['sub'], email: ['email'] },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@bench.test` }) }),
  pkce: { required: () => false },
  // First-party client: skip the consent screen once logged in (oidc-provider's "skip consent"
  // recipe), as Portico skips it after the user's first approval. prompt=consent still asks.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (ctx.oidc.prompts.has('consent')) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email');
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // In jwt mode every client_credentials token is for RESOURCE (so it is a JWT); otherwise no
      // resource: opaque tokens, and authorization_code tokens stay usable at UserInfo.
      defaultResource: (ctx, client, oneOf) => (mode === 'jwt' && ctx.oidc.route === 'token' && ctx.oidc.params.grant_type === 'client_credentials' ? RESOURCE : oneOf),
      useGrantedResource: () => false,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: RESOURCE,
        accessTokenTTL: 2 * 60 * 60,
        accessTokenFormat: mode === 'jwt' ? 'jwt' : 'opaque',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  ttl: { AccessToken: 7200, ClientCredentials: 7200, AuthorizationCode: 60, RefreshToken: 30 * 24 * 3600, Grant: 30 * 24 * 3600, Session: 7200, Interaction: 3600 },
};

const provider = new Provider(issuer, config);
provider.proxy = false;
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer} (${mode})`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
