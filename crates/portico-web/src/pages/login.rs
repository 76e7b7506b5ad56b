//! `/login`: the login page and its form. Errors use one generic text whatever went wrong, so
//! the page never tells whether a username exists (OWASP authentication guidance).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use std::sync::LazyLock;

use portico_core::StoreError;
use portico_core::org::User;
use portico_core::session::{LoginError, Session, check_password};
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::{
    csrf_failure, csrf_ok, csrf_token, oauth_error_page, render, safe_start_url, session_cookie,
};
use crate::state::AppState;

const GENERIC_ERROR: &str = "Please check your username and password. If you still can't log in, contact your administrator.";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf_token: &'a str,
    start_url: &'a str,
    username: &'a str,
    error: Option<&'a str>,
}

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    #[serde(rename = "startURL")]
    start_url: Option<String>,
    login_hint: Option<String>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<LoginQuery>,
) -> Response {
    let (jar, csrf) = csrf_token(&state, jar);
    let start = safe_start_url(q.start_url.as_deref());
    let page = LoginPage {
        csrf_token: &csrf,
        start_url: &start,
        username: q.login_hint.as_deref().unwrap_or_default(),
        error: None,
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    csrf_token: Option<String>,
    #[serde(rename = "startURL")]
    start_url: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// Argon2 takes ~20 ms of CPU and ~19 MiB: run it on the blocking pool, a core's worth at a
/// time, so a burst of logins neither stalls the async workers (every other request would wait
/// behind it) nor multiplies memory.
pub(crate) async fn check_password_off_thread(
    state: &AppState,
    username: String,
    password: String,
) -> Result<User, LoginError> {
    static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
    });
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| LoginError::Store(StoreError::Other(e.into())))?;
    let (store, clock, policy) = (state.store.clone(), state.clock.clone(), state.tokens.login);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        runtime.block_on(check_password(
            store.as_ref(),
            clock.as_ref(),
            policy,
            &username,
            &password,
        ))
    })
    .await
    .map_err(|e| LoginError::Store(StoreError::Other(e.into())))?
}

pub(crate) async fn post(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    if !csrf_ok(&jar, form.csrf_token.as_deref()) {
        return csrf_failure();
    }
    let start = safe_start_url(form.start_url.as_deref());
    let result =
        check_password_off_thread(&state, form.username.clone(), form.password.clone()).await;
    let user = match result {
        Ok(user) => user,
        Err(LoginError::Store(e)) => return oauth_error_page(&e.into()),
        Err(reason) => {
            tracing::info!(reason = %reason, "login refused");
            let (jar, csrf) = csrf_token(&state, jar);
            let page = LoginPage {
                csrf_token: &csrf,
                start_url: &start,
                username: &form.username,
                error: Some(GENERIC_ERROR),
            };
            return (jar, render(StatusCode::UNAUTHORIZED, &page)).into_response();
        }
    };
    let now = state.clock.now();
    let (raw, session) = Session::start(user.id.clone(), now, state.web.session_secs);
    if let Err(e) = state.store.insert_session(&session).await {
        return oauth_error_page(&e.into());
    }
    tracing::info!(user_id = %user.id, "login");
    // 303 after a POST that carried credentials, never 307 (RFC 9700 §4.12).
    (jar.add(session_cookie(&state, raw)), Redirect::to(&start)).into_response()
}
