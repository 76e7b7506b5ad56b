//! ID tokens (OpenID Connect Core §2, §3.1.3.6): RS256 JWTs signed with the current key.
//! `sub` is the identity URL, as Salesforce's are (`reference/salesforce-oauth.md` §6.1).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::clock::UnixMillis;

#[derive(Debug, Serialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    /// One audience as a string, several as an array (OIDC Core §2).
    pub aud: serde_json::Value,
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
    pub fn new(iss: String, sub: String, audiences: Vec<String>, now: UnixMillis, validity_secs: i64, auth_time: UnixMillis) -> Self {
        let aud = if audiences.len() == 1 {
            serde_json::Value::String(audiences.into_iter().next().unwrap_or_default())
        } else {
            serde_json::Value::from(audiences)
        };
        Self {
            iss,
            sub,
            aud,
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
