//! `grant_type=refresh_token` (RFC 6749 §6, Salesforce §3.6): Require Secret for Refresh Token
//! Flow, the app's refresh token policy evaluated at use, scope narrowing only, and — when the
//! app enables rotation — a new refresh token each time with reuse detection that revokes the
//! whole approval (RFC 9700 §4.14.2). A short grace window lets two concurrent refreshes with
//! the same token both succeed (each gets its own new token) without opening a replay window
//! beyond it.

use crate::OAuthError;
use crate::access::{UserContext, check_app_access, oauth_config};
use crate::client_auth::{ClientCredentials, authenticate};
use crate::clock::UnixMillis;
use crate::connected_app::RefreshTokenPolicy;
use crate::grant::{GrantContext, Params};
use crate::scope::ScopeSet;
use crate::secret::TokenHash;
use crate::store::RotateOutcome;
use crate::token::issue::{IssueRequest, RefreshIssue, issue};
use crate::token::response::TokenResponse;
use crate::token::{Approval, RefreshTokenRecord, new_refresh_token};

/// How long a rotated refresh token still works, for a concurrent refresh that raced the first.
pub const ROTATION_GRACE_SECS: i64 = 30;

fn expired() -> OAuthError {
    OAuthError::invalid_grant("expired access/refresh token")
}

pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    let client = authenticate(ctx.store, ctx.data_key, creds).await?;
    let oauth = oauth_config(&client.app)?;
    client.check_secret_required(oauth.is_secret_required_for_refresh_token)?;
    let raw = params.required("refresh_token")?;
    let hash = TokenHash::of(raw);
    let now = ctx.clock.now();

    let Some((record, approval)) = ctx.store.find_refresh_token(&hash).await? else {
        return Err(expired());
    };
    if approval.app_id != client.app.id {
        return Err(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if approval.revoked_at.is_some() {
        return Err(expired());
    }
    check_policy(
        client.app.settings.oauth_policy.refresh_token_policy,
        &approval,
        now,
    )?;

    let scopes = match params.get("scope") {
        None => approval.scopes.clone(),
        Some(s) => {
            let requested = ScopeSet::parse(s).map_err(|bad| {
                OAuthError::invalid_scope(format!(
                    "requested scope is invalid, unknown, or malformed: {bad}"
                ))
            })?;
            if let Some(extra) = requested.iter().find(|s| !approval.scopes.contains(*s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "a refresh may narrow the granted scopes, never widen them: {} was not granted",
                    extra.token()
                )));
            }
            requested
        }
    };

    let user = UserContext::load(ctx.store, ctx.store, &approval.user_id)
        .await?
        .ok_or_else(expired)?;
    check_app_access(&client.app, &user)?;

    let new_refresh = if oauth.is_refresh_token_rotation_enabled {
        Some(rotate(ctx, &record, &approval, now).await?)
    } else {
        None
    };
    ctx.store.touch_approval(&approval.id, now).await?;
    issue(
        ctx,
        IssueRequest {
            app: &client.app,
            user: &user.user,
            scopes,
            refresh_token: RefreshIssue::Existing {
                approval: &approval,
                new_refresh_token: new_refresh,
            },
            code_hash: None,
            session_hash: None,
            nonce: None,
            auth_time: approval.auth_time,
            with_signature: true,
            id_token: true,
        },
    )
    .await
}

/// Salesforce's refresh token policy, evaluated only when the token is used (§8.4).
fn check_policy(
    policy: RefreshTokenPolicy,
    approval: &Approval,
    now: UnixMillis,
) -> Result<(), OAuthError> {
    let alive = match policy {
        RefreshTokenPolicy::Infinite => true,
        RefreshTokenPolicy::Zero => false,
        RefreshTokenPolicy::SpecificLifetime(n, unit) => {
            now < approval.created_at.plus_secs(unit.seconds(n))
        }
        RefreshTokenPolicy::SpecificInactivity(n, unit) => {
            now < approval.last_used_at.plus_secs(unit.seconds(n))
        }
    };
    if alive { Ok(()) } else { Err(expired()) }
}

/// Retires the presented token and stores its successor; returns the successor's raw value.
async fn rotate(
    ctx: &GrantContext<'_>,
    record: &RefreshTokenRecord,
    approval: &Approval,
    now: UnixMillis,
) -> Result<String, OAuthError> {
    let grace_until = now.plus_secs(ROTATION_GRACE_SECS);
    match ctx
        .store
        .rotate_refresh_token(&record.hash, now, grace_until)
        .await?
    {
        RotateOutcome::Rotated => {}
        RotateOutcome::InGrace => {}
        RotateOutcome::Reused => {
            // A retired token came back after its grace window: someone holds a stolen copy.
            tracing::warn!(approval_id = %approval.id, "refresh token reuse detected; revoking the approval");
            ctx.store.revoke_approval(&approval.id, now).await?;
            return Err(expired());
        }
    }
    let raw = new_refresh_token();
    ctx.store
        .insert_refresh_token(&RefreshTokenRecord {
            hash: TokenHash::of(&raw),
            approval_id: approval.id.clone(),
            created_at: now,
            rotated_at: None,
            grace_until: None,
        })
        .await?;
    Ok(raw)
}
