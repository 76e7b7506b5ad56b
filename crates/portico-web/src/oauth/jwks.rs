//! `GET /id/keys`: the JSON Web Key Set of the server's signing keys (RFC 7517 §5). It ignores
//! any `Authorization` header (CONTRACT §2).

use axum::extract::State;
use axum::Json;
use portico_core::keys::KeyRing;

use crate::state::AppState;

pub(crate) async fn get(State(state): State<AppState>) -> Json<jsonwebtoken::jwk::JwkSet> {
    Json(KeyRing::jwks(&state.keys))
}
