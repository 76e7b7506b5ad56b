//! What every Setup page shares: who is looking (a browser session, or a redirect to the login
//! page), the frame around each page (Setup navigation, user menu, a one-time message), refusals
//! as pages, and the CSRF check of every form.
//!
//! Permission checks go through the admin API's [`Caller`] and the seed's table
//! ([`authorize_admin`]), so that a page never allows what the API refuses, or the reverse.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use portico_core::access::UserContext;
use portico_core::admin_access::{AdminAction, authorize_admin};
use portico_core::org::Org;
use portico_core::session::Session;
use serde::{Deserialize, Serialize};

use crate::admin_api::Caller;
use crate::pages::{csrf_failure, csrf_ok, csrf_token, current_session, render};
use crate::state::AppState;

/// The one-time message shown on the page after a successful POST (sealed, so that neither the
/// browser's scripts nor anyone else can read a secret it carries, nor forge one). The next Setup
/// page shown clears it.
const FLASH_COOKIE: &str = "portico_setup_flash";

/// The logged-in user of a Setup page, with their org.
pub(crate) struct SetupUser {
    pub(crate) user: UserContext,
    pub(crate) org: Org,
    pub(crate) session: Session,
}

impl SetupUser {
    /// The same caller the admin API builds from a bearer token, for calling its handlers.
    pub(crate) fn caller(&self) -> Caller {
        Caller {
            user: self.user.clone(),
            org: self.org.clone(),
        }
    }

    /// True when the seed's table allows the action.
    pub(crate) fn may(&self, action: AdminAction) -> bool {
        authorize_admin(action, &self.user.permissions).is_ok()
    }

    /// The seed's table, as a 403 page naming the missing permissions.
    pub(crate) fn require(&self, action: AdminAction) -> Result<(), Response> {
        authorize_admin(action, &self.user.permissions).map_err(|e| forbidden(&e.message))
    }
}

impl FromRequestParts<AppState> for SetupUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let (session, user) = match current_session(state, &jar).await {
            Ok(Some(found)) => found,
            Ok(None) => return Err(login_redirect(parts)),
            Err(e) => {
                tracing::error!(error = %e.description, "loading the session of a Setup page");
                return Err(problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The page could not be loaded. The cause has been logged.",
                ));
            }
        };
        let org = match state.store.find_org().await {
            Ok(Some(org)) if org.id == user.user.org_id => org,
            other => {
                if let Err(e) = other {
                    tracing::error!(error = %e, "loading the org of a Setup page");
                }
                return Err(problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The org could not be loaded. The cause has been logged.",
                ));
            }
        };
        Ok(Self { user, org, session })
    }
}

/// To the login page, and back here afterwards (a GET comes back to the same address; a POST,
/// whose form is lost, to the page's address).
fn login_redirect(parts: &Parts) -> Response {
    let back = if parts.method == axum::http::Method::GET {
        parts.uri.path_and_query().map_or("/setup", |p| p.as_str())
    } else {
        parts.uri.path()
    };
    let encoded: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    Redirect::to(&format!("/login?startURL={encoded}")).into_response()
}

/// Which entry of the Setup navigation a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Home,
    Apps,
    OAuthUsage,
    Certificates,
    Users,
    Profiles,
    PermissionSets,
}

impl Nav {
    const fn key(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Apps => "apps",
            Self::OAuthUsage => "oauth-usage",
            Self::Certificates => "certificates",
            Self::Users => "users",
            Self::Profiles => "profiles",
            Self::PermissionSets => "permission-sets",
        }
    }
}

/// A one-time message, and optionally a value to show once (a new token).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Flash {
    pub(crate) text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) secret: Option<String>,
}

/// The frame of every Setup page.
pub(crate) struct Shell {
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) org_name: String,
    pub(crate) csrf: String,
    pub(crate) flash: Option<Flash>,
    nav: Nav,
}

impl Shell {
    /// The frame for `user`: the CSRF token of this browser (a cookie is set if it had none) and
    /// the flash message left by the last POST (the cookie is cleared).
    pub(crate) fn open(
        state: &AppState,
        jar: CookieJar,
        user: &SetupUser,
        nav: Nav,
    ) -> (CookieJar, Self) {
        let (jar, csrf) = csrf_token(state, jar);
        let flash = jar
            .get(FLASH_COOKIE)
            .and_then(|c| state.data_key.open(c.value()))
            .and_then(|json| serde_json::from_str::<Flash>(&json).ok());
        let jar = if jar.get(FLASH_COOKIE).is_some() {
            jar.remove(Cookie::build(FLASH_COOKIE).path("/setup"))
        } else {
            jar
        };
        let shell = Self {
            username: user.user.user.username.clone(),
            display_name: user.user.user.display_name(),
            org_name: user.org.name.clone(),
            csrf,
            flash,
            nav,
        };
        (jar, shell)
    }

    /// For the navigation: `true` on the entry of the current page.
    pub(crate) fn at(&self, key: &str) -> bool {
        self.nav.key() == key
    }
}

/// A page with its cookies (CSRF, flash), status 200.
pub(crate) fn show(jar: CookieJar, page: &impl Template) -> Response {
    (jar, render(StatusCode::OK, page)).into_response()
}

/// A page shown again with what the user typed and the errors (status 400).
pub(crate) fn show_invalid(jar: CookieJar, page: &impl Template) -> Response {
    (jar, render(StatusCode::BAD_REQUEST, page)).into_response()
}

/// The 303 after a successful POST (RFC 9110 §15.4.4), with a message for the next page.
pub(crate) fn done(state: &AppState, jar: CookieJar, to: &str, flash: &Flash) -> Response {
    let sealed = serde_json::to_string(flash)
        .map(|json| state.data_key.seal(&json))
        .unwrap_or_default();
    let cookie = Cookie::build((FLASH_COOKIE, sealed))
        .path("/setup")
        .http_only(true)
        .secure(state.web.secure_cookies)
        .same_site(SameSite::Strict)
        .build();
    (jar.add(cookie), Redirect::to(to)).into_response()
}

/// A plain flash message.
pub(crate) fn note(text: impl Into<String>) -> Flash {
    Flash {
        text: text.into(),
        secret: None,
    }
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(Deserialize)]
pub(crate) struct ButtonForm {
    pub(crate) csrf_token: Option<String>,
}

/// A URL-encoded form whose fields may repeat (a list of checkboxes), which `axum::Form`
/// cannot read into a list.
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of a field, or "".
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a field, in form order.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Refuses the form unless it carries this browser's CSRF token.
    pub(crate) fn check_csrf(&self, jar: &CookieJar) -> Result<(), Response> {
        check_csrf(jar, Some(self.get("csrf_token")))
    }
}

/// Refuses a form without this browser's CSRF token.
pub(crate) fn check_csrf(jar: &CookieJar, submitted: Option<&str>) -> Result<(), Response> {
    if csrf_ok(jar, submitted) {
        Ok(())
    } else {
        Err(csrf_failure())
    }
}

#[derive(Template)]
#[template(path = "setup/problem.html")]
struct ProblemPage<'a> {
    heading: &'a str,
    message: &'a str,
    forbidden: bool,
}

/// A page that explains why nothing happened.
pub(crate) fn problem(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = ProblemPage {
        heading,
        message,
        forbidden: status == StatusCode::FORBIDDEN,
    };
    render(status, &page)
}

/// The 403 page: what is missing, in the words of the seed's table.
pub(crate) fn forbidden(message: &str) -> Response {
    problem(StatusCode::FORBIDDEN, "Insufficient Privileges", message)
}

/// The 404 page.
pub(crate) fn not_found(what: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Not Found",
        &format!("There is no {what}. It may have been deleted or renamed."),
    )
}

/// `2026-03-21 14:05 UTC` for Unix milliseconds (Setup shows times in UTC: the server keeps no
/// time zone per browser).
pub(crate) fn format_time(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
const fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::format_time;

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_700_000_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
