//! `/secur/logout.jsp` (`reference/salesforce-oauth.md` §2.4): ends the browser session and every
//! access token issued in it, then single logout — the logged-out page loads each app's Single
//! Logout URL in a hidden frame with `iss` and `sid` (OIDC Front-Channel Logout 1.0 §2), and
//! apps with a back-channel logout URL are sent a `logout_token` (Back-Channel Logout 1.0 §2.5)
//! by a background task, so a slow app never holds up the user.
//!
//! The page's Content-Security-Policy adds `frame-src` for exactly those apps' origins; the
//! global middleware keeps a policy a handler set (`security_headers`).

use std::sync::OnceLock;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use portico_core::logout::{BackChannelCall, LogoutPlan, end_session};
use portico_core::secret::TokenHash;
use portico_core::token::issue::identity_url;

use super::{SESSION_COOKIE, render};
use crate::state::AppState;

/// Back-channel calls give up after this long (security.md §3.8: short timeout).
const BACKCHANNEL_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Template)]
#[template(path = "logged_out.html")]
pub(crate) struct LoggedOutPage<'a> {
    pub(crate) frames: &'a [String],
    pub(crate) continue_to: Option<&'a str>,
}

pub(crate) async fn get(State(state): State<AppState>, jar: CookieJar) -> Response {
    let (jar, plan) = log_out(&state, jar).await;
    logged_out_page(&plan, None, jar)
}

/// Ends this browser's session (if any) and starts the back-channel calls; returns the jar
/// without the session cookie and the front-channel URLs to show.
pub(crate) async fn log_out(state: &AppState, jar: CookieJar) -> (CookieJar, LogoutPlan) {
    let mut plan = LogoutPlan::default();
    if let Some(raw) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        let hash = TokenHash::of(&raw);
        let now = state.clock.now();
        match end_session_of(state, &hash, now).await {
            Ok(done) => plan = done,
            Err(e) => tracing::error!(error = %e, "could not end a session at logout"),
        }
    }
    spawn_back_channel(std::mem::take(&mut plan.back_channel));
    (jar.remove(Cookie::build(SESSION_COOKIE).path("/")), plan)
}

/// Ends one session by its hash (also used by the admin API).
pub(crate) async fn end_session_of(
    state: &AppState,
    hash: &TokenHash,
    now: portico_core::clock::UnixMillis,
) -> Result<LogoutPlan, portico_core::StoreError> {
    let session = state.store.find_session(hash, now).await?;
    let org = state.store.find_org().await?;
    let subject = match (&session, &org) {
        (Some(s), Some(o)) => identity_url(&state.tokens.issuer, &o.id, &s.user_id),
        _ => String::new(),
    };
    let mut plan = end_session(
        state.store.as_ref(),
        &state.keys,
        &state.tokens.issuer,
        hash,
        &subject,
        now,
    )
    .await?;
    if session.is_none() {
        // An expired or unknown session: its tokens are revoked all the same, but nobody is
        // logged in any more, so there is no one to log out of the apps.
        plan.front_channel.clear();
        plan.back_channel.clear();
    }
    Ok(plan)
}

fn http_client() -> Option<&'static reqwest::Client> {
    static CLIENT: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .timeout(BACKCHANNEL_TIMEOUT)
                // Back-Channel Logout §2.5 / security.md §3.8: never follow a redirect.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| tracing::error!(error = %e, "no HTTP client for back-channel logout"))
                .ok()
        })
        .as_ref()
}

/// POSTs each logout token in the background: the user's logout never waits on an app.
pub(crate) fn spawn_back_channel(calls: Vec<BackChannelCall>) {
    let Some(client) = http_client() else { return };
    for call in calls {
        tokio::spawn(async move {
            let sent = client
                .post(&call.url)
                .form(&[("logout_token", call.logout_token.as_str())])
                .send()
                .await;
            match sent {
                Ok(res) if res.status().is_success() => {}
                Ok(res) => {
                    tracing::warn!(url = %call.url, status = res.status().as_u16(), "back-channel logout refused");
                }
                Err(e) => tracing::warn!(url = %call.url, error = %e, "back-channel logout failed"),
            }
        });
    }
}

/// The logged-out page with the front-channel frames; `continue_to` is where it goes once they
/// have loaded.
pub(crate) fn logged_out_page(
    plan: &LogoutPlan,
    continue_to: Option<&str>,
    jar: CookieJar,
) -> Response {
    let page = LoggedOutPage {
        frames: &plan.front_channel,
        continue_to,
    };
    let mut res = (jar, render(StatusCode::OK, &page)).into_response();
    if let Ok(csp) = HeaderValue::from_str(&crate::security_headers::csp_with_frames(
        &plan.front_channel,
    )) {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    res
}

pub(crate) async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/logout.js"),
    )
}
