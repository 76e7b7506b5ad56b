//! The authorization endpoint (RFC 6749 §3.1, §4.1.1, §4.2.1; OIDC Core §3.1.2): validates the
//! request in a fixed order and decides what happens next — show an error page, redirect an
//! error to the client, ask the user to log in, ask for consent, or approve. It does no I/O;
//! the web layer fetches the inputs and carries out the decision.
//!
//! Order matters (RFC 9700 §4.1, BCP-04): the client and its redirect URI are verified before
//! any error is sent to that URI; until then errors are shown as a page.

pub mod pkce;

use crate::access::{UserContext, check_app_access, oauth_config};
use crate::clock::UnixMillis;
use crate::connected_app::{ConnectedApp, OAuthConfig};
use crate::grant::{GrantContext, Params};
use crate::ids::SfId;
use crate::scope::{Scope, ScopeSet};
use crate::secret::{TokenHash, random_token};
use crate::session::Session;
use crate::token::AuthorizationCode;
use crate::{ErrorCode, OAuthError};

/// The response types Portico implements: the web server flow and the user-agent flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
    TokenIdToken,
}

impl ResponseType {
    fn parse(s: &str) -> Option<Self> {
        let mut parts: Vec<_> = s.split_whitespace().collect();
        parts.sort_unstable();
        match parts.as_slice() {
            ["code"] => Some(Self::Code),
            ["token"] => Some(Self::Token),
            ["id_token", "token"] => Some(Self::TokenIdToken),
            _ => None,
        }
    }

    /// Code responses go in the query; tokens go in the fragment (RFC 6749 §4.2.2).
    pub fn uses_fragment(self) -> bool {
        !matches!(self, Self::Code)
    }
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub response_type: ResponseType,
    pub redirect_uri: String,
    pub scopes: ScopeSet,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub prompt_login: bool,
    pub prompt_consent: bool,
    pub prompt_none: bool,
    pub immediate: bool,
    pub login_hint: Option<String>,
    pub max_age: Option<i64>,
}

/// An error to deliver to the verified redirect URI.
#[derive(Debug, Clone)]
pub struct RedirectError {
    pub redirect_uri: String,
    pub fragment: bool,
    pub error: OAuthError,
    pub state: Option<String>,
}

/// What the endpoint does next.
#[derive(Debug)]
pub enum Decision {
    /// Not safe to redirect (unknown client, bad redirect URI): show the error as a page.
    ShowError(OAuthError),
    /// Redirect the error to the client.
    Redirect(RedirectError),
    /// The user must log in first.
    NeedsLogin,
    /// The user must approve the requested scopes.
    NeedsConsent,
    /// Approved: issue a code or tokens. `remember_consent` is set when the user just allowed.
    Approved { remember_consent: bool },
}

/// Step 1: the client and redirect URI. Errors here are shown as a page, never redirected.
pub fn check_client<'a>(
    app: Option<&'a ConnectedApp>,
    params: &Params,
) -> Result<(&'a ConnectedApp, String), OAuthError> {
    // A repeated client_id or redirect_uri leaves the client or its redirect URI ambiguous:
    // nothing may be redirected (RFC 6749 §3.1, §4.1.2.1; `reference/security.md` ATK-11).
    params.check_no_duplicates(&["client_id", "redirect_uri"])?;
    if params.get("client_id").is_none() {
        return Err(OAuthError::new(
            ErrorCode::InvalidClientId,
            "client identifier invalid: client_id is missing",
        ));
    }
    let app = app.ok_or_else(OAuthError::invalid_client_id)?;
    let oauth = oauth_config(app)?;
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(OAuthError::new(
            ErrorCode::RedirectUriMissing,
            "redirect_uri must be provided",
        ));
    };
    if !oauth.matches_callback(redirect_uri) {
        return Err(OAuthError::new(
            ErrorCode::RedirectUriMismatch,
            "redirect_uri must match configuration",
        ));
    }
    Ok((app, redirect_uri.to_owned()))
}

/// Step 2: the rest of the request, with errors redirected to the verified URI.
pub fn parse_request(
    oauth: &OAuthConfig,
    redirect_uri: &str,
    params: &Params,
) -> Result<AuthorizeRequest, RedirectError> {
    let state = params.get("state").map(str::to_owned);
    let response_type = params.get("response_type").and_then(ResponseType::parse);
    let fragment = response_type.is_some_and(ResponseType::uses_fragment);
    let fail = |error: OAuthError| RedirectError {
        redirect_uri: redirect_uri.to_owned(),
        fragment,
        error,
        state: state.clone(),
    };

    params
        .check_no_duplicates(&[
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
            "nonce",
        ])
        .map_err(&fail)?;
    let Some(response_type) = response_type else {
        return Err(fail(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            "response type not supported",
        )));
    };
    let scopes = match params.get("scope") {
        None => oauth.scopes.clone(),
        Some(s) => {
            let requested = ScopeSet::parse(s).map_err(|bad| {
                fail(OAuthError::invalid_scope(format!(
                    "requested scope is invalid, unknown, or malformed: {bad}"
                )))
            })?;
            oauth.scopes.admits(&requested).map_err(|missing| {
                fail(OAuthError::invalid_scope(format!(
                    "requested scope is invalid, unknown, or malformed: {} is not a selected OAuth scope of this connected app",
                    missing.token()
                )))
            })?;
            requested
        }
    };
    let code_challenge = match params.get("code_challenge") {
        Some(challenge) => {
            pkce::check_challenge(challenge, params.get("code_challenge_method")).map_err(&fail)?;
            Some(challenge.to_owned())
        }
        None if params.get("code_challenge_method").is_some() => {
            return Err(fail(OAuthError::invalid_request(
                "code_challenge_method was sent without code_challenge",
            )));
        }
        None => None,
    };
    if oauth.is_pkce_required && response_type == ResponseType::Code && code_challenge.is_none() {
        return Err(fail(OAuthError::invalid_request(
            "this connected app requires PKCE (Require Proof Key for Code Exchange): send code_challenge",
        )));
    }
    let prompt: Vec<&str> = params
        .get("prompt")
        .map(|p| p.split_whitespace().collect())
        .unwrap_or_default();
    let prompt_none = prompt.contains(&"none");
    if prompt_none && prompt.len() > 1 {
        return Err(fail(OAuthError::invalid_request(
            "prompt=none cannot be combined with other prompt values",
        )));
    }
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            fail(OAuthError::invalid_request(
                "max_age must be a non-negative number of seconds",
            ))
        })?),
    };
    Ok(AuthorizeRequest {
        response_type,
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: state.clone(),
        code_challenge,
        nonce: params.get("nonce").map(str::to_owned),
        prompt_login: prompt.contains(&"login"),
        prompt_consent: prompt.contains(&"consent"),
        prompt_none,
        immediate: params.get("immediate") == Some("true"),
        login_hint: params.get("login_hint").map(str::to_owned),
        max_age,
    })
}

/// The user's answer on the consent page, if this request carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentAnswer {
    Allow,
    Deny,
}

/// Step 3: decide, given the session, the stored consent and any answer from the consent page.
/// The login page is sent back here without `prompt=login` and `max_age`, which the new login
/// satisfies, so a fresh login never loops.
pub fn decide(
    req: &AuthorizeRequest,
    app: &ConnectedApp,
    session: Option<(&Session, &UserContext)>,
    consent: Option<&ScopeSet>,
    answer: Option<ConsentAnswer>,
    now: UnixMillis,
) -> Decision {
    let redirect = |error: OAuthError| {
        Decision::Redirect(RedirectError {
            redirect_uri: req.redirect_uri.clone(),
            fragment: req.response_type.uses_fragment(),
            error,
            state: req.state.clone(),
        })
    };
    let Some((session, user)) = session else {
        if req.immediate {
            return redirect(OAuthError::new(
                ErrorCode::ImmediateUnsuccessful,
                "immediate unsuccessful",
            ));
        }
        if req.prompt_none {
            return redirect(OAuthError::new(
                ErrorCode::LoginRequired,
                "the user is not logged in",
            ));
        }
        return Decision::NeedsLogin;
    };
    let too_old = req
        .max_age
        .is_some_and(|max| now.secs() - session.auth_time.secs() > max);
    if req.prompt_login || too_old {
        if req.prompt_none || req.immediate {
            return redirect(OAuthError::new(
                ErrorCode::LoginRequired,
                "the user must log in again",
            ));
        }
        return Decision::NeedsLogin;
    }
    if let Err(e) = check_app_access(app, user) {
        return Decision::ShowError(e);
    }
    let Some(oauth) = app.oauth() else {
        return Decision::ShowError(OAuthError::invalid_client_id());
    };
    if oauth.is_admin_approved {
        return Decision::Approved {
            remember_consent: false,
        };
    }
    match answer {
        Some(ConsentAnswer::Allow) => {
            return Decision::Approved {
                remember_consent: true,
            };
        }
        Some(ConsentAnswer::Deny) => {
            return redirect(OAuthError::access_denied("end-user denied authorization"));
        }
        None => {}
    }
    let consented = consent.is_some_and(|granted| req.scopes.iter().all(|s| granted.contains(s)));
    if consented && !req.prompt_consent {
        return Decision::Approved {
            remember_consent: false,
        };
    }
    if req.immediate {
        return redirect(OAuthError::new(
            ErrorCode::ImmediateUnsuccessful,
            "immediate unsuccessful",
        ));
    }
    if req.prompt_none {
        return redirect(OAuthError::new(
            ErrorCode::ConsentRequired,
            "the user has not approved this app",
        ));
    }
    Decision::NeedsConsent
}

/// Issues an authorization code for an approved request and returns the raw code.
pub async fn issue_code(
    ctx: &GrantContext<'_>,
    app: &ConnectedApp,
    user_id: &SfId,
    session: &Session,
    req: &AuthorizeRequest,
) -> Result<String, OAuthError> {
    let now = ctx.clock.now();
    let raw = random_token();
    ctx.store
        .insert_code(&AuthorizationCode {
            hash: TokenHash::of(&raw),
            app_id: app.id.clone(),
            user_id: user_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            scopes: req.scopes.clone(),
            code_challenge: req.code_challenge.clone(),
            nonce: req.nonce.clone(),
            session_hash: Some(session.id_hash.clone()),
            auth_time: session.auth_time,
            created_at: now,
            expires_at: now.plus_secs(ctx.settings.code_secs),
        })
        .await?;
    Ok(raw)
}

/// Whether the user-agent flow may return a refresh token: only when `refresh_token` was
/// granted and the callback is a custom scheme, where the token stays on the device
/// (`reference/salesforce-oauth.md` §3.2).
pub fn user_agent_gets_refresh_token(req: &AuthorizeRequest) -> bool {
    req.scopes.contains(Scope::RefreshToken)
        && url::Url::parse(&req.redirect_uri).is_ok_and(|u| !matches!(u.scheme(), "http" | "https"))
}

/// Builds the redirect to the client: parameters in the query (code) or fragment (tokens),
/// always with `iss` (RFC 9207). A registered query string is kept (OAuth 2.1 §4.1.2).
pub fn redirect_url(redirect_uri: &str, fragment: bool, pairs: &[(&str, String)]) -> String {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    if fragment {
        format!("{redirect_uri}#{encoded}")
    } else if redirect_uri.contains('?') {
        format!("{redirect_uri}&{encoded}")
    } else {
        format!("{redirect_uri}?{encoded}")
    }
}

impl RedirectError {
    /// The URL that delivers this error, with `state` and `iss`.
    pub fn url(&self, issuer: &str) -> String {
        let mut pairs = vec![
            ("error", self.error.code.as_str().to_owned()),
            ("error_description", self.error.description.to_string()),
        ];
        if let Some(state) = &self.state {
            pairs.push(("state", state.clone()));
        }
        pairs.push(("iss", issuer.to_owned()));
        redirect_url(&self.redirect_uri, self.fragment, &pairs)
    }
}

#[cfg(test)]
mod tests;
