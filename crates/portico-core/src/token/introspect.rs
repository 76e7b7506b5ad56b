//! Token introspection (RFC 7662 with Salesforce's rules, `reference/salesforce-oauth.md` §5.1):
//! an authenticated client may introspect tokens issued to itself, to apps it registered through
//! dynamic client registration, or — with Introspect All Tokens — any token of the org. Anything
//! else, and every unknown, expired or revoked token, is exactly `{"active": false}`, so the
//! answer never tells a foreign token from a dead one.

use serde_json::{Value, json};

use crate::OAuthError;
use crate::client_auth::AuthenticatedClient;
use crate::clock::UnixMillis;
use crate::connected_app::{ConnectedApp, RefreshTokenPolicy};
use crate::grant::GrantContext;
use crate::ids::SfId;
use crate::scope::ScopeSet;
use crate::secret::TokenHash;
use crate::token::issue::identity_url;

/// What an active token is about.
struct Described {
    app_id: SfId,
    user_id: SfId,
    scopes: ScopeSet,
    token_type: &'static str,
    iat: UnixMillis,
    exp: Option<UnixMillis>,
}

pub fn inactive() -> Value {
    json!({"active": false})
}

/// Introspects a raw token for an authenticated client. The caller must have checked that the
/// client proved its identity (a secret or an assertion); a bare `client_id` may not introspect.
pub async fn introspect(
    ctx: &GrantContext<'_>,
    client: &AuthenticatedClient,
    raw: &str,
    hint: Option<&str>,
) -> Result<Value, OAuthError> {
    let now = ctx.clock.now();
    let hash = TokenHash::of(raw);
    let described = if hint == Some("refresh_token") {
        match refresh(ctx, &hash, now).await? {
            Some(d) => Some(d),
            None => access(ctx, &hash, now).await?,
        }
    } else {
        match access(ctx, &hash, now).await? {
            Some(d) => Some(d),
            None => refresh(ctx, &hash, now).await?,
        }
    };
    let Some(d) = described else {
        return Ok(inactive());
    };
    let Some(app) = ctx.store.find_app(&d.app_id).await? else {
        return Ok(inactive());
    };
    if !may_introspect(&client.app, &app) {
        return Ok(inactive());
    }
    let Some(user) = ctx
        .store
        .find_user(&d.user_id)
        .await?
        .filter(|u| u.is_active)
    else {
        return Ok(inactive());
    };
    let mut body = json!({
        "active": true,
        "scope": d.scopes.to_wire(),
        "client_id": app.consumer_key,
        "username": user.username,
        "sub": identity_url(&ctx.settings.issuer, &app.org_id, &user.id),
        "token_type": d.token_type,
        "iat": d.iat.secs(),
        "nbf": d.iat.secs(),
    });
    if let Some(exp) = d.exp {
        body["exp"] = json!(exp.secs());
    }
    Ok(body)
}

/// Salesforce's three grounds for introspecting another app's token.
fn may_introspect(client: &ConnectedApp, owner: &ConnectedApp) -> bool {
    client.id == owner.id
        || owner.registered_by.as_ref() == Some(&client.id)
        || (client.org_id == owner.org_id
            && client.oauth().is_some_and(|o| o.is_introspect_all_tokens))
}

async fn access(
    ctx: &GrantContext<'_>,
    hash: &TokenHash,
    now: UnixMillis,
) -> Result<Option<Described>, OAuthError> {
    let Some(t) = ctx.store.find_access_token(hash).await? else {
        return Ok(None);
    };
    let active = t.is_active(now);
    Ok(active.then_some(Described {
        app_id: t.app_id,
        user_id: t.user_id,
        scopes: t.scopes,
        token_type: "access_token",
        iat: t.issued_at,
        exp: Some(t.expires_at),
    }))
}

async fn refresh(
    ctx: &GrantContext<'_>,
    hash: &TokenHash,
    now: UnixMillis,
) -> Result<Option<Described>, OAuthError> {
    let Some((record, approval)) = ctx.store.find_refresh_token(hash).await? else {
        return Ok(None);
    };
    let retired = record.rotated_at.is_some() && record.grace_until.is_none_or(|g| g <= now);
    if approval.revoked_at.is_some() || retired {
        return Ok(None);
    }
    let Some(app) = ctx.store.find_app(&approval.app_id).await? else {
        return Ok(None);
    };
    let exp = match app.settings.oauth_policy.refresh_token_policy {
        RefreshTokenPolicy::Infinite => None,
        RefreshTokenPolicy::Zero => return Ok(None),
        RefreshTokenPolicy::SpecificLifetime(n, unit) => {
            Some(approval.created_at.plus_secs(unit.seconds(n)))
        }
        RefreshTokenPolicy::SpecificInactivity(n, unit) => {
            Some(approval.last_used_at.plus_secs(unit.seconds(n)))
        }
    };
    if exp.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    Ok(Some(Described {
        app_id: approval.app_id,
        user_id: approval.user_id,
        scopes: approval.scopes,
        token_type: "refresh_token",
        iat: record.created_at,
        exp,
    }))
}
