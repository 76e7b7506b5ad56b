//! Who is calling the admin API: a live access token of this server with the `api` or `full`
//! scope (RFC 6750 §2.1), whose user is active.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portico_core::access::UserContext;
use portico_core::admin_access::{AdminAction, authorize_admin};
use portico_core::org::Org;
use portico_core::scope::Scope;
use portico_core::secret::TokenHash;

use crate::error::{ApiError, ApiErrorCode};
use crate::extract::bearer_token;
use crate::state::AppState;

/// An authenticated admin API caller.
pub(crate) struct Caller {
    pub(crate) user: UserContext,
    pub(crate) org: Org,
}

impl Caller {
    /// Checks the seed's permission table for an action; the 403 names what is missing.
    pub(crate) fn require(&self, action: AdminAction) -> Result<(), ApiError> {
        authorize_admin(action, &self.user.permissions).map_err(ApiError::from)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let raw = bearer_token(&parts.headers).ok_or_else(ApiError::session_invalid)?;
        let now = state.clock.now();
        let token = state
            .store
            .find_access_token(&TokenHash::of(&raw))
            .await?
            .filter(|t| t.is_active(now))
            .ok_or_else(ApiError::session_invalid)?;
        if !(token.scopes.covers(Scope::Api) || token.scopes.contains(Scope::Full)) {
            return Err(ApiError::new(
                ApiErrorCode::InsufficientAccess,
                "this access token lacks the api or full scope needed for the admin API",
                &[],
            ));
        }
        let user = UserContext::load(state.store.as_ref(), state.store.as_ref(), &token.user_id)
            .await?
            .filter(|u| u.user.is_active)
            .ok_or_else(ApiError::session_invalid)?;
        let org = state
            .store
            .find_org()
            .await?
            .ok_or_else(ApiError::internal)?;
        Ok(Self { user, org })
    }
}
