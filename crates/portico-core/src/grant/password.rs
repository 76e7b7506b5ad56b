//! `grant_type=password` — Salesforce's username-password flow (RFC 6749 §4.3). Off unless the
//! org allows it (RFC 9700 §2.4 says it MUST NOT be used; it is kept for Salesforce clients).
//! Failures count toward the user's login lockout; no refresh token is issued.

use crate::access::{UserContext, check_app_access, oauth_config};
use crate::client_auth::{ClientCredentials, authenticate};
use crate::grant::{GrantContext, Params, requested_scopes};
use crate::session::{LoginError, check_password};
use crate::token::issue::{IssueRequest, RefreshIssue, issue};
use crate::token::response::TokenResponse;
use crate::{ErrorCode, OAuthError};

pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    if !ctx.settings.allow_password_flow {
        return Err(OAuthError::unsupported_grant_type(
            "grant type not supported: the username-password flow is off (start Portico with --allow-password-flow)",
        ));
    }
    let client = authenticate(ctx.store, ctx.data_key, creds).await?;
    let oauth = oauth_config(&client.app)?;
    client.check_secret_required(true)?;
    let scopes = requested_scopes(params, &oauth.scopes)?;
    let (Some(username), Some(password)) = (params.get("username"), params.get("password")) else {
        return Err(OAuthError::invalid_grant("authentication failure"));
    };
    let user =
        match check_password(ctx.store, ctx.clock, ctx.settings.login, username, password).await {
            Ok(user) => user,
            Err(LoginError::BadCredentials | LoginError::LockedOut) => {
                return Err(OAuthError::invalid_grant("authentication failure"));
            }
            Err(LoginError::Inactive) => {
                return Err(OAuthError::new(ErrorCode::InactiveUser, "user is inactive"));
            }
            Err(LoginError::Store(e)) => return Err(e.into()),
        };
    let user = UserContext::for_user(ctx.store, user).await?;
    check_app_access(&client.app, &user)?;
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
            id_token: true,
        },
    )
    .await
}
