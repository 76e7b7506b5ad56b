//! `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1, §3; Salesforce's
//! JWT bearer flow, `reference/salesforce-oauth.md` §3.5): an app signs `{iss: consumer key,
//! sub: username, aud, exp}` with the key of its uploaded certificate and gets an access token
//! for that user — no secret, no refresh token, no `signature` or `issued_at`.
//!
//! The user must already have let the app in: pre-authorized by an admin (admin-approved app with
//! the user's profile or a permission set assigned) or approved it themselves before (a
//! remembered consent) — RFC 7523 leaves consent to the server, and issuing without it was
//! Keycloak's CVE-2026-79652 (`reference/security.md` §3.2 item 10).

use crate::OAuthError;
use crate::access::{UserContext, check_app_access, oauth_config};
use crate::client_assertion::{self, AssertionUse};
use crate::client_auth::ClientCredentials;
use crate::grant::{GrantContext, Params, requested_scopes};
use crate::scope::{Scope, ScopeSet};
use crate::token::issue::{IssueRequest, RefreshIssue, issue};
use crate::token::response::TokenResponse;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Salesforce's answer when the user has not let the app in (matched verbatim by
/// simple-salesforce).
const NOT_APPROVED: &str = "user hasn't approved this consumer";

pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    let jwt = params.required("assertion")?;
    let now = ctx.clock.now();
    let use_ = AssertionUse::Grant;
    let audiences = client_assertion::accepted_audiences(ctx.settings, use_);
    let (app, assertion) = client_assertion::verify_for_app(ctx.store, jwt, &audiences, use_, now)
        .await
        .map_err(|e| e.into_oauth(use_))?;
    // No secret is needed, but a client_id that is sent must be the assertion's issuer.
    if creds
        .client_id
        .as_deref()
        .is_some_and(|id| id != app.consumer_key)
    {
        return Err(OAuthError::invalid_grant(
            "invalid assertion: iss does not match client_id",
        ));
    }
    let oauth = oauth_config(&app)?;

    // Unknown usernames get the same answer as users who never approved: Salesforce's reply to a
    // mistyped (e.g. sandbox-suffix-less) username.
    let user = ctx
        .store
        .find_user_by_username(&assertion.subject)
        .await?
        .filter(|u| u.org_id == app.org_id)
        .ok_or_else(|| OAuthError::invalid_grant(NOT_APPROVED))?;
    let user = UserContext::for_user(ctx.store, user).await?;
    check_app_access(&app, &user)?;
    let allowed = if oauth.is_admin_approved {
        oauth.scopes.clone()
    } else {
        let consent = ctx
            .store
            .find_consent(&user.user.id, &app.id)
            .await?
            .filter(|c| !c.is_empty());
        let consent = consent.ok_or_else(|| OAuthError::invalid_grant(NOT_APPROVED))?;
        consent.iter().filter(|s| oauth.scopes.covers(*s)).collect()
    };
    // No refresh token comes from this grant, so none is reported as granted.
    let scopes: ScopeSet = requested_scopes(params, &allowed)?
        .iter()
        .filter(|s| *s != Scope::RefreshToken)
        .collect();

    // Last, so that an assertion refused for another reason does not burn its jti.
    client_assertion::consume_jti(ctx.store, &assertion, now)
        .await
        .map_err(|e| e.into_oauth(use_))?;
    issue(
        ctx,
        IssueRequest {
            app: &app,
            user: &user.user,
            scopes,
            refresh_token: RefreshIssue::None,
            code_hash: None,
            session_hash: None,
            nonce: None,
            auth_time: now,
            with_signature: false,
            id_token: true,
        },
    )
    .await
}
