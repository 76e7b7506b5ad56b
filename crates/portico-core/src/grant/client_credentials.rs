//! `grant_type=client_credentials` (RFC 6749 §4.4, Salesforce §3.7): only for apps with Enable
//! Client Credentials Flow, authenticated with their consumer secret; the token acts as the
//! app's run-as user; no refresh token.

use crate::access::{UserContext, check_app_access, oauth_config};
use crate::client_auth::{ClientCredentials, authenticate};
use crate::grant::{GrantContext, Params, requested_scopes};
use crate::scope::{Scope, ScopeSet};
use crate::token::issue::{IssueRequest, RefreshIssue, issue};
use crate::token::response::TokenResponse;
use crate::{ErrorCode, OAuthError};

pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    let client = authenticate(ctx.store, ctx.data_key, creds).await?;
    let oauth = oauth_config(&client.app)?;
    if !oauth.is_client_credential_enabled {
        return Err(OAuthError::unsupported_grant_type(
            "grant type not supported: Enable Client Credentials Flow is off for this connected app",
        ));
    }
    if !client.secret_verified {
        return Err(OAuthError::invalid_client_credentials());
    }
    let Some(run_as) = oauth.oauth_client_credential_user.as_deref() else {
        return Err(OAuthError::invalid_grant(
            "no client credentials user enabled",
        ));
    };
    let user = ctx
        .store
        .find_user_by_username(run_as)
        .await?
        .filter(|u| u.org_id == client.app.org_id)
        .ok_or_else(|| OAuthError::invalid_grant("no client credentials user enabled"))?;
    if !user.is_active {
        return Err(OAuthError::new(ErrorCode::InactiveUser, "user is inactive"));
    }
    let user = UserContext::for_user(ctx.store, user).await?;
    // The run-as user is held to the app's policies like any user: installation, permitted users.
    check_app_access(&client.app, &user)?;
    let app_scopes: ScopeSet = oauth
        .scopes
        .iter()
        .filter(|s| *s != Scope::RefreshToken)
        .collect();
    let scopes = requested_scopes(params, &app_scopes)?;
    let now = ctx.clock.now();
    issue(
        ctx,
        IssueRequest {
            app: &client.app,
            user: &user.user,
            scopes,
            refresh_token: RefreshIssue::None,
            code_hash: None,
            session_hash: None,
            nonce: None,
            auth_time: now,
            with_signature: true,
            id_token: false,
        },
    )
    .await
}
