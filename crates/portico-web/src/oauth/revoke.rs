//! `POST|GET /services/oauth2/revoke` (RFC 7009, Salesforce §5.2): form POST, `GET ?token=`, or
//! JSONP with `callback`. 200 with an empty body on success; 400 `invalid_token` /
//! `unsupported_token_type` otherwise.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::client_auth::{ClientCredentials, authenticate};
use portico_core::token::revoke::revoke;
use portico_core::{ErrorCode, OAuthError};

use super::format::Format;
use super::jsonp;
use super::token::error_response;
use crate::extract::{OAuthParams, basic_credentials};
use crate::state::AppState;

async fn check_client(
    state: &AppState,
    headers: &HeaderMap,
    params: &portico_core::grant::Params,
) -> Result<(), OAuthError> {
    let creds = basic_credentials(headers)
        .and_then(|basic| {
            ClientCredentials::combine(basic, params.get("client_id"), params.get("client_secret"))
        })
        .and_then(|creds| creds.with_assertion(params, &state.tokens, state.clock.now()))?;
    if creds.via_basic || creds.client_secret.is_some() || creds.client_assertion.is_some() {
        authenticate(state.store.as_ref(), &state.data_key, &creds).await?;
    }
    Ok(())
}

pub(crate) async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthParams(params): OAuthParams,
) -> Response {
    // A request refused for its callback must revoke nothing.
    if params
        .get("callback")
        .is_some_and(|c| !jsonp::valid_callback(c))
    {
        return jsonp::invalid_callback();
    }
    // No client authentication is required (Salesforce §5.2), but credentials that are sent —
    // a secret, Basic, or a client assertion — must be right: a failed one revokes nothing.
    if let Err(e) = check_client(&state, &headers, &params).await {
        return error_response(Format::Json, &e, true);
    }
    let result = match params.get("token") {
        Some(token) => {
            revoke(
                state.store.as_ref(),
                state.clock.as_ref(),
                token,
                params.get("token_type_hint"),
            )
            .await
        }
        None => Err(OAuthError::invalid_request(
            "missing required parameter: token",
        )),
    };
    if let Some(callback) = params.get("callback") {
        let body = match &result {
            Ok(()) => serde_json::json!({}),
            Err(e) => {
                serde_json::json!({"error": e.code.as_str(), "error_description": e.description})
            }
        };
        return jsonp::respond(callback, &body);
    }
    match result {
        Ok(()) => (StatusCode::OK, [(header::CONTENT_LENGTH, "0")]).into_response(),
        Err(e) => {
            let mut res = error_response(Format::choose(params.get("format"), &headers), &e, false);
            // Salesforce answers every revocation failure with 400, `invalid_token` included
            // (§5.2), where resource endpoints would say 401.
            if e.code == ErrorCode::InvalidToken {
                *res.status_mut() = StatusCode::BAD_REQUEST;
            }
            res
        }
    }
}
