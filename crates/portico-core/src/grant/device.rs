//! The device flow's three legs (RFC 8628; Salesforce, `reference/salesforce-oauth.md` §3.4):
//! the device authorization request ([`authorize`]: `response_type=device_code` on the token
//! endpoint, or RFC 8628 §3.1's endpoint), the user's answer on the verification page
//! ([`lookup_user_code`], [`answer`]), and polling ([`exchange`]: `grant_type=device` with
//! `code`, or RFC 8628 §3.4's grant type with `device_code`).
//!
//! Only apps with "Enable for Device Flow" take part. The answer honours the app's permitted
//! users (admin-approved apps skip consent and admit only assigned users) and is given once;
//! tokens are issued once, to the client that started the flow, as in the web server flow.

use serde::Serialize;

use crate::access::{UserContext, check_app_access, oauth_config};
use crate::authorize::ConsentAnswer;
use crate::client_auth::{ClientCredentials, authenticate};
use crate::connected_app::{ConnectedApp, OAuthConfig};
use crate::device::{
    DEVICE_CODE_SECS, DeviceAuthorization, DeviceDecision, PollOutcome, VERIFICATION_PATH,
    display_user_code, normalize_user_code, user_code_hash,
};
use crate::grant::{GrantContext, Params, requested_scopes};
use crate::scope::Scope;
use crate::secret::TokenHash;
use crate::token::issue::{IssueRequest, RefreshIssue, issue};
use crate::token::response::TokenResponse;
use crate::{ErrorCode, OAuthError, StoreError};

/// RFC 8628 §3.4's grant type.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// Salesforce's polling grant type (with the device code in `code`).
pub const SALESFORCE_GRANT_TYPE: &str = "device";
/// A user code colliding with a kept one is redrawn; more collisions than this in a row mean
/// something else is wrong.
const USER_CODE_DRAWS: usize = 8;

/// The device authorization response (RFC 8628 §3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceAuthorizationResponse {
    pub device_code: String,
    /// `XXXX-XXXX`.
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub interval: i64,
    pub expires_in: i64,
}

impl DeviceAuthorizationResponse {
    /// The fields as ordered name/value pairs, for the `urlencoded` and `xml` formats.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("device_code", self.device_code.clone()),
            ("user_code", self.user_code.clone()),
            ("verification_uri", self.verification_uri.clone()),
            (
                "verification_uri_complete",
                self.verification_uri_complete.clone(),
            ),
            ("interval", self.interval.to_string()),
            ("expires_in", self.expires_in.to_string()),
        ]
    }
}

/// The app's device-flow settings, or Salesforce-style `invalid_client` naming the checkbox.
fn device_config(app: &ConnectedApp) -> Result<&OAuthConfig, OAuthError> {
    let oauth = oauth_config(app)?;
    if !oauth.is_device_flow_enabled {
        return Err(OAuthError::invalid_client(
            "this connected app does not allow the device flow (Enable for Device Flow is off)",
        ));
    }
    Ok(oauth)
}

/// The device authorization request: checks the client and the scopes, stores the codes.
pub async fn authorize(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<DeviceAuthorizationResponse, OAuthError> {
    params.check_no_duplicates(&["response_type", "client_id", "client_secret", "scope"])?;
    let client = authenticate(ctx.store, ctx.data_key, creds).await?;
    let oauth = device_config(&client.app)?;
    let scopes = requested_scopes(params, &oauth.scopes)?;
    let now = ctx.clock.now();
    for _ in 0..USER_CODE_DRAWS {
        let new = DeviceAuthorization::start(client.app.id.clone(), scopes.clone(), now);
        match ctx
            .store
            .insert_device_authorization(&new.record, now)
            .await
        {
            Ok(()) => {
                let verification_uri = format!("{}{VERIFICATION_PATH}", ctx.settings.issuer);
                let user_code = display_user_code(&new.user_code);
                return Ok(DeviceAuthorizationResponse {
                    device_code: new.device_code,
                    verification_uri_complete: format!("{verification_uri}?user_code={user_code}"),
                    verification_uri,
                    user_code,
                    interval: new.record.interval_secs,
                    expires_in: DEVICE_CODE_SECS,
                });
            }
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tracing::error!("could not draw a free user code");
    Err(OAuthError::server_error())
}

/// Polling: `authorization_pending` until the user answers, `slow_down` when polled too fast,
/// then tokens once.
pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    params.check_no_duplicates(&["device_code"])?;
    let client = authenticate(ctx.store, ctx.data_key, creds).await?;
    device_config(&client.app)?;
    // Salesforce's clients send `code`, RFC 8628 clients `device_code`; either works with either
    // grant type, since both name the same thing.
    let raw = params
        .get("device_code")
        .or_else(|| params.get("code"))
        .ok_or_else(|| {
            OAuthError::invalid_request("missing required parameter: device_code (or code)")
        })?;
    let hash = TokenHash::of(raw);
    let now = ctx.clock.now();
    let auth = ctx
        .store
        .find_device_authorization(&hash)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("invalid device code"))?;
    if auth.app_id != client.app.id {
        return Err(OAuthError::invalid_grant(
            "invalid device code: it was issued to another client",
        ));
    }
    match auth.poll(now) {
        PollOutcome::Refused(e) => Err(e),
        PollOutcome::Pending => {
            if !ctx
                .store
                .record_device_poll(&hash, auth.polls, auth.interval_secs, now)
                .await?
            {
                return Err(slow_down(auth.interval_secs));
            }
            Err(OAuthError::new(
                ErrorCode::AuthorizationPending,
                "authorization pending: the user has not yet approved this device",
            ))
        }
        PollOutcome::SlowDown { interval_secs } => {
            ctx.store
                .record_device_poll(&hash, auth.polls, interval_secs, now)
                .await?;
            Err(slow_down(interval_secs))
        }
        PollOutcome::Redeem => redeem(ctx, &client.app, &auth, &hash).await,
    }
}

fn slow_down(interval_secs: i64) -> OAuthError {
    OAuthError::new(
        ErrorCode::SlowDown,
        format!("polling too fast: wait {interval_secs} seconds between requests"),
    )
}

async fn redeem(
    ctx: &GrantContext<'_>,
    app: &ConnectedApp,
    auth: &DeviceAuthorization,
    hash: &TokenHash,
) -> Result<TokenResponse, OAuthError> {
    let now = ctx.clock.now();
    let user_id = auth.user_id.as_ref().ok_or_else(OAuthError::server_error)?;
    let user = UserContext::load(ctx.store, ctx.store, user_id)
        .await?
        .ok_or_else(|| {
            OAuthError::invalid_grant("invalid device code: its user no longer exists")
        })?;
    // Checked again at redemption: a user deactivated or unassigned since approving gets
    // nothing (`reference/security.md` §3.1, lockout parity).
    check_app_access(app, &user)?;
    if !ctx.store.redeem_device_authorization(hash, now).await? {
        return Err(OAuthError::invalid_grant(
            "expired authorization code: this device code was already used",
        ));
    }
    let refresh = if auth.scopes.contains(Scope::RefreshToken) {
        RefreshIssue::New
    } else {
        RefreshIssue::None
    };
    issue(
        ctx,
        IssueRequest {
            app,
            user: &user.user,
            scopes: auth.scopes.clone(),
            refresh_token: refresh,
            code_hash: None,
            session_hash: None,
            nonce: None,
            auth_time: auth.decided_at.unwrap_or(now),
            with_signature: true,
            id_token: true,
        },
    )
    .await
}

/// What the verification page found for a typed code.
#[derive(Debug)]
pub enum CodeLookup {
    /// Not a code, or no authorization has it: a wrong guess.
    Wrong,
    /// An authorization that can no longer be answered (expired, approved or denied).
    Spent,
    /// An authorization waiting for an answer.
    Pending(Box<PendingCode>),
}

/// An authorization waiting for an answer, its app, and its user code as shown.
#[derive(Debug)]
pub struct PendingCode {
    pub auth: DeviceAuthorization,
    pub app: ConnectedApp,
    pub user_code: String,
}

/// Looks up a code as a person typed it (case, dashes and spaces ignored).
pub async fn lookup_user_code(
    ctx: &GrantContext<'_>,
    typed: &str,
) -> Result<CodeLookup, OAuthError> {
    let Some(code) = normalize_user_code(typed) else {
        return Ok(CodeLookup::Wrong);
    };
    let Some(auth) = ctx
        .store
        .find_device_authorization_by_user_code(&user_code_hash(&code))
        .await?
    else {
        return Ok(CodeLookup::Wrong);
    };
    if !auth.awaits_decision(ctx.clock.now()) {
        return Ok(CodeLookup::Spent);
    }
    let Some(app) = ctx.store.find_app(&auth.app_id).await? else {
        return Ok(CodeLookup::Spent);
    };
    Ok(CodeLookup::Pending(Box::new(PendingCode {
        auth,
        app,
        user_code: display_user_code(&code),
    })))
}

/// Where the verification page goes after a code was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Show the consent page (Allow / Deny).
    AskConsent,
    Approved,
    Denied,
    /// Someone answered first, or the code expired meanwhile.
    Spent,
}

/// Applies the user's answer (`None`: they have just entered the code). Policy first: a user the
/// app does not admit gets the error, whatever they answer. Admin-approved apps need no consent;
/// for the others an approval is remembered as consent, as in the web server flow, so the JWT
/// bearer flow later finds it.
pub async fn answer(
    ctx: &GrantContext<'_>,
    auth: &DeviceAuthorization,
    app: &ConnectedApp,
    user: &UserContext,
    consent: Option<ConsentAnswer>,
) -> Result<Answered, OAuthError> {
    let oauth = device_config(app)?;
    check_app_access(app, user)?;
    let user_id = user.user.id.clone();
    let decision = match consent {
        None if oauth.is_admin_approved => DeviceDecision::Approve { user_id },
        None => return Ok(Answered::AskConsent),
        Some(ConsentAnswer::Allow) => DeviceDecision::Approve { user_id },
        Some(ConsentAnswer::Deny) => DeviceDecision::Deny { user_id },
    };
    let now = ctx.clock.now();
    if !ctx
        .store
        .decide_device_authorization(&auth.user_code_hash, &decision, now)
        .await?
    {
        return Ok(Answered::Spent);
    }
    if matches!(decision, DeviceDecision::Deny { .. }) {
        return Ok(Answered::Denied);
    }
    if !oauth.is_admin_approved {
        let mut granted = ctx
            .store
            .find_consent(&user.user.id, &app.id)
            .await?
            .unwrap_or_default();
        auth.scopes.iter().for_each(|s| granted.insert(s));
        ctx.store
            .save_consent(&user.user.id, &app.id, &granted, now)
            .await?;
    }
    Ok(Answered::Approved)
}
