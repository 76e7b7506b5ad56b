//! `portico login` and `portico logout`. Login stores a session for the admin commands, got by
//! one of: the web server flow with PKCE S256 for the built-in public app `PorticoCLI` (a browser
//! comes back to the loopback listener on `localhost:1717`), the device flow (`--device`), or an
//! access token given as is (`--token`, for scripts). Logout revokes and forgets it.

use std::io::{BufRead as _, Write as _};
use std::time::Duration;

use anyhow::Context as _;

use super::credentials::{self, Credentials};
use super::loopback::Listener;
use super::oauth::{self, TokenResponse, pkce_challenge, random_value};
use super::{CALLBACK_URL, CLIENT_ID, SCOPES, device, endpoint, http_client, server_url};
use crate::cli::LoginArgs;

/// How long the browser has to come back.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

pub(crate) async fn login(args: LoginArgs) -> anyhow::Result<()> {
    let login_url = server_url(&args.instance)?;
    let path = credentials::path()?;
    let http = http_client()?;
    let stored = match args.token {
        Some(token) => with_token(&http, &login_url, token).await?,
        None => {
            let tokens = if args.device {
                device::login(&http, &login_url).await?
            } else {
                web_server_flow(&http, &login_url, !args.no_browser).await?
            };
            tokens.into_credentials(&http, &login_url).await
        }
    };
    credentials::save(&path, &stored)?;
    println!(
        "Logged in to {} as {}. Credentials saved to {}",
        stored.instance_url,
        stored.username.as_deref().unwrap_or("(unknown user)"),
        path.display()
    );
    Ok(())
}

pub(crate) async fn logout() -> anyhow::Result<()> {
    let path = credentials::path()?;
    // A damaged file is removed all the same.
    let stored = credentials::load(&path).ok();
    if let Some(stored) = &stored {
        // Revoking the refresh token ends the access tokens issued with it too.
        let token = stored
            .refresh_token
            .as_deref()
            .unwrap_or(&stored.access_token);
        let http = http_client()?;
        if !oauth::revoke(&http, stored.login_url(), token).await {
            eprintln!(
                "warning: could not revoke the session at {}; forgetting it anyway",
                stored.login_url()
            );
        }
    }
    if credentials::remove(&path)? {
        println!("Logged out; removed {}", path.display());
    } else {
        println!("Not logged in.");
    }
    Ok(())
}

/// `--token TOKEN` (or `-`: one line of standard input), checked against the server first.
async fn with_token(
    http: &reqwest::Client,
    instance: &str,
    token: String,
) -> anyhow::Result<Credentials> {
    let token = if token == "-" {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the token from standard input")?;
        line.trim().to_owned()
    } else {
        token.trim().to_owned()
    };
    if token.is_empty() {
        anyhow::bail!("--token is empty");
    }
    let username = oauth::username(http, instance, &token)
        .await
        .context("checking the token")?;
    Ok(Credentials {
        instance_url: instance.to_owned(),
        login_url: Some(instance.to_owned()),
        access_token: token,
        refresh_token: None,
        username: Some(username),
    })
}

/// The web server flow with PKCE: show (and try to open) the authorization URL, take the code
/// from the loopback listener, and redeem it.
async fn web_server_flow(
    http: &reqwest::Client,
    login_url: &str,
    open_browser: bool,
) -> anyhow::Result<TokenResponse> {
    let listener = Listener::bind().await?;
    let verifier = random_value();
    let state = random_value();
    let mut url = url::Url::parse(&endpoint(login_url, "/services/oauth2/authorize"))
        .context("building the authorization URL")?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", CALLBACK_URL)
        .append_pair("scope", SCOPES)
        .append_pair("state", &state)
        .append_pair("code_challenge", &pkce_challenge(&verifier))
        .append_pair("code_challenge_method", "S256");
    println!("Open this URL in a browser to log in:");
    println!();
    println!("  {url}");
    println!();
    println!("Waiting for the browser to come back to {CALLBACK_URL} …");
    let _ = std::io::stdout().flush();
    if open_browser {
        open_quietly(url.as_str());
    }
    let code = listener.wait_for_code(&state, BROWSER_TIMEOUT).await?;
    oauth::post_token(
        http,
        login_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", CLIENT_ID),
            ("redirect_uri", CALLBACK_URL),
            ("code_verifier", &verifier),
        ],
    )
    .await?
    .map_err(|e| anyhow::anyhow!("the server refused the authorization code: {e}"))
}

/// Tries `xdg-open` (or `open` on macOS); any failure is ignored, as the URL is printed anyway.
fn open_quietly(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = spawned {
        // Reap it whenever it ends, without waiting for it here.
        std::thread::spawn(move || child.wait());
    }
}
