//! `GET /id/keys`: the JSON Web Key Set of the server's signing keys (RFC 7517 §5), plus the
//! public keys of the org's certificates (kid = certificate name), which sign asset tokens
//! (`reference/salesforce-oauth.md` §3.11). It ignores any `Authorization` header (CONTRACT §2).

use axum::Json;
use axum::extract::State;
use portico_core::keys::KeyRing;
use portico_core::token::asset::certificate_jwk;

use crate::state::AppState;

pub(crate) async fn get(State(state): State<AppState>) -> Json<jsonwebtoken::jwk::JwkSet> {
    let mut set = KeyRing::jwks(&state.keys);
    match certificate_keys(&state).await {
        Ok(keys) => set.keys.extend(keys),
        // The server's own keys are still served: ID tokens keep verifying.
        Err(e) => tracing::error!(error = %e, "could not list org certificates for /id/keys"),
    }
    Json(set)
}

async fn certificate_keys(
    state: &AppState,
) -> Result<Vec<jsonwebtoken::jwk::Jwk>, portico_core::StoreError> {
    let Some(org) = state.store.find_org().await? else {
        return Ok(Vec::new());
    };
    let certs = state.store.list_certificates(&org.id).await?;
    Ok(certs
        .iter()
        .filter_map(|c| {
            let jwk = certificate_jwk(c, &state.data_key);
            if jwk.is_none() {
                tracing::warn!(certificate = %c.name, "an org certificate's key cannot be opened");
            }
            jwk
        })
        .collect())
}
