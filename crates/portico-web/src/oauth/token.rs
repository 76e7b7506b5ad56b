//! `POST /services/oauth2/token`: every grant (RFC 6749 §3.2). The handler parses, hands the
//! request to `portico_core::grant::exchange` and renders the result in the requested format.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::OAuthError;
use portico_core::client_auth::ClientCredentials;
use portico_core::grant;

use crate::error::oauth_status;
use crate::extract::{OAuthParams, basic_credentials};
use crate::oauth::format::Format;
use crate::rate_limit::{RateLimits, exceeded};
use crate::state::AppState;

pub(crate) async fn post(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    headers: HeaderMap,
    OAuthParams(params): OAuthParams,
) -> Response {
    let format = Format::choose(params.get("format"), &headers);
    let creds = basic_credentials(&headers)
        .and_then(|basic| {
            ClientCredentials::combine(basic, params.get("client_id"), params.get("client_secret"))
        })
        .and_then(|creds| creds.with_assertion(&params, &state.tokens, state.clock.now()));
    // A failed Basic or assertion authentication is a 401 (RFC 6749 §5.2; ATK-49).
    let via_basic = creds
        .as_ref()
        .is_ok_and(|c| c.via_basic || c.client_assertion.is_some());
    let client_id = creds
        .as_ref()
        .ok()
        .and_then(|c| c.client_id.as_deref())
        .or_else(|| params.get("client_id"));
    if let Some(client_id) = client_id
        && !limits.allow_client(client_id)
    {
        return error_response(format, &exceeded(), via_basic);
    }
    // A body Salesforce does not read (JSON, …) carries no grant_type it can see: it answers
    // `unsupported_grant_type` / `grant type not supported` (`reference/salesforce-oauth.md`
    // §3.0), where a form without grant_type is an `invalid_request`.
    if params.get("grant_type").is_none() && !is_form_body(&headers) {
        return error_response(
            format,
            &OAuthError::unsupported_grant_type("grant type not supported"),
            via_basic,
        );
    }
    // Salesforce's device authorization request comes here without a grant_type (§3.4).
    if params.get("grant_type").is_none() && params.get("response_type") == Some("device_code") {
        return super::device::respond(&state, format, creds, &params).await;
    }
    let result = match creds {
        Ok(creds) => grant::exchange(&state.grant_context(), &params, &creds).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(response) => {
            let json = serde_json::to_value(&response).unwrap_or_default();
            format.render(StatusCode::OK, "OAuth", &response.pairs(), &json)
        }
        Err(error) => error_response(format, &error, via_basic),
    }
}

/// Whether the request body is one the token endpoint reads: form-urlencoded, multipart, or
/// none (a bodiless POST's query string).
fn is_form_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| {
            let ct = ct.trim_start().to_ascii_lowercase();
            ct.starts_with("application/x-www-form-urlencoded")
                || ct.starts_with("multipart/form-data")
        })
}

/// An OAuth error in the requested format, with `WWW-Authenticate` when Basic auth failed.
pub(crate) fn error_response(format: Format, error: &OAuthError, via_basic: bool) -> Response {
    let status = oauth_status(error.code, via_basic);
    let pairs = [
        ("error", error.code.as_str().to_owned()),
        ("error_description", error.description.to_string()),
    ];
    let json =
        serde_json::json!({"error": error.code.as_str(), "error_description": error.description});
    let mut res = format.render(status, "OAuth", &pairs, &json);
    if status == StatusCode::UNAUTHORIZED && via_basic {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"portico\""),
        );
    }
    res.into_response()
}
