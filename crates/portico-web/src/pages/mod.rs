//! Server-rendered pages (askama templates in `templates/`): login, logout, consent, errors.
//! Every form carries a CSRF token checked against a cookie (double submit, RFC 9700 §4.16
//! BCP-47); the session cookie is `HttpOnly`, `SameSite=Lax` and `Secure` on https.

pub(crate) mod connect;
pub(crate) mod login;
pub(crate) mod logout;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use portico_core::OAuthError;
use portico_core::access::UserContext;
use portico_core::secret::{TokenHash, constant_time_eq, random_token};
use portico_core::session::Session;

use crate::state::AppState;

pub(crate) const SESSION_COOKIE: &str = "portico_sid";
const CSRF_COOKIE: &str = "portico_csrf";

/// Renders a template, or a plain 500 when rendering fails (a bug, logged).
pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage<'a> {
    pub(crate) heading: &'a str,
    pub(crate) code: &'a str,
    pub(crate) description: &'a str,
}

/// An OAuth error shown as a page (never redirected): status 400, no `Location`.
pub(crate) fn oauth_error_page(error: &OAuthError) -> Response {
    let status = if error.code == portico_core::ErrorCode::ServerError {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &ErrorPage {
            heading: "OAuth Error",
            code: error.code.as_str(),
            description: &error.description,
        },
    )
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage<'a> {
    pub(crate) heading: &'a str,
    pub(crate) message: &'a str,
    pub(crate) link: Option<(&'a str, &'a str)>,
}

/// The CSRF token of this browser: the cookie's value, or a new one (and the cookie to set).
pub(crate) fn csrf_token(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    if let Some(existing) = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32)
    {
        return (jar, existing);
    }
    let token = random_token();
    let cookie = Cookie::build((CSRF_COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .secure(state.web.secure_cookies)
        .same_site(SameSite::Strict)
        .build();
    (jar.add(cookie), token)
}

/// Checks a submitted CSRF token against the cookie, in constant time.
pub(crate) fn csrf_ok(jar: &CookieJar, submitted: Option<&str>) -> bool {
    match (jar.get(CSRF_COOKIE), submitted) {
        (Some(cookie), Some(sent)) => !sent.is_empty() && constant_time_eq(cookie.value(), sent),
        _ => false,
    }
}

pub(crate) fn csrf_failure() -> Response {
    render(
        StatusCode::FORBIDDEN,
        &ErrorPage {
            heading: "Request refused",
            code: "invalid_csrf_token",
            description: "the form was not submitted from this site, or it expired; reload the page and try again",
        },
    )
}

/// The session cookie for a new session.
pub(crate) fn session_cookie(state: &AppState, raw_id: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, raw_id))
        .path("/")
        .http_only(true)
        .secure(state.web.secure_cookies)
        .same_site(SameSite::Lax)
        .build()
}

/// The logged-in user of this browser, if any (live session, existing user).
pub(crate) async fn current_session(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<(Session, UserContext)>, OAuthError> {
    let Some(raw) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    let now = state.clock.now();
    let Some(session) = state.store.find_session(&TokenHash::of(&raw), now).await? else {
        return Ok(None);
    };
    let user =
        UserContext::load(state.store.as_ref(), state.store.as_ref(), &session.user_id).await?;
    Ok(user.filter(|u| u.user.is_active).map(|u| (session, u)))
}

/// A same-site path to continue to after login. Anything that could leave the site (`//host`,
/// `/\host`, absolute URLs) falls back to the home page: no open redirects.
pub(crate) fn safe_start_url(start: Option<&str>) -> String {
    match start {
        Some(s)
            if s.starts_with('/')
                && !s.starts_with("//")
                && !s.starts_with("/\\")
                && !s.contains(['\r', '\n']) =>
        {
            s.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/portico.css"),
    )
}

/// `/`: who is logged in, with a way out.
pub(crate) async fn home(
    axum::extract::State(state): axum::extract::State<AppState>,
    jar: CookieJar,
) -> Response {
    match current_session(&state, &jar).await {
        Ok(Some((_, user))) => {
            let message = format!("You are logged in as {}.", user.user.username);
            render(
                StatusCode::OK,
                &MessagePage {
                    heading: "Portico",
                    message: &message,
                    link: Some(("/secur/logout.jsp", "Log Out")),
                },
            )
        }
        Ok(None) => axum::response::Redirect::to("/login").into_response(),
        Err(e) => oauth_error_page(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_start_url;

    #[test]
    fn start_urls_never_leave_the_site() {
        assert_eq!(
            safe_start_url(Some("/services/oauth2/authorize?x=1")),
            "/services/oauth2/authorize?x=1"
        );
        for bad in [
            "//evil.test/x",
            "/\\evil.test",
            "https://evil.test/",
            "javascript:alert(1)",
            "/x\r\nLocation: y",
        ] {
            assert_eq!(safe_start_url(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_start_url(None), "/");
    }
}
