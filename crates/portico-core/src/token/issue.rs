//! Issuing tokens: one function every grant ends in. It stores the access token (and the
//! approval holding a refresh token, when granted) before returning, so that nothing a client
//! receives is missing from the database.

use crate::OAuthError;
use crate::clock::UnixMillis;
use crate::connected_app::ConnectedApp;
use crate::grant::GrantContext;
use crate::ids::{KeyPrefix, SfId};
use crate::org::User;
use crate::scope::{Scope, ScopeSet};
use crate::secret::{TokenHash, hmac_sha256_base64};
use crate::token::id_token::{self, IdTokenSubject};
use crate::token::jwt_access::AccessTokenClaims;
use crate::token::response::TokenResponse;
use crate::token::{
    AccessTokenRecord, Approval, RefreshTokenRecord, new_access_token, new_refresh_token,
};

/// What to issue.
#[derive(Debug)]
pub struct IssueRequest<'a> {
    pub app: &'a ConnectedApp,
    pub user: &'a User,
    /// The granted scopes.
    pub scopes: ScopeSet,
    /// Issue a refresh token (a new approval). The grant decides (RFC 9700 §4.14.2).
    pub refresh_token: RefreshIssue<'a>,
    pub code_hash: Option<TokenHash>,
    pub session_hash: Option<TokenHash>,
    pub nonce: Option<String>,
    pub auth_time: UnixMillis,
    /// Include `signature` and `issued_at` (every flow but the JWT bearer flow).
    pub with_signature: bool,
    /// Include an ID token when `openid` is granted (all flows but the user-agent flow's plain
    /// `response_type=token`).
    pub id_token: bool,
}

/// How the response relates to refresh tokens.
#[derive(Debug, Clone)]
pub enum RefreshIssue<'a> {
    /// No refresh token.
    None,
    /// A new approval with a new refresh token.
    New,
    /// Refreshing under an existing approval: the access token joins it; with rotation the
    /// grant has stored a successor refresh token, returned here.
    Existing {
        approval: &'a Approval,
        new_refresh_token: Option<String>,
    },
}

/// The identity URL of a user (`<issuer>/id/<orgId18>/<userId18>`), which is also the
/// ID token's `sub`.
pub fn identity_url(issuer: &str, org_id: &SfId, user_id: &SfId) -> String {
    format!("{issuer}/id/{org_id}/{user_id}")
}

/// Access-token lifetime: the app's session timeout, else the server default.
pub fn access_token_secs(ctx: &GrantContext<'_>, app: &ConnectedApp) -> i64 {
    app.settings
        .session_policy
        .session_timeout
        .map_or(ctx.settings.access_token_secs, |minutes| {
            i64::from(minutes) * 60
        })
}

pub async fn issue(
    ctx: &GrantContext<'_>,
    req: IssueRequest<'_>,
) -> Result<TokenResponse, OAuthError> {
    let now = ctx.clock.now();
    let app = req.app;
    let org_id = &app.org_id;
    let lifetime = access_token_secs(ctx, app);
    // Signed before any database write: a write never waits on a signature.
    let access_token = if app.oauth().is_some_and(|o| o.is_named_user_jwt_enabled) {
        let claims = AccessTokenClaims::new(
            &ctx.settings.issuer,
            &ctx.settings.instance_url,
            &app.consumer_key,
            req.user.id.as_str(),
            &req.scopes,
            now,
            lifetime,
        );
        ctx.keys
            .signer(now)
            .sign(&claims)
            .map_err(|_| OAuthError::server_error())?
    } else {
        new_access_token(org_id)
    };

    let (approval_id, refresh_token) = match req.refresh_token.clone() {
        RefreshIssue::None => (None, None),
        RefreshIssue::Existing {
            approval,
            new_refresh_token,
        } => (Some(approval.id.clone()), new_refresh_token),
        RefreshIssue::New => {
            let raw = new_refresh_token();
            let approval = Approval {
                id: SfId::generate(KeyPrefix::OAuthToken),
                org_id: org_id.clone(),
                app_id: app.id.clone(),
                user_id: req.user.id.clone(),
                scopes: req.scopes.clone(),
                code_hash: req.code_hash.clone(),
                nonce: req.nonce.clone(),
                auth_time: req.auth_time,
                created_at: now,
                last_used_at: now,
                use_count: 0,
                revoked_at: None,
            };
            enforce_approval_limit(ctx, app, req.user, now).await?;
            let refresh = RefreshTokenRecord {
                hash: TokenHash::of(&raw),
                approval_id: approval.id.clone(),
                created_at: now,
                rotated_at: None,
                grace_until: None,
            };
            ctx.store.insert_approval(&approval, &refresh).await?;
            (Some(approval.id), Some(raw))
        }
    };

    ctx.store
        .insert_access_token(&AccessTokenRecord {
            hash: TokenHash::of(&access_token),
            org_id: org_id.clone(),
            app_id: app.id.clone(),
            user_id: req.user.id.clone(),
            scopes: req.scopes.clone(),
            approval_id,
            code_hash: req.code_hash.clone(),
            session_hash: req.session_hash.clone(),
            issued_at: now,
            expires_at: now.plus_secs(lifetime),
            revoked_at: None,
        })
        .await?;

    let id = identity_url(&ctx.settings.issuer, org_id, &req.user.id);
    let id_token = if req.id_token && req.scopes.contains(Scope::OpenId) {
        let subject = IdTokenSubject {
            app,
            user: req.user,
            identity_url: &id,
            auth_time: req.auth_time,
            nonce: req.nonce.as_deref(),
            access_token: &access_token,
            // `sid` ties the ID token to the browser session (Front-Channel Logout §3).
            sid: req.session_hash.as_ref().map(crate::logout::session_sid),
        };
        Some(id_token::sign(ctx, subject).await?)
    } else {
        None
    };
    let issued_at = now.0.to_string();
    let signature = if req.with_signature {
        app.consumer_secret_sealed
            .as_deref()
            .and_then(|sealed| ctx.data_key.open(sealed))
            .map(|secret| hmac_sha256_base64(secret.as_bytes(), &format!("{id}{issued_at}")))
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        refresh_token,
        signature,
        scope: req.scopes.to_wire(),
        id_token,
        instance_url: ctx.settings.instance_url.clone(),
        id,
        token_type: "Bearer",
        issued_at: req.with_signature.then_some(issued_at),
        issued_token_type: None,
        expires_in: None,
    })
}

/// Salesforce allows five approvals per user per app; the next one silently revokes the oldest
/// (`reference/salesforce-oauth.md` §8.3).
async fn enforce_approval_limit(
    ctx: &GrantContext<'_>,
    app: &ConnectedApp,
    user: &User,
    now: UnixMillis,
) -> Result<(), OAuthError> {
    let live = ctx.store.list_user_app_approvals(&user.id, &app.id).await?;
    let keep = ctx.settings.max_approvals_per_app.saturating_sub(1);
    let excess = live.len().saturating_sub(keep);
    for old in live.iter().take(excess) {
        ctx.store.revoke_approval(&old.id, now).await?;
    }
    Ok(())
}
