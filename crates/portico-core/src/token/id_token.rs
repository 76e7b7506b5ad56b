//! ID tokens (OpenID Connect Core §2, §3.1.3.6, §3.2.2.10): RS256 JWTs signed with the current
//! key, as each app's "Configure ID Token" settings say (`reference/salesforce-oauth.md` §6.1).
//!
//! `sub` is the identity URL, as Salesforce's is. `aud` is the consumer key plus every configured
//! ID Token Audience — an array with `azp` (the consumer key) when there is more than one, which
//! OIDC Core §2 asks for and relying parties such as openid-client require. `exp` is `iat` plus
//! the app's validity (1–720 minutes, default 2). `auth_time` is when the user logged in, kept
//! across refreshes (OIDC Core §12.2); `nonce` is echoed when the authorization request sent one
//! and left out of refreshed tokens. `at_hash` binds the access token returned alongside.
//!
//! `c_hash` (§3.3.2.11) binds a code returned from the authorization endpoint together with an
//! ID token — the hybrid flows. Portico's authorization endpoint offers `code`, `token` and
//! `token id_token` only, so no response ever carries both and `c_hash` is never set.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::OAuthError;
use crate::access::UserContext;
use crate::clock::UnixMillis;
use crate::connected_app::{ConnectedApp, split_audiences};
use crate::grant::GrantContext;
use crate::oidc::claims;
use crate::org::User;

#[derive(Debug, Serialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    /// One audience as a string, several as an array (OIDC Core §2).
    pub aud: serde_json::Value,
    /// The authorized party, when `aud` names others too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c_hash: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `at_hash` / `c_hash`: the left half of SHA-256 of the value, base64url (OIDC Core §3.1.3.6).
pub fn left_half_hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

impl IdTokenClaims {
    pub fn new(
        iss: String,
        sub: String,
        audiences: Vec<String>,
        now: UnixMillis,
        validity_secs: i64,
        auth_time: UnixMillis,
    ) -> Self {
        let (aud, azp) = if audiences.len() == 1 {
            (
                serde_json::Value::String(audiences.into_iter().next().unwrap_or_default()),
                None,
            )
        } else {
            let azp = audiences.first().cloned();
            (serde_json::Value::from(audiences), azp)
        };
        Self {
            iss,
            sub,
            aud,
            azp,
            exp: now.secs() + validity_secs,
            iat: now.secs(),
            auth_time: auth_time.secs(),
            nonce: None,
            at_hash: None,
            c_hash: None,
            extra: serde_json::Map::new(),
        }
    }
}

/// What an ID token is about.
#[derive(Debug, Clone)]
pub struct IdTokenSubject<'a> {
    pub app: &'a ConnectedApp,
    pub user: &'a User,
    /// The identity URL (`sub`).
    pub identity_url: &'a str,
    pub auth_time: UnixMillis,
    pub nonce: Option<&'a str>,
    /// The access token issued alongside, for `at_hash`.
    pub access_token: &'a str,
    /// The browser session's id for logout (`sid`, OIDC Front-Channel Logout 1.0 §3).
    pub sid: Option<String>,
}

/// Builds and signs the ID token for `subject` as the app's ID token settings say. The org and
/// the user's permission bundles are read only when the app's settings need them.
pub async fn sign(
    ctx: &GrantContext<'_>,
    subject: IdTokenSubject<'_>,
) -> Result<String, OAuthError> {
    let now = ctx.clock.now();
    let app = subject.app;
    let config = app
        .oauth()
        .and_then(|o| o.id_token_config.clone())
        .unwrap_or_default();
    let mut audiences = vec![app.consumer_key.clone()];
    for extra in split_audiences(&config.id_token_audience) {
        if !audiences.contains(&extra) {
            audiences.push(extra);
        }
    }
    let mut claims = IdTokenClaims::new(
        ctx.settings.issuer.clone(),
        subject.identity_url.to_owned(),
        audiences,
        now,
        i64::from(config.id_token_validity) * 60,
        subject.auth_time,
    );
    claims.nonce = subject.nonce.map(str::to_owned);
    claims.at_hash = Some(left_half_hash(subject.access_token));
    if let Some(sid) = subject.sid {
        claims.extra.insert("sid".into(), sid.into());
    }
    if config.id_token_include_standard_claims {
        claims.extra.extend(claims::standard_claims(
            subject.user,
            &ctx.settings.instance_url,
        ));
    }
    if config.id_token_include_attributes && !app.settings.attributes.is_empty() {
        let org = ctx
            .store
            .find_org()
            .await?
            .ok_or_else(OAuthError::server_error)?;
        let attributes = claims::custom_attributes(app, subject.user, &org);
        claims.extra.insert(
            "custom_attributes".into(),
            serde_json::Value::Object(attributes),
        );
    }
    if config.id_token_include_custom_perms && !app.settings.custom_permissions.is_empty() {
        let user = UserContext::for_user(ctx.store, subject.user.clone()).await?;
        let permissions = claims::custom_permissions(app, &user);
        claims.extra.insert(
            "custom_permissions".into(),
            serde_json::Value::Object(permissions),
        );
    }
    ctx.keys
        .signer(now)
        .sign(&claims)
        .map_err(|_| OAuthError::server_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_audience_is_a_string_and_several_an_array_with_azp() {
        let now = UnixMillis(1_800_000_000_000);
        let one = IdTokenClaims::new("i".into(), "s".into(), vec!["key".into()], now, 120, now);
        let json = serde_json::to_value(&one).unwrap();
        assert_eq!(json["aud"], "key");
        assert!(json.get("azp").is_none());
        assert_eq!(
            json["exp"].as_i64().unwrap() - json["iat"].as_i64().unwrap(),
            120
        );

        let two = IdTokenClaims::new(
            "i".into(),
            "s".into(),
            vec!["key".into(), "https://rs.test".into()],
            now,
            60,
            now,
        );
        let json = serde_json::to_value(&two).unwrap();
        assert_eq!(json["aud"], serde_json::json!(["key", "https://rs.test"]));
        assert_eq!(json["azp"], "key");
        assert!(json.get("c_hash").is_none() && json.get("nonce").is_none());
    }

    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // OIDC Core's example access token and its at_hash (§A.4 uses SHA-256 / RS256).
        assert_eq!(
            left_half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
