//! The device authorization request (RFC 8628 §3.1–§3.2), both ways: `POST
//! /services/oauth2/device/authorize` for standard clients, and Salesforce's `response_type=
//! device_code` on the token endpoint (`reference/salesforce-oauth.md` §3.4), which the token
//! handler hands here. Form-urlencoded and multipart bodies alike; the response honours `format`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_core::OAuthError;
use portico_core::client_auth::ClientCredentials;
use portico_core::grant::{self, Params};

use crate::extract::{OAuthParams, basic_credentials};
use crate::oauth::format::Format;
use crate::oauth::token::error_response;
use crate::rate_limit::{RateLimits, exceeded};
use crate::state::AppState;

/// `POST /services/oauth2/device/authorize`.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    headers: HeaderMap,
    OAuthParams(params): OAuthParams,
) -> Response {
    let format = Format::choose(params.get("format"), &headers);
    let creds = client_credentials(&state, &headers, &params);
    let client_id = creds
        .as_ref()
        .ok()
        .and_then(|c| c.client_id.as_deref())
        .or_else(|| params.get("client_id"));
    if let Some(client_id) = client_id
        && !limits.allow_client(client_id)
    {
        return error_response(format, &exceeded(), false);
    }
    respond(&state, format, creds, &params).await
}

/// The request's client credentials: HTTP Basic or body, or a `private_key_jwt` assertion.
pub(crate) fn client_credentials(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<ClientCredentials, OAuthError> {
    basic_credentials(headers)
        .and_then(|basic| {
            ClientCredentials::combine(basic, params.get("client_id"), params.get("client_secret"))
        })
        .and_then(|creds| creds.with_assertion(params, &state.tokens, state.clock.now()))
}

/// Runs the request and renders the response or the error.
pub(crate) async fn respond(
    state: &AppState,
    format: Format,
    creds: Result<ClientCredentials, OAuthError>,
    params: &Params,
) -> Response {
    let via_basic = creds.as_ref().is_ok_and(|c| c.via_basic);
    let result = match creds {
        Ok(creds) => grant::device::authorize(&state.grant_context(), params, &creds).await,
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
