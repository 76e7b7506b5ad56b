//! Logging out (OIDC RP-Initiated Logout 1.0, Front-Channel Logout 1.0, Back-Channel Logout
//! 1.0; `reference/salesforce-oauth.md` §2.4, `reference/security.md` §3.8): what ending a
//! browser session ends, and what each app that used the session is told.
//!
//! Ending a session revokes every access token issued in it and its unredeemed codes, deletes
//! it, and returns a [`LogoutPlan`]: the Single Logout URLs to load in hidden frames (with `iss`
//! and `sid`, Front-Channel §2) and the signed `logout_token`s to POST (Back-Channel §2.4). The
//! web layer carries the plan out; nothing here performs I/O beyond the store.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::clock::UnixMillis;
use crate::connected_app::ConnectedApp;
use crate::keys::KeyRing;
use crate::secret::{TokenHash, random_token};
use crate::store::Store;

/// The event member of a logout token (Back-Channel Logout §2.4).
pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// Explicit typing of logout tokens (Back-Channel Logout §2.4, security.md §3.8).
pub const LOGOUT_TOKEN_TYP: &str = "logout+jwt";
/// Logout tokens are short-lived (security.md §3.8 asks for ≤ 2 minutes).
const LOGOUT_TOKEN_SECS: i64 = 120;

/// The session id apps see (`sid`, Front-Channel §3): derived from the stored hash of the
/// cookie rather than the cookie itself, so it identifies the session without granting it.
pub fn session_sid(session_hash: &TokenHash) -> String {
    let derived = TokenHash::of(&format!("sid:{}", session_hash.as_str()));
    derived.as_str().chars().take(32).collect()
}

/// An app's Single Logout URL with `iss` and `sid` added (Front-Channel Logout §2).
pub fn front_channel_url(slo_url: &str, issuer: &str, sid: &str) -> Option<String> {
    let mut url = url::Url::parse(slo_url).ok()?;
    url.query_pairs_mut()
        .append_pair("iss", issuer)
        .append_pair("sid", sid);
    Some(url.into())
}

/// Claims of a logout token: no `nonce`, ever, so it can never pass as an ID token.
#[derive(Debug, Serialize, Deserialize)]
pub struct LogoutTokenClaims {
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub sub: String,
    pub sid: String,
    pub events: serde_json::Value,
}

/// One back-channel notification to send.
#[derive(Debug, Clone)]
pub struct BackChannelCall {
    pub url: String,
    pub logout_token: String,
}

/// What the web layer must do after a session ended.
#[derive(Debug, Default, Clone)]
pub struct LogoutPlan {
    /// Single Logout URLs with `iss` and `sid`, for hidden frames.
    pub front_channel: Vec<String>,
    pub back_channel: Vec<BackChannelCall>,
    /// How many access tokens were revoked.
    pub revoked_tokens: u64,
}

/// Signs a logout token for an app with the server's signing key.
pub fn sign_logout_token(
    keys: &KeyRing,
    issuer: &str,
    app: &ConnectedApp,
    subject: &str,
    sid: &str,
    now: UnixMillis,
) -> anyhow::Result<String> {
    let signer = keys.signer(now);
    let claims = LogoutTokenClaims {
        iss: issuer.to_owned(),
        aud: app.consumer_key.clone(),
        iat: now.secs(),
        exp: now.secs() + LOGOUT_TOKEN_SECS,
        jti: random_token(),
        sub: subject.to_owned(),
        sid: sid.to_owned(),
        events: serde_json::json!({ BACKCHANNEL_EVENT: {} }),
    };
    signer.sign_typed(&claims, LOGOUT_TOKEN_TYP)
}

/// Ends a session: revokes what was issued in it, deletes it, and plans the notifications of
/// every app that received a token in it. `subject` is the user's identity URL (the `sub` of
/// their ID tokens).
pub async fn end_session(
    store: &dyn Store,
    keys: &KeyRing,
    issuer: &str,
    session_hash: &TokenHash,
    subject: &str,
    now: UnixMillis,
) -> Result<LogoutPlan, StoreError> {
    let app_ids = store.session_app_ids(session_hash).await?;
    let revoked_tokens = store.revoke_session_tokens(session_hash, now).await?;
    store.delete_session(session_hash).await?;
    let sid = session_sid(session_hash);
    let mut plan = LogoutPlan {
        revoked_tokens,
        ..LogoutPlan::default()
    };
    for id in app_ids {
        let Some(app) = store.find_app(&id).await? else {
            continue;
        };
        let Some(oauth) = app.oauth() else { continue };
        if let Some(url) = oauth
            .single_logout_url
            .as_deref()
            .and_then(|u| front_channel_url(u, issuer, &sid))
        {
            plan.front_channel.push(url);
        }
        if let Some(url) = &oauth.backchannel_logout_url {
            match sign_logout_token(keys, issuer, &app, subject, &sid, now) {
                Ok(logout_token) => plan.back_channel.push(BackChannelCall {
                    url: url.clone(),
                    logout_token,
                }),
                Err(e) => tracing::error!(error = %e, "could not sign a logout token"),
            }
        }
    }
    Ok(plan)
}

/// What a verified ID token of this server says.
#[derive(Debug, Clone)]
pub struct VerifiedIdToken {
    pub sub: String,
    pub audiences: Vec<String>,
}

#[derive(Deserialize)]
struct HintClaims {
    iss: String,
    sub: String,
    aud: serde_json::Value,
    exp: Option<i64>,
    nonce: Option<serde_json::Value>,
    events: Option<serde_json::Value>,
}

/// Verifies an ID token this server signed (RS256, a published `kid`, our `iss`). With `now`,
/// an expired token is refused; without it (an `id_token_hint`, RP-Initiated Logout §2), expiry
/// is ignored. `alg: none` and foreign keys never verify (security.md §3.7).
pub fn verify_id_token(
    keys: &KeyRing,
    issuer: &str,
    jwt: &str,
    now: Option<UnixMillis>,
) -> Option<VerifiedIdToken> {
    let header = jsonwebtoken::decode_header(jwt).ok()?;
    if header.alg != Algorithm::RS256 || header.typ.as_deref() == Some(LOGOUT_TOKEN_TYP) {
        return None;
    }
    let key = keys.find(header.kid.as_deref()?)?;
    let decoding: DecodingKey = key.decoding_key().ok()?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<HintClaims>(jwt, &decoding, &validation)
        .ok()?
        .claims;
    // A logout token carries `events` and no `nonce`; it is never accepted as an ID token.
    if claims.iss != issuer || (claims.events.is_some() && claims.nonce.is_none()) {
        return None;
    }
    if let Some(now) = now
        && claims.exp.is_none_or(|exp| exp <= now.secs())
    {
        return None;
    }
    let audiences = match claims.aud {
        serde_json::Value::String(s) => vec![s],
        serde_json::Value::Array(a) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => return None,
    };
    Some(VerifiedIdToken {
        sub: claims.sub,
        audiences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_channel_urls_carry_iss_and_sid() {
        let url = front_channel_url("https://rp.test/slo?x=1", "https://idp.test", "abc").unwrap();
        assert_eq!(
            url,
            "https://rp.test/slo?x=1&iss=https%3A%2F%2Fidp.test&sid=abc"
        );
        let sid = session_sid(&TokenHash::of("raw"));
        assert_eq!(sid.len(), 32);
        assert_ne!(sid, TokenHash::of("raw").as_str()[..32]);
    }
}
