//! `/services/auth/idp/oidc/logout`, the `end_session_endpoint` (OIDC RP-Initiated Logout 1.0
//! §2–§3, `reference/security.md` §3.8).
//!
//! With a valid `id_token_hint` (signed by this server; expired hints are fine, `alg: none` and
//! foreign keys are not) for the logged-in user, the session ends at once. Without one, a
//! cross-site GET (an image tag) could log anyone out, so the user confirms with a CSRF-checked
//! form first. `post_logout_redirect_uri` is followed only when it is exactly one of the hint
//! app's registered callback URLs; otherwise the user lands on Portico's logged-out page.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use portico_core::logout::verify_id_token;
use serde::Deserialize;

use crate::pages::logout::{log_out, logged_out_page};
use crate::pages::{csrf_failure, csrf_ok, csrf_token, current_session, render};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub(crate) struct EndSessionParams {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    csrf_token: Option<String>,
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct ConfirmPage<'a> {
    csrf_token: &'a str,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<EndSessionParams>,
) -> Response {
    end_session(state, jar, q, false).await
}

/// The confirmation form posts here; RP-Initiated Logout §2 also allows POSTing the parameters.
pub(crate) async fn post(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(q): Form<EndSessionParams>,
) -> Response {
    let confirmed = q.csrf_token.is_some();
    if confirmed && !csrf_ok(&jar, q.csrf_token.as_deref()) {
        return csrf_failure();
    }
    end_session(state, jar, q, confirmed).await
}

async fn end_session(
    state: AppState,
    jar: CookieJar,
    q: EndSessionParams,
    confirmed: bool,
) -> Response {
    let hint = q
        .id_token_hint
        .as_deref()
        .and_then(|jwt| verify_id_token(&state.keys, &state.tokens.issuer, jwt, None));
    let session = match current_session(&state, &jar).await {
        Ok(s) => s,
        Err(e) => return crate::pages::oauth_error_page(&e),
    };
    // A hint about someone else is no hint: the RP cannot speak for this browser's user.
    let hint = hint.filter(|h| match &session {
        Some((_, user)) => h.sub.rsplit('/').next() == Some(user.user.id.as_str()),
        None => true,
    });
    if session.is_some() && hint.is_none() && !confirmed {
        let (jar, csrf) = csrf_token(&state, jar);
        return (
            jar,
            render(StatusCode::OK, &ConfirmPage { csrf_token: &csrf }),
        )
            .into_response();
    }
    let target = match (&hint, q.post_logout_redirect_uri.as_deref()) {
        (Some(h), Some(uri)) => {
            redirect_target(&state, &h.audiences, uri, q.state.as_deref()).await
        }
        _ => None,
    };
    let (jar, plan) = log_out(&state, jar).await;
    match target {
        Some(url) if plan.front_channel.is_empty() => (jar, Redirect::to(&url)).into_response(),
        Some(url) => logged_out_page(&plan, Some(&url), jar),
        None => logged_out_page(&plan, None, jar),
    }
}

/// The redirect URI with `state`, when it exactly equals a callback of an app the hint was
/// issued to (no loopback-port relaxation here: logout redirects need no ephemeral ports).
async fn redirect_target(
    state: &AppState,
    audiences: &[String],
    uri: &str,
    rp_state: Option<&str>,
) -> Option<String> {
    for aud in audiences {
        let Ok(Some(app)) = state.store.find_app_by_consumer_key(aud).await else {
            continue;
        };
        if app
            .oauth()
            .is_some_and(|o| o.callback_url.iter().any(|c| c == uri))
        {
            let mut url = url::Url::parse(uri).ok()?;
            if let Some(s) = rp_state {
                url.query_pairs_mut().append_pair("state", s);
            }
            return Some(url.into());
        }
    }
    None
}
