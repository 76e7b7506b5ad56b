//! The admin side of the CLI: `portico login` / `logout` and `portico apps …`, which work
//! through the server's HTTP endpoints (OAuth and the admin REST API, CONTRACT §3 and §5) with a
//! login stored by [`credentials`], never through the database.
//!
//! Every command runs on a small current-thread runtime and fails with exit code 1 and one clear
//! `error:` message (the server's REST error array, a connection failure, no stored login, …).
//! Tokens are never printed; consumer secrets only by the commands that exist to show them.

pub(crate) mod admin_client;
pub(crate) mod apps;
pub(crate) mod credentials;
mod device;
pub(crate) mod login;
mod loopback;
mod oauth;

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

/// The built-in public app the CLI logs in with (CONTRACT §1, "Bootstrap").
pub(crate) const CLIENT_ID: &str = "PorticoCLI";
/// `PorticoCLI`'s registered callback; the loopback listener answers exactly there.
pub(crate) const CALLBACK_URL: &str = "http://localhost:1717/OauthRedirect";
/// Where `portico serve` listens by default.
pub(crate) const DEFAULT_INSTANCE: &str = "http://127.0.0.1:8080";
/// Scopes the CLI asks for: the admin API and a refresh token to stay logged in.
pub(crate) const SCOPES: &str = "api refresh_token";

/// Runs a client command and turns its outcome into the exit code.
pub(crate) fn run<F>(job: F) -> ExitCode
where
    F: Future<Output = anyhow::Result<()>>,
{
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(job));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The HTTP client of every command: no redirects followed (a redirect would be a misconfigured
/// instance URL, and must not carry the bearer token elsewhere), a timeout, and TLS by rustls.
pub(crate) fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("portico-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")
}

/// `base` (no trailing slash) with an absolute `path` appended, keeping any path prefix of the
/// base (`https://host/portico` + `/services/oauth2/token`).
pub(crate) fn endpoint(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Checks a server URL given on the command line and returns it without a trailing slash.
pub(crate) fn server_url(raw: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(raw.trim())
        .with_context(|| format!("--instance `{raw}` is not a URL (e.g. {DEFAULT_INSTANCE})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        anyhow::bail!("--instance `{raw}` must be an http:// or https:// URL");
    }
    if url.query().is_some() || url.fragment().is_some() {
        anyhow::bail!("--instance `{raw}` must not have a query or fragment");
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A connection failure, said plainly.
pub(crate) fn unreachable(base: &str, error: &reqwest::Error) -> anyhow::Error {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    anyhow::anyhow!("cannot reach the Portico server at {base} ({what}; is it running?): {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_checked_and_normalised() {
        assert_eq!(
            server_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            server_url("https://sso.example.com/portico/").unwrap(),
            "https://sso.example.com/portico"
        );
        assert!(server_url("ftp://x").is_err());
        assert!(server_url("localhost:8080").is_err());
        assert!(server_url("http://x/?a=b").is_err());
        assert_eq!(
            endpoint("https://h/p/", "/services/oauth2/token"),
            "https://h/p/services/oauth2/token"
        );
    }
}
