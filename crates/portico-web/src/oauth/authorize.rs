//! `GET|POST /services/oauth2/authorize`: the web server and user-agent flows' browser leg. The
//! handler fetches what `portico_core::authorize` needs, lets it decide, and carries out the
//! decision: an error page, a redirect, the login page, the consent page, or a code/tokens.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use portico_core::OAuthError;
use portico_core::access::UserContext;
use portico_core::authorize::{self, AuthorizeRequest, ConsentAnswer, Decision, ResponseType};
use portico_core::connected_app::ConnectedApp;
use portico_core::grant::Params;
use portico_core::session::Session;
use portico_core::token::issue::{IssueRequest, RefreshIssue, issue};

use crate::extract::OAuthParams;
use crate::pages::{csrf_failure, csrf_ok, csrf_token, current_session, oauth_error_page, render};
use crate::state::AppState;

const PATH: &str = "/services/oauth2/authorize";
/// Form fields of the consent page that are not authorization parameters.
const CONSENT_FIELDS: &[&str] = &["csrf_token", "consent_decision"];

pub(crate) async fn get(state: State<AppState>, jar: CookieJar, params: OAuthParams) -> Response {
    handle(state, jar, params, Method::GET).await
}

pub(crate) async fn post(state: State<AppState>, jar: CookieJar, params: OAuthParams) -> Response {
    handle(state, jar, params, Method::POST).await
}

async fn handle(
    State(state): State<AppState>,
    jar: CookieJar,
    OAuthParams(params): OAuthParams,
    method: Method,
) -> Response {
    match run(&state, jar, &params, &method).await {
        Ok(response) => response,
        Err(e) => oauth_error_page(&e),
    }
}

async fn run(
    state: &AppState,
    jar: CookieJar,
    params: &Params,
    method: &Method,
) -> Result<Response, OAuthError> {
    let app = match params.get("client_id") {
        Some(id) => state.store.find_app_by_consumer_key(id).await?,
        None => None,
    };
    let (app, redirect_uri) = match authorize::check_client(app.as_ref(), params) {
        Ok(ok) => ok,
        Err(e) => return Ok(oauth_error_page(&e)),
    };
    let Some(oauth) = app.oauth() else {
        return Ok(oauth_error_page(&OAuthError::invalid_client_id()));
    };
    let req = match authorize::parse_request(oauth, &redirect_uri, params) {
        Ok(req) => req,
        Err(e) => return Ok(redirect(&e.url(&state.tokens.issuer), method)),
    };

    let answer = match params.get("consent_decision") {
        Some(decision) if *method == Method::POST => {
            if !csrf_ok(&jar, params.get("csrf_token")) {
                return Ok(csrf_failure());
            }
            Some(if decision == "allow" {
                ConsentAnswer::Allow
            } else {
                ConsentAnswer::Deny
            })
        }
        _ => None,
    };
    let session = current_session(state, &jar).await?;
    let consent = match &session {
        Some((_, user)) => state.store.find_consent(&user.user.id, &app.id).await?,
        None => None,
    };
    let now = state.clock.now();
    let decision = authorize::decide(
        &req,
        app,
        session.as_ref().map(|(s, u)| (s, u)),
        consent.as_ref(),
        answer,
        now,
    );
    match decision {
        Decision::ShowError(e) => Ok(oauth_error_page(&e)),
        Decision::Redirect(e) => Ok(redirect(&e.url(&state.tokens.issuer), method)),
        Decision::NeedsLogin => Ok(redirect(&login_url(params, &req), method)),
        Decision::NeedsConsent => {
            let (_, user) = session.as_ref().ok_or_else(OAuthError::server_error)?;
            Ok(consent_page(state, jar, app, &req, user, params))
        }
        Decision::Approved { remember_consent } => {
            let (session, user) = session.as_ref().ok_or_else(OAuthError::server_error)?;
            if remember_consent {
                let mut granted = consent.unwrap_or_default();
                req.scopes.iter().for_each(|s| granted.insert(s));
                state
                    .store
                    .save_consent(&user.user.id, &app.id, &granted, now)
                    .await?;
            }
            let url = approve(state, app, session, user, &req).await?;
            Ok(redirect(&url, method))
        }
    }
}

/// Issues a code (web server flow) or tokens (user-agent flow) and returns the client redirect.
async fn approve(
    state: &AppState,
    app: &ConnectedApp,
    session: &Session,
    user: &UserContext,
    req: &AuthorizeRequest,
) -> Result<String, OAuthError> {
    let ctx = state.grant_context();
    let mut pairs: Vec<(&str, String)> = Vec::new();
    match req.response_type {
        ResponseType::Code => {
            let code = authorize::issue_code(&ctx, app, &user.user.id, session, req).await?;
            pairs.push(("code", code));
        }
        ResponseType::Token | ResponseType::TokenIdToken => {
            let refresh = if authorize::user_agent_gets_refresh_token(req) {
                RefreshIssue::New
            } else {
                RefreshIssue::None
            };
            let response = issue(
                &ctx,
                IssueRequest {
                    app,
                    user: &user.user,
                    scopes: req.scopes.clone(),
                    refresh_token: refresh,
                    code_hash: None,
                    session_hash: Some(session.id_hash.clone()),
                    nonce: req.nonce.clone(),
                    auth_time: session.auth_time,
                    with_signature: true,
                    // Only `token id_token` asks for an ID token in the user-agent flow.
                    id_token: req.response_type == ResponseType::TokenIdToken,
                },
            )
            .await?;
            pairs.extend(response.pairs());
        }
    }
    if let Some(s) = &req.state {
        pairs.push(("state", s.clone()));
    }
    pairs.push(("iss", state.tokens.issuer.clone()));
    Ok(authorize::redirect_url(
        &req.redirect_uri,
        req.response_type.uses_fragment(),
        &pairs,
    ))
}

/// The login page, set to come back to this request. `prompt=login` and `max_age` are dropped
/// from the way back: the login the user is about to do satisfies them.
fn login_url(params: &Params, req: &AuthorizeRequest) -> String {
    let back: Vec<(String, String)> = params
        .pairs()
        .iter()
        .filter(|(k, _)| !CONSENT_FIELDS.contains(&k.as_str()) && k != "max_age")
        .map(|(k, v)| {
            if k == "prompt" {
                let rest: Vec<&str> = v.split_whitespace().filter(|p| *p != "login").collect();
                (k.clone(), rest.join(" "))
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let start = format!(
        "{PATH}?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(back)
            .finish()
    );
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("startURL", &start);
    if let Some(hint) = &req.login_hint {
        query.append_pair("login_hint", hint);
    }
    format!("/login?{}", query.finish())
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    app_label: &'a str,
    logo_url: Option<&'a str>,
    scopes: Vec<&'static str>,
    username: &'a str,
    action: &'a str,
    csrf_token: &'a str,
    hidden: Vec<(&'a str, &'a str)>,
}

fn consent_page(
    state: &AppState,
    jar: CookieJar,
    app: &ConnectedApp,
    req: &AuthorizeRequest,
    user: &UserContext,
    params: &Params,
) -> Response {
    let (jar, csrf) = csrf_token(state, jar);
    let hidden = params
        .pairs()
        .iter()
        .filter(|(k, _)| !CONSENT_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let page = ConsentPage {
        app_label: &app.settings.label,
        logo_url: app.settings.logo_url.as_deref(),
        scopes: req
            .scopes
            .iter()
            .map(portico_core::scope::Scope::label)
            .collect(),
        username: &user.user.username,
        action: PATH,
        csrf_token: &csrf,
        hidden,
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

/// 302 for a GET; 303 after a POST, so the browser does not re-post the form (RFC 9700 §4.12).
fn redirect(location: &str, method: &Method) -> Response {
    let status = if *method == Method::POST {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::FOUND
    };
    match HeaderValue::from_str(location) {
        Ok(value) => (status, [(header::LOCATION, value)]).into_response(),
        Err(_) => oauth_error_page(&OAuthError::invalid_request(
            "the redirect URL is not a valid header value",
        )),
    }
}
