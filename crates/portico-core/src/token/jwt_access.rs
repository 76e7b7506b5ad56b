//! JWT-based access tokens (RFC 9068 profile, Salesforce's "Issue JWT-based access tokens",
//! `reference/salesforce-oauth.md` §4.3): RS256 JWTs a resource server can verify against
//! `/id/keys` without calling back. They are stored by hash like opaque tokens, so revocation
//! and introspection treat both alike.

use serde::Serialize;

use crate::clock::UnixMillis;
use crate::scope::ScopeSet;

#[derive(Debug, Serialize)]
pub struct AccessTokenClaims<'a> {
    pub iss: &'a str,
    /// `uid:<userId18>`, Salesforce's subject form for JWT access tokens.
    pub sub: String,
    pub aud: Vec<&'a str>,
    /// Granted scopes, space-separated (Salesforce's `scp`).
    pub scp: String,
    /// RFC 9068 §2.2 `scope`, the same value for standard resource servers.
    pub scope: String,
    pub client_id: &'a str,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// Salesforce's token-type marker.
    pub mty: &'static str,
}

impl<'a> AccessTokenClaims<'a> {
    pub fn new(
        issuer: &'a str,
        audience: &'a str,
        client_id: &'a str,
        user_id: &str,
        scopes: &ScopeSet,
        now: UnixMillis,
        lifetime_secs: i64,
    ) -> Self {
        let scp = scopes.to_wire();
        Self {
            iss: issuer,
            sub: format!("uid:{user_id}"),
            aud: vec![audience],
            scope: scp.clone(),
            scp,
            client_id,
            iat: now.secs(),
            nbf: now.secs(),
            exp: now.secs() + lifetime_secs,
            jti: crate::secret::random_token(),
            mty: "oauth",
        }
    }
}
