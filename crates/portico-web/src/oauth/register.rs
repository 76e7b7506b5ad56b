//! Dynamic client registration: `POST /services/oauth2/register` with the registrar's initial
//! access token (RFC 7591 §3), and `GET`, `PUT`, `DELETE /services/oauth2/register/{client_id}`
//! with the client's registration access token (RFC 7592 §2). JSON in and out; the rules live in
//! `portico_core::registration`.
//!
//! A missing or wrong token is 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3, RFC 7592 §2);
//! bad metadata is 400 `invalid_redirect_uri` / `invalid_client_metadata` (RFC 7591 §3.2.2); a
//! registrar over its hourly registrations gets 429.

use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::registration::{self, authenticate_client, authenticate_registrar};
use portico_core::{ErrorCode, OAuthError};
use serde_json::Value;

use crate::error::oauth_status;
use crate::extract::bearer_token;
use crate::rate_limit::{RateLimits, exceeded};
use crate::state::AppState;

/// An error as RFC 7591 §3.2.2 / RFC 6750 §3.1 shape it.
fn error(e: &OAuthError, had_token: bool) -> Response {
    let status = oauth_status(e.code, false);
    let body =
        Json(serde_json::json!({"error": e.code.as_str(), "error_description": e.description}));
    let mut res = (status, body).into_response();
    if status == StatusCode::UNAUTHORIZED {
        // RFC 6750 §3.1: no error code when the request carried no token at all.
        let challenge = if had_token {
            "Bearer error=\"invalid_token\""
        } else {
            "Bearer"
        };
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    res
}

/// The request body as JSON (RFC 7591 §3.1: `application/json`).
fn json_body(body: &Bytes) -> Result<Value, OAuthError> {
    serde_json::from_slice(body).map_err(|_| {
        OAuthError::new(
            ErrorCode::InvalidClientMetadata,
            "the request body must be a JSON object of client metadata (RFC 7591 §3.1)",
        )
    })
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = state.grant_context();
    let token = bearer_token(&headers);
    let registrar = match authenticate_registrar(ctx.store, token.as_deref()).await {
        Ok(app) => app,
        Err(e) => return error(&e, token.is_some()),
    };
    if !limits.allow_registration(registrar.id.as_str()) {
        tracing::warn!(registrar = %registrar.id, "registration rate limit exceeded");
        return error(&exceeded(), true);
    }
    let result = match json_body(&body) {
        Ok(metadata) => registration::register(&ctx, &registrar, &metadata).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(info) => (StatusCode::CREATED, Json(info)).into_response(),
        Err(e) => error(&e, true),
    }
}

pub(crate) async fn read(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = state.grant_context();
    let token = bearer_token(&headers);
    match authenticate_client(ctx.store, &client_id, token.as_deref()).await {
        Ok((app, reg)) => Json(registration::read(
            &ctx,
            &app,
            &reg,
            token.as_deref().unwrap_or_default(),
        ))
        .into_response(),
        Err(e) => error(&e, token.is_some()),
    }
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = state.grant_context();
    let token = bearer_token(&headers);
    let (app, reg) = match authenticate_client(ctx.store, &client_id, token.as_deref()).await {
        Ok(found) => found,
        Err(e) => return error(&e, token.is_some()),
    };
    let result = match json_body(&body) {
        Ok(metadata) => registration::update(&ctx, app, reg, &metadata).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(info) => Json(info).into_response(),
        Err(e) => error(&e, true),
    }
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = state.grant_context();
    let token = bearer_token(&headers);
    let result = match authenticate_client(ctx.store, &client_id, token.as_deref()).await {
        Ok((app, _)) => registration::delete(ctx.store, &app).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e, token.is_some()),
    }
}
