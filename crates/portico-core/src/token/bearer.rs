//! Validating a bearer access token presented to a protected resource (RFC 6750 §2, §3.1): it
//! must exist, be unexpired and unrevoked, and belong to an active user.

use crate::OAuthError;
use crate::access::UserContext;
use crate::clock::Clock;
use crate::secret::TokenHash;
use crate::store::Store;
use crate::token::AccessTokenRecord;

/// A live access token with its user.
#[derive(Debug, Clone)]
pub struct BearerGrant {
    pub token: AccessTokenRecord,
    pub user: UserContext,
}

/// Resolves a raw access token; any failure is `invalid_token`.
pub async fn validate(
    store: &dyn Store,
    clock: &dyn Clock,
    raw: &str,
) -> Result<BearerGrant, OAuthError> {
    let invalid = || OAuthError::invalid_token("Session expired or invalid");
    let token = store
        .find_access_token(&TokenHash::of(raw))
        .await?
        .ok_or_else(invalid)?;
    if !token.is_active(clock.now()) {
        return Err(invalid());
    }
    let user = UserContext::load(store, store, &token.user_id)
        .await?
        .ok_or_else(invalid)?;
    if !user.user.is_active {
        return Err(invalid());
    }
    Ok(BearerGrant { token, user })
}
