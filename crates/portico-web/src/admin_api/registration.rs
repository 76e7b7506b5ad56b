//! `POST /api/v1/connected-apps/{fullName}/initial-access-token` (CONTRACT §3): generates the
//! app's initial access token for dynamic client registration (RFC 7591 §3; Salesforce's
//! "Initial Access Token for Dynamic Client Registration", `reference/salesforce-oauth.md` §2.3),
//! which makes the app a registrar. Regenerating invalidates the previous token. Only its hash is
//! stored, so the response is the one time it is shown; the audit trail records that it was
//! generated, never the value. The permissions are those of rotating a consumer secret.

use axum::Json;
use axum::extract::{Path, State};
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::audit::FieldChange;
use portico_core::registration::generate_initial_access_token;
use serde::Serialize;
use utoipa::ToSchema;

use super::Caller;
use super::app_support::{SECTION, audit, find_app};
use crate::error::ApiError;
use crate::state::AppState;

/// `{"initialAccessToken": "..."}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InitialAccessTokenView {
    /// Send it as `Authorization: Bearer …` to `POST /services/oauth2/register`.
    initial_access_token: String,
}

#[utoipa::path(operation_id = "generateInitialAccessToken", post,
    path = "/api/v1/connected-apps/{fullName}/initial-access-token", tag = "Connected apps",
    params(("fullName" = String, Path, description = "The registrar app's API name")),
    responses(
        (status = 200, description = "A new initial access token; any earlier one stops working now", body = InitialAccessTokenView),
        (status = 404, description = "No such app")))]
pub(crate) async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
) -> Result<Json<InitialAccessTokenView>, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let app = find_app(&state, &caller, &full_name).await?;
    let token =
        generate_initial_access_token(state.store.as_ref(), &app, state.clock.now()).await?;
    let name = app.full_name();
    let change = FieldChange {
        field: "initialAccessToken".to_owned(),
        old_value: None,
        new_value: Some("(generated)".to_owned()),
    };
    audit(
        &state,
        &caller,
        "initialAccessTokenGenerated",
        SECTION,
        name,
        format!("Generated the initial access token for dynamic client registration of connected app {name}"),
        vec![change],
    )
    .await;
    Ok(Json(InitialAccessTokenView {
        initial_access_token: token,
    }))
}
