//! `GET/DELETE /api/v1/users/{id}/sessions` (issue 7): a user's live browser sessions, and
//! ending them all — as a logout does, each ends with its access tokens revoked and the apps
//! with a back-channel logout URL told (OIDC Back-Channel Logout 1.0 §2.5). There is no browser
//! to load front-channel frames in, so Single Logout URLs are not called. Reading needs View
//! Setup or Manage Users; ending needs Manage Users.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_core::admin_access::AdminAction;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::logout::session_sid;
use portico_core::org::User;
use serde::Serialize;

use super::Caller;
use crate::error::ApiError;
use crate::pages::logout::{end_session_of, spawn_back_channel};
use crate::state::AppState;

/// A live browser session. Its id is the `sid` apps receive at logout, never the cookie.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionView {
    /// The session's `sid` (as in ID tokens and logout notifications).
    id: String,
    /// Unix milliseconds.
    created_at: i64,
    /// When the user last entered their password (Unix milliseconds).
    auth_time: i64,
    /// Unix milliseconds.
    expires_at: i64,
}

/// What ending the sessions did.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionsEnded {
    sessions: usize,
    revoked_access_tokens: u64,
}

async fn find_user(state: &AppState, caller: &Caller, id: &str) -> Result<User, ApiError> {
    let not_found = || ApiError::not_found(&format!("user {id}"));
    let id = SfId::parse(id)
        .filter(|i| i.has_prefix(KeyPrefix::User))
        .ok_or_else(not_found)?;
    state
        .store
        .find_user(&id)
        .await?
        .filter(|u| u.org_id == caller.org.id)
        .ok_or_else(not_found)
}

#[utoipa::path(operation_id = "listUserSessions", get, path = "/api/v1/users/{id}/sessions", tag = "Users",
    params(("id" = String, Path, description = "User id (005…)")),
    responses((status = 200, description = "Live sessions, newest first (View Setup or Manage Users)", body = [SessionView]),
        (status = 404, description = "No such user")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    caller
        .require(AdminAction::ViewSetup)
        .or_else(|_| caller.require(AdminAction::ManageUsers))?;
    let user = find_user(&state, &caller, &id).await?;
    let sessions = state
        .store
        .list_user_sessions(&user.id, state.clock.now())
        .await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionView {
                id: session_sid(&s.id_hash),
                created_at: s.created_at.0,
                auth_time: s.auth_time.0,
                expires_at: s.expires_at.0,
            })
            .collect(),
    ))
}

#[utoipa::path(operation_id = "endUserSessions", delete, path = "/api/v1/users/{id}/sessions", tag = "Users",
    params(("id" = String, Path, description = "User id (005…)")),
    responses((status = 200, description = "Every session ended and its access tokens revoked (Manage Users)", body = SessionsEnded),
        (status = 404, description = "No such user")))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<SessionsEnded>), ApiError> {
    caller.require(AdminAction::ManageUsers)?;
    let user = find_user(&state, &caller, &id).await?;
    let now = state.clock.now();
    let sessions = state.store.list_user_sessions(&user.id, now).await?;
    let mut revoked_access_tokens = 0;
    for session in &sessions {
        let plan = end_session_of(&state, &session.id_hash, now).await?;
        revoked_access_tokens += plan.revoked_tokens;
        spawn_back_channel(plan.back_channel);
    }
    Ok((
        StatusCode::OK,
        Json(SessionsEnded {
            sessions: sessions.len(),
            revoked_access_tokens,
        }),
    ))
}
