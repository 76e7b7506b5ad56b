//! `POST /services/oauth2/introspect` (RFC 7662 §2): the caller authenticates as a client
//! (body, Basic, or a client assertion); a missing or failed client authentication is 401. Each
//! client id has the token endpoint's per-client rate limit, so introspection can serve neither
//! to guess a secret nor to scan for tokens (`reference/security.md` §3.3).

use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::client_auth::{ClientCredentials, authenticate};
use portico_core::token::introspect::introspect;
use portico_core::{ErrorCode, OAuthError};

use crate::extract::{OAuthParams, basic_credentials};
use crate::oauth::format::Format;
use crate::oauth::token::error_response;
use crate::rate_limit::{RateLimits, exceeded};
use crate::state::AppState;

fn unauthorized(error: &OAuthError) -> Response {
    let mut res = (
        StatusCode::UNAUTHORIZED,
        Json(
            serde_json::json!({"error": "invalid_client", "error_description": error.description}),
        ),
    )
        .into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"portico\""),
    );
    res
}

pub(crate) async fn post(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    headers: HeaderMap,
    OAuthParams(params): OAuthParams,
) -> Response {
    let ctx = state.grant_context();
    let creds = match basic_credentials(&headers)
        .and_then(|basic| {
            ClientCredentials::combine(basic, params.get("client_id"), params.get("client_secret"))
        })
        .and_then(|creds| creds.with_assertion(&params, &state.tokens, state.clock.now()))
    {
        Ok(c) => c,
        Err(e) => return unauthorized(&e),
    };
    if let Some(client_id) = creds.client_id.as_deref()
        && !limits.allow_client(client_id)
    {
        return error_response(Format::Json, &exceeded(), false);
    }
    let client = match authenticate(ctx.store, ctx.data_key, &creds).await {
        Ok(c) if c.secret_verified => c,
        Ok(_) => {
            return unauthorized(&OAuthError::invalid_client(
                "client authentication is required to introspect tokens",
            ));
        }
        Err(e) if e.code == ErrorCode::ServerError => {
            return error_response(Format::Json, &e, false);
        }
        Err(e) => return unauthorized(&e),
    };
    let Some(token) = params.get("token") else {
        return error_response(
            Format::Json,
            &OAuthError::invalid_request("missing required parameter: token"),
            false,
        );
    };
    match introspect(&ctx, &client, token, params.get("token_type_hint")).await {
        Ok(body) => Json(body).into_response(),
        Err(e) => error_response(Format::Json, &e, false),
    }
}
