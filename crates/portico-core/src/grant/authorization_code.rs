//! `grant_type=authorization_code` — the web server flow's token request (RFC 6749 §4.1.3,
//! RFC 7636 §4.5). Client checks come before the code is consumed, so a request that fails
//! client authentication cannot burn a code (RFC 9700 §4.2.4, BCP-15); a replay of a used code by
//! its own client revokes every token issued from it (RFC 6749 §4.1.2).

use crate::OAuthError;
use crate::access::{UserContext, check_app_access, oauth_config};
use crate::authorize::pkce;
use crate::client_auth::{ClientCredentials, authenticate};
use crate::grant::{GrantContext, Params};
use crate::ids::SfId;
use crate::scope::Scope;
use crate::secret::TokenHash;
use crate::store::CodeTaken;
use crate::token::AuthorizationCode;
use crate::token::issue::{IssueRequest, RefreshIssue, issue};
use crate::token::response::TokenResponse;

/// What a code is bound to (RFC 6749 §4.1.3, RFC 7636 §4.6): the client, the redirect URI and
/// the PKCE challenge.
fn check_binding(
    code: &AuthorizationCode,
    client_app: &SfId,
    params: &Params,
) -> Result<(), OAuthError> {
    if code.app_id != *client_app {
        return Err(OAuthError::invalid_grant(
            "invalid authorization code: it was issued to another client",
        ));
    }
    if params
        .get("redirect_uri")
        .is_some_and(|uri| uri != code.redirect_uri)
    {
        return Err(OAuthError::invalid_grant(
            "redirect_uri must match the one used in the authorization request",
        ));
    }
    match &code.code_challenge {
        Some(challenge) => pkce::check_verifier(challenge, params.get("code_verifier")),
        // RFC 9700 §4.8.2: a verifier without a challenge is a downgrade attempt.
        None if params.get("code_verifier").is_some() => Err(OAuthError::invalid_grant(
            "code_verifier was sent but the authorization request had no code_challenge",
        )),
        None => Ok(()),
    }
}

pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    let client = authenticate(ctx.store, ctx.data_key, creds).await?;
    let oauth = oauth_config(&client.app)?;
    client.check_secret_required(!oauth.is_consumer_secret_optional)?;
    let raw_code = params.required("code")?;
    let hash = TokenHash::of(raw_code);
    let now = ctx.clock.now();

    let code = match ctx.store.take_code(&hash, now).await? {
        CodeTaken::NotFound => return Err(OAuthError::invalid_grant("invalid authorization code")),
        CodeTaken::AlreadyUsed(code) => {
            // Only a replay that would otherwise have succeeded revokes what the code issued:
            // a garbage replay must not let anyone who saw a used code kill the user's tokens
            // (RFC 9700 §4.2.4; OAuth 2.1 "Reuse of Authorization Codes").
            if check_binding(&code, &client.app.id, params).is_ok() {
                tracing::warn!(app_id = %code.app_id, "authorization code replayed; revoking its tokens");
                ctx.store.revoke_tokens_from_code(&hash, now).await?;
            }
            return Err(OAuthError::invalid_grant("expired authorization code"));
        }
        CodeTaken::Fresh(code) => code,
    };
    if code.expires_at <= now {
        return Err(OAuthError::invalid_grant("expired authorization code"));
    }
    check_binding(&code, &client.app.id, params)?;

    let user = UserContext::load(ctx.store, ctx.store, &code.user_id)
        .await?
        .ok_or_else(|| {
            OAuthError::invalid_grant("invalid authorization code: its user no longer exists")
        })?;
    check_app_access(&client.app, &user)?;
    let refresh = if code.scopes.contains(Scope::RefreshToken) {
        RefreshIssue::New
    } else {
        RefreshIssue::None
    };
    issue(
        ctx,
        IssueRequest {
            app: &client.app,
            user: &user.user,
            scopes: code.scopes.clone(),
            refresh_token: refresh,
            code_hash: Some(hash),
            session_hash: code.session_hash.clone(),
            nonce: code.nonce.clone(),
            auth_time: code.auth_time,
            with_signature: true,
            id_token: true,
        },
    )
    .await
}
