//! The OAuth calls the CLI makes as the public client `PorticoCLI`: the token endpoint (every
//! grant it uses), UserInfo for the username, revocation, and PKCE / state values.

use std::fmt;

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::credentials::Credentials;
use super::{CLIENT_ID, endpoint, unreachable};

pub(crate) const TOKEN_PATH: &str = "/services/oauth2/token";

/// The fields of a token response the CLI keeps.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) instance_url: Option<String>,
}

impl TokenResponse {
    /// The login to store, its API calls going to the response's `instance_url` (else the login
    /// URL), and its username looked up with the new token.
    pub(crate) async fn into_credentials(
        self,
        http: &reqwest::Client,
        login_url: &str,
    ) -> Credentials {
        let instance_url = self
            .instance_url
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .map_or_else(
                || login_url.to_owned(),
                |u| u.trim_end_matches('/').to_owned(),
            );
        let username = username(http, login_url, &self.access_token).await.ok();
        Credentials {
            instance_url,
            login_url: Some(login_url.to_owned()),
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            username,
        }
    }
}

/// An OAuth error response (`{"error", "error_description"}`).
#[derive(Debug, Deserialize)]
pub(crate) struct OAuthError {
    pub(crate) error: String,
    #[serde(default)]
    pub(crate) error_description: Option<String>,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error_description {
            Some(d) if !d.is_empty() => write!(f, "{}: {d}", self.error),
            _ => f.write_str(&self.error),
        }
    }
}

/// Posts a grant to the token endpoint of `login_url`. The outer error is a transport or
/// protocol failure; the inner one the server's OAuth error (e.g. `authorization_pending`).
pub(crate) async fn post_token(
    http: &reqwest::Client,
    login_url: &str,
    form: &[(&str, &str)],
) -> anyhow::Result<Result<TokenResponse, OAuthError>> {
    post_form(http, login_url, TOKEN_PATH, form).await
}

/// Posts a form to an OAuth endpoint and reads a success (`T`) or an OAuth error.
pub(crate) async fn post_form<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    login_url: &str,
    path: &str,
    form: &[(&str, &str)],
) -> anyhow::Result<Result<T, OAuthError>> {
    let url = endpoint(login_url, path);
    let res = http
        .post(&url)
        .form(form)
        .send()
        .await
        .map_err(|e| unreachable(login_url, &e))?;
    let status = res.status();
    let body = res.bytes().await.map_err(|e| unreachable(login_url, &e))?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map(Ok)
            .with_context(|| format!("{url} answered {status} with an unexpected body"));
    }
    match serde_json::from_slice::<OAuthError>(&body) {
        Ok(error) => Ok(Err(error)),
        Err(_) => anyhow::bail!(
            "{url} answered {status}{}",
            if status == reqwest::StatusCode::NOT_FOUND {
                " (is this a Portico server?)"
            } else {
                ""
            }
        ),
    }
}

/// Exchanges a refresh token for a new access token.
pub(crate) async fn refresh(
    http: &reqwest::Client,
    login_url: &str,
    refresh_token: &str,
) -> anyhow::Result<Result<TokenResponse, OAuthError>> {
    post_token(
        http,
        login_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", CLIENT_ID),
        ],
    )
    .await
}

/// The token's username from `/services/oauth2/userinfo`; an error names the HTTP status.
pub(crate) async fn username(
    http: &reqwest::Client,
    base: &str,
    access_token: &str,
) -> anyhow::Result<String> {
    #[derive(Deserialize)]
    struct UserInfo {
        preferred_username: Option<String>,
    }
    let res = http
        .get(endpoint(base, "/services/oauth2/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(|e| unreachable(base, &e))?;
    let status = res.status();
    if !status.is_success() {
        anyhow::bail!("the server did not accept the token (HTTP {status})");
    }
    let info: UserInfo = res.json().await.context("reading the UserInfo response")?;
    info.preferred_username
        .context("the UserInfo response names no user")
}

/// Revokes a token (best effort: logout goes on whatever the answer).
pub(crate) async fn revoke(http: &reqwest::Client, base: &str, token: &str) -> bool {
    http.post(endpoint(base, "/services/oauth2/revoke"))
        .form(&[("token", token)])
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// A random URL-safe value of 256 bits (PKCE verifier, `state`).
pub(crate) fn random_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 challenge of a PKCE verifier (RFC 7636 §4.2).
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let v = random_value();
        assert_eq!(v.len(), 43);
        assert_ne!(v, random_value());
    }

    #[test]
    fn oauth_errors_read_well() {
        let e: OAuthError = serde_json::from_str(
            r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        )
        .unwrap();
        assert_eq!(e.to_string(), "invalid_grant: expired access/refresh token");
    }
}
