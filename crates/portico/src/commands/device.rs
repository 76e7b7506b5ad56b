//! `portico login --device`: the device authorization grant (RFC 8628) for machines without a
//! browser. The CLI asks for a user code, shows where to enter it, and polls the token endpoint,
//! honouring `interval` and `slow_down`, until the user approves, denies, or the code expires.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Deserialize;

use super::oauth::{TokenResponse, post_form, post_token};
use super::{CLIENT_ID, SCOPES};

const DEVICE_PATH: &str = "/services/oauth2/device/authorize";
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §3.2: the default polling interval, and the step `slow_down` adds (§3.5).
const DEFAULT_INTERVAL: u64 = 5;
const SLOW_DOWN_STEP: u64 = 5;
/// When the server gives no `expires_in`.
const DEFAULT_EXPIRY: u64 = 600;

#[derive(Deserialize)]
struct DeviceAuthorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    interval: Option<u64>,
}

/// Runs the device flow against `login_url` and returns the tokens.
pub(crate) async fn login(
    http: &reqwest::Client,
    login_url: &str,
) -> anyhow::Result<TokenResponse> {
    let started = Instant::now();
    let auth: DeviceAuthorization = post_form(
        http,
        login_url,
        DEVICE_PATH,
        &[("client_id", CLIENT_ID), ("scope", SCOPES)],
    )
    .await
    .context("starting the device login")?
    .map_err(|e| anyhow::anyhow!("the server refused the device login: {e}"))?;
    println!("To log in, open this page in a browser on any device:");
    println!();
    println!(
        "  {}",
        auth.verification_uri_complete
            .as_deref()
            .unwrap_or(&auth.verification_uri)
    );
    println!();
    println!("and confirm the code: {}", auth.user_code);
    println!("Waiting for approval…");
    let expires = started + Duration::from_secs(auth.expires_in.unwrap_or(DEFAULT_EXPIRY));
    let mut interval = auth.interval.unwrap_or(DEFAULT_INTERVAL).max(1);
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        if Instant::now() >= expires {
            anyhow::bail!(
                "the device code expired before it was approved; run `portico login --device` again"
            );
        }
        let polled = post_token(
            http,
            login_url,
            &[
                ("grant_type", GRANT_TYPE),
                ("device_code", &auth.device_code),
                ("client_id", CLIENT_ID),
            ],
        )
        .await?;
        match polled {
            Ok(tokens) => return Ok(tokens),
            Err(e) => match next_step(&e.error, interval) {
                Some(next) => interval = next,
                None => anyhow::bail!("the device login failed: {e}"),
            },
        }
    }
}

/// The next polling interval for a polling error, or `None` when polling must stop.
fn next_step(error: &str, interval: u64) -> Option<u64> {
    match error {
        "authorization_pending" => Some(interval),
        "slow_down" => Some(interval + SLOW_DOWN_STEP),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_follows_rfc_8628() {
        assert_eq!(next_step("authorization_pending", 5), Some(5));
        assert_eq!(next_step("slow_down", 5), Some(10));
        assert_eq!(next_step("access_denied", 5), None);
        assert_eq!(next_step("expired_token", 5), None);
    }
}
