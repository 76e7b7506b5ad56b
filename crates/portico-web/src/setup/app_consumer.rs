//! Manage Consumer Details (`/setup/apps/{fullName}/consumer`): the consumer key and secret,
//! shown only after the user re-enters their password (as Salesforce verifies identity first),
//! with Generate New Secret. The password check is the login page's, lockout included; a good
//! one opens the details of that app, in that session, for a few minutes (a sealed cookie).
//! Reading and rotating the secret, and generating the initial access token for dynamic client
//! registration, are the admin API's handlers, which audit each.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use portico_core::connected_app::ConnectedApp;
use portico_core::session::{LoginError, check_password};

use super::api::{answer, app_for_page, refusal, text};
use super::page::{Fields, Flash, Nav, SetupUser, Shell, done, note, show, show_invalid};
use crate::admin_api::{app_lifecycle, registration};
use crate::state::AppState;

const REVEAL_COOKIE: &str = "portico_setup_reveal";
/// How long a verified password opens an app's consumer details.
const REVEAL_SECS: i64 = 5 * 60;

#[derive(Template)]
#[template(path = "setup/app_consumer.html")]
struct ConsumerPage {
    shell: Shell,
    label: String,
    full_name: String,
    /// `None` until the password was verified.
    details: Option<Details>,
    error: Option<&'static str>,
}

struct Details {
    consumer_key: String,
    /// `None` for a public client.
    consumer_secret: Option<String>,
}

/// The sealed grant: session, app and expiry, so that it opens nothing else.
fn grant_value(user: &SetupUser, app: &ConnectedApp, until_ms: i64) -> String {
    format!("{}|{}|{until_ms}", user.session.id_hash.as_str(), app.id)
}

pub(crate) fn has_grant(
    state: &AppState,
    jar: &CookieJar,
    user: &SetupUser,
    app: &ConnectedApp,
) -> bool {
    let Some(opened) = jar
        .get(REVEAL_COOKIE)
        .and_then(|c| state.data_key.open(c.value()))
    else {
        return false;
    };
    let Some((rest, until)) = opened.rsplit_once('|') else {
        return false;
    };
    let until: i64 = until.parse().unwrap_or(0);
    rest == format!("{}|{}", user.session.id_hash.as_str(), app.id) && state.clock.now().0 < until
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
) -> Response {
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let details = if has_grant(&state, &jar, &user, &app) {
        let consumer_secret = if app.has_secret() {
            match answer(
                app_lifecycle::reveal(State(state.clone()), user.caller(), Path(name.clone()))
                    .await,
            )
            .await
            {
                Ok(v) => Some(text(&v, "consumerSecret")),
                Err(e) => return refusal(&e),
            }
        } else {
            None
        };
        Some(Details {
            consumer_key: app.consumer_key.clone(),
            consumer_secret,
        })
    } else {
        None
    };
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    let page = ConsumerPage {
        shell,
        label: app.settings.label.clone(),
        full_name: name,
        details,
        error: None,
    };
    show(jar, &page)
}

/// Verifies the password and opens the details.
pub(crate) async fn verify(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let checked = check_password(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.tokens.login,
        &user.user.user.username,
        fields.get("password"),
    )
    .await;
    let error = match checked {
        Ok(verified) if verified.id == user.user.user.id => None,
        Ok(_) | Err(LoginError::BadCredentials | LoginError::Inactive) => {
            Some("That password isn't right. Enter the password you log in with.")
        }
        Err(LoginError::LockedOut) => {
            Some("Too many wrong passwords: your account is locked for a while. Try again later.")
        }
        Err(LoginError::Store(e)) => return refusal(&e.into()),
    };
    if let Some(error) = error {
        let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
        let page = ConsumerPage {
            shell,
            label: app.settings.label.clone(),
            full_name: name,
            details: None,
            error: Some(error),
        };
        return show_invalid(jar, &page);
    }
    let until = state.clock.now().plus_secs(REVEAL_SECS).0;
    let cookie = Cookie::build((
        REVEAL_COOKIE,
        state.data_key.seal(&grant_value(&user, &app, until)),
    ))
    .path("/setup/apps")
    .http_only(true)
    .secure(state.web.secure_cookies)
    .same_site(SameSite::Strict)
    .build();
    (
        jar.add(cookie),
        Redirect::to(&format!("/setup/apps/{name}/consumer")),
    )
        .into_response()
}

/// Generate Initial Access Token (dynamic client registration, RFC 7591 §3): shown once, on
/// the next page; an earlier token stops working.
pub(crate) async fn initial_token(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let back = format!("/setup/apps/{name}/consumer");
    if !has_grant(&state, &jar, &user, &app) {
        return Redirect::to(&back).into_response();
    }
    match answer(
        registration::generate(State(state.clone()), user.caller(), Path(name.clone())).await,
    )
    .await
    {
        Ok(v) => {
            let flash = Flash {
                text: "A new initial access token was generated; copy it now, it is shown only this once. \
                       Any earlier token no longer works."
                    .to_owned(),
                secret: Some(text(&v, "initialAccessToken")),
            };
            done(&state, jar, &back, &flash)
        }
        Err(e) => refusal(&e),
    }
}

/// Generate New Secret: the old one stops working at once.
pub(crate) async fn rotate(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let back = format!("/setup/apps/{name}/consumer");
    if !has_grant(&state, &jar, &user, &app) {
        return Redirect::to(&back).into_response();
    }
    match answer(
        app_lifecycle::rotate(State(state.clone()), user.caller(), Path(name.clone())).await,
    )
    .await
    {
        Ok(_) => done(
            &state,
            jar,
            &back,
            &note("A new consumer secret was generated. The old one no longer works."),
        ),
        Err(e) => refusal(&e),
    }
}
