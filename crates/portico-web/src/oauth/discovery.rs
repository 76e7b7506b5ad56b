//! `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`: the same
//! document (OIDC Discovery §4, RFC 8414 §3), open to any origin (CORS) as metadata may be.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::state::AppState;

pub(crate) async fn get(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        Json(portico_core::oidc::discovery::document(
            &state.tokens.issuer,
            state.tokens.allow_password_flow,
        )),
    )
}
