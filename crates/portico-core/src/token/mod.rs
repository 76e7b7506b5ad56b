//! Tokens: the records behind authorization codes, access tokens and approvals (refresh
//! tokens), how they are issued ([`issue`]) and what a token response carries ([`response`]).
//!
//! Access tokens are opaque, shaped like Salesforce's (`<orgId15>!<body>`); refresh tokens are
//! opaque too. Only SHA-256 hashes are stored (DESIGN §4).

pub mod asset;
pub mod bearer;
pub mod id_token;
pub mod introspect;
pub mod issue;
pub mod jwt_access;
pub mod response;
pub mod revoke;

use crate::clock::UnixMillis;
use crate::ids::SfId;
use crate::scope::ScopeSet;
use crate::secret::TokenHash;

/// An authorization code (RFC 6749 §4.1.2), bound to the client, the redirect URI, the PKCE
/// challenge, the user and the browser session that approved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub hash: TokenHash,
    pub app_id: SfId,
    pub user_id: SfId,
    pub redirect_uri: String,
    pub scopes: ScopeSet,
    /// The S256 `code_challenge`, when one was sent (RFC 7636 §4.3).
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub session_hash: Option<TokenHash>,
    pub auth_time: UnixMillis,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// An issued access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenRecord {
    pub hash: TokenHash,
    pub org_id: SfId,
    pub app_id: SfId,
    pub user_id: SfId,
    pub scopes: ScopeSet,
    /// The approval (refresh token) it was issued under, if any.
    pub approval_id: Option<SfId>,
    /// The authorization code it was issued from, so a code replay can revoke it.
    pub code_hash: Option<TokenHash>,
    /// The browser session it was issued in, so logging out can revoke it.
    pub session_hash: Option<TokenHash>,
    pub issued_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub revoked_at: Option<UnixMillis>,
}

impl AccessTokenRecord {
    pub fn is_active(&self, now: UnixMillis) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// An approval: Salesforce's OAuth token record (`0CJ`), one per refresh token. It remembers what
/// the user granted and owns the access tokens refreshed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub id: SfId,
    pub org_id: SfId,
    pub app_id: SfId,
    pub user_id: SfId,
    pub scopes: ScopeSet,
    pub code_hash: Option<TokenHash>,
    pub nonce: Option<String>,
    pub auth_time: UnixMillis,
    pub created_at: UnixMillis,
    pub last_used_at: UnixMillis,
    pub use_count: i64,
    pub revoked_at: Option<UnixMillis>,
}

/// A refresh token of an approval. Without rotation an approval has one; with rotation each
/// refresh retires the presented token (`rotated_at`) and adds its successor. A retired token
/// still works until `grace_until`, for a concurrent refresh that raced the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub hash: TokenHash,
    pub approval_id: SfId,
    pub created_at: UnixMillis,
    pub rotated_at: Option<UnixMillis>,
    pub grace_until: Option<UnixMillis>,
}

/// The opaque access token format: `<orgId15>!<body>`.
pub fn new_access_token(org_id: &SfId) -> String {
    format!("{}!{}", org_id.id15(), crate::secret::random_token_dotted())
}

/// Refresh tokens: `5Aep` (Salesforce's refresh-token prefix) and a random body, within the
/// `[A-Za-z0-9._-]+={0,2}` charset @salesforce/core requires.
pub fn new_refresh_token() -> String {
    format!("5Aep{}", crate::secret::random_token_dotted())
}
