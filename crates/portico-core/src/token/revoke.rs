//! Token revocation (RFC 7009 with Salesforce's answers, `reference/salesforce-oauth.md` §5.2):
//! revoking a refresh token revokes its approval and every access token issued under it;
//! revoking an access token ends just that token. No client authentication is required, and an
//! unknown token is an `invalid_token` error, as at Salesforce.

use crate::clock::Clock;
use crate::secret::TokenHash;
use crate::store::TokenStore;
use crate::{ErrorCode, OAuthError};

pub async fn revoke(
    tokens: &dyn TokenStore,
    clock: &dyn Clock,
    raw: &str,
    hint: Option<&str>,
) -> Result<(), OAuthError> {
    match hint {
        None | Some("access_token" | "refresh_token") => {}
        Some(other) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedTokenType,
                format!("token type not supported: {other}"),
            ));
        }
    }
    let now = clock.now();
    let hash = TokenHash::of(raw);
    if let Some((_, approval)) = tokens.find_refresh_token(&hash).await? {
        if approval.revoked_at.is_none() {
            tokens.revoke_approval(&approval.id, now).await?;
            return Ok(());
        }
    } else if tokens.revoke_access_token(&hash, now).await? {
        return Ok(());
    }
    Err(OAuthError::invalid_token("invalid token"))
}
