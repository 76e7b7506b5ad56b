//! `/setup/connect`: the device flow's verification page (RFC 8628 §3.3, `verification_uri`;
//! Salesforce, `reference/salesforce-oauth.md` §3.4). Log in if needed, enter the code (pre-filled
//! from `?user_code=`), press Connect, allow or deny on the consent page, and see a "you're
//! connected" page. Both forms carry the CSRF token; wrong codes slow the page down and then lock
//! it for the session (RFC 8628 §5.1, ATK-54); the core makes each code answerable once.

use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use portico_core::OAuthError;
use portico_core::access::UserContext;
use portico_core::authorize::ConsentAnswer;
use portico_core::device::{MAX_WRONG_USER_CODES, VERIFICATION_PATH, WRONG_CODE_LOCK_SECS};
use portico_core::grant::device::{Answered, CodeLookup, PendingCode, answer, lookup_user_code};
use portico_core::session::Session;
use serde::Deserialize;

use super::{csrf_failure, csrf_ok, csrf_token, current_session, oauth_error_page, render};
use crate::state::AppState;

/// Longest pre-filled code echoed back: real ones are 9 characters.
const MAX_SHOWN_CODE: usize = 32;
const WRONG_CODE: &str = "That code isn't valid. Check the code on your device and try again.";
const SPENT_CODE: &str =
    "That code has expired or was already used. Start again on your device to get a new code.";

#[derive(Template)]
#[template(path = "connect.html")]
struct ConnectPage<'a> {
    csrf_token: &'a str,
    user_code: &'a str,
    error: Option<&'a str>,
    locked: bool,
    consent: Option<ConsentView<'a>>,
}

/// What the consent stage shows: which app, on whose behalf, asking for what.
struct ConsentView<'a> {
    app_label: &'a str,
    logo_url: Option<&'a str>,
    scopes: Vec<&'static str>,
    username: &'a str,
}

#[derive(Template)]
#[template(path = "connected.html")]
struct ConnectedPage<'a> {
    heading: &'a str,
    message: &'a str,
}

#[derive(Deserialize)]
pub(crate) struct ConnectQuery {
    user_code: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ConnectForm {
    csrf_token: Option<String>,
    #[serde(default)]
    user_code: String,
    consent_decision: Option<String>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<ConnectQuery>,
) -> Response {
    let prefill = query
        .user_code
        .as_deref()
        .map(shown_code)
        .unwrap_or_default();
    let (session, _) = match current_session(&state, &jar).await {
        Ok(Some(found)) => found,
        Ok(None) => return login_redirect(&prefill),
        Err(e) => return oauth_error_page(&e),
    };
    let locked = match state.store.find_code_guesses(&session.id_hash).await {
        Ok(guesses) => guesses.is_locked(state.clock.now()),
        Err(e) => return oauth_error_page(&e.into()),
    };
    let status = if locked {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::OK
    };
    code_page(&state, jar, status, &prefill, None, locked)
}

pub(crate) async fn post(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<ConnectForm>,
) -> Response {
    if !csrf_ok(&jar, form.csrf_token.as_deref()) {
        return csrf_failure();
    }
    match submit(&state, jar, &form).await {
        Ok(response) => response,
        Err(e) => oauth_error_page(&e),
    }
}

async fn submit(
    state: &AppState,
    jar: CookieJar,
    form: &ConnectForm,
) -> Result<Response, OAuthError> {
    let typed = shown_code(&form.user_code);
    let Some((session, user)) = current_session(state, &jar).await? else {
        return Ok(login_redirect(&typed));
    };
    let now = state.clock.now();
    // A locked session gets nowhere, not even with the right code (ATK-54).
    if state
        .store
        .find_code_guesses(&session.id_hash)
        .await?
        .is_locked(now)
    {
        return Ok(code_page(
            state,
            jar,
            StatusCode::TOO_MANY_REQUESTS,
            &typed,
            None,
            true,
        ));
    }
    let consent = match form.consent_decision.as_deref() {
        None => None,
        Some("allow") => Some(ConsentAnswer::Allow),
        Some("deny") => Some(ConsentAnswer::Deny),
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "consent_decision must be allow or deny",
            ));
        }
    };
    let ctx = state.grant_context();
    let (auth, app, code) = match lookup_user_code(&ctx, &form.user_code).await? {
        CodeLookup::Wrong => return wrong_code(state, jar, &session, &typed).await,
        CodeLookup::Spent => {
            return Ok(code_page(
                state,
                jar,
                StatusCode::BAD_REQUEST,
                &typed,
                Some(SPENT_CODE),
                false,
            ));
        }
        CodeLookup::Pending(pending) => {
            let PendingCode {
                auth,
                app,
                user_code,
            } = *pending;
            (auth, app, user_code)
        }
    };
    let page = match answer(&ctx, &auth, &app, &user, consent).await? {
        Answered::AskConsent => {
            return Ok(consent_page(state, jar, &app, &auth.scopes, &user, &code));
        }
        Answered::Spent => {
            return Ok(code_page(
                state,
                jar,
                StatusCode::BAD_REQUEST,
                &code,
                Some(SPENT_CODE),
                false,
            ));
        }
        Answered::Approved => {
            tracing::info!(user_id = %user.user.id, app = app.full_name(), "device approved");
            let message = format!("{} is now connected to your account.", app.settings.label);
            ConnectedPage {
                heading: "You're connected",
                message: &message,
            }
            .render()
        }
        Answered::Denied => {
            tracing::info!(user_id = %user.user.id, app = app.full_name(), "device denied");
            let message = format!(
                "{} was not given access to your account.",
                app.settings.label
            );
            ConnectedPage {
                heading: "Access denied",
                message: &message,
            }
            .render()
        }
    };
    match page {
        Ok(html) => Ok(axum::response::Html(html).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            Err(OAuthError::server_error())
        }
    }
}

/// Counts a wrong code, holds the answer back a little longer each time, and locks the page at
/// the limit.
async fn wrong_code(
    state: &AppState,
    jar: CookieJar,
    session: &Session,
    typed: &str,
) -> Result<Response, OAuthError> {
    let now = state.clock.now();
    let lock_until = now.plus_secs(WRONG_CODE_LOCK_SECS);
    let guesses = state
        .store
        .record_wrong_code_guess(&session.id_hash, MAX_WRONG_USER_CODES, lock_until, now)
        .await?;
    tracing::info!(failures = guesses.failures, "wrong device user code");
    tokio::time::sleep(Duration::from_millis(guesses.delay_millis())).await;
    if guesses.is_locked(now) {
        return Ok(code_page(
            state,
            jar,
            StatusCode::TOO_MANY_REQUESTS,
            typed,
            None,
            true,
        ));
    }
    Ok(code_page(
        state,
        jar,
        StatusCode::BAD_REQUEST,
        typed,
        Some(WRONG_CODE),
        false,
    ))
}

fn code_page(
    state: &AppState,
    jar: CookieJar,
    status: StatusCode,
    code: &str,
    error: Option<&str>,
    locked: bool,
) -> Response {
    let (jar, csrf) = csrf_token(state, jar);
    let page = ConnectPage {
        csrf_token: &csrf,
        user_code: code,
        error,
        locked,
        consent: None,
    };
    (jar, render(status, &page)).into_response()
}

fn consent_page(
    state: &AppState,
    jar: CookieJar,
    app: &portico_core::connected_app::ConnectedApp,
    scopes: &portico_core::scope::ScopeSet,
    user: &UserContext,
    code: &str,
) -> Response {
    let (jar, csrf) = csrf_token(state, jar);
    let consent = ConsentView {
        app_label: &app.settings.label,
        logo_url: app.settings.logo_url.as_deref(),
        scopes: scopes
            .iter()
            .map(portico_core::scope::Scope::label)
            .collect(),
        username: &user.user.username,
    };
    let page = ConnectPage {
        csrf_token: &csrf,
        user_code: code,
        error: None,
        locked: false,
        consent: Some(consent),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

/// The login page, set to come back here with the code still filled in.
fn login_redirect(code: &str) -> Response {
    let back = if code.is_empty() {
        VERIFICATION_PATH.to_owned()
    } else {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("user_code", code)
            .finish();
        format!("{VERIFICATION_PATH}?{query}")
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("startURL", &back)
        .finish();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// A typed or linked code as it may be shown again: trimmed and bounded.
fn shown_code(code: &str) -> String {
    code.trim().chars().take(MAX_SHOWN_CODE).collect()
}
