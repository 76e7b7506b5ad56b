//! `/api/v1/org`: the org's name and edition.

use axum::Json;
use axum::extract::State;
use portico_core::admin_access::AdminAction;
use portico_core::org::{Edition, Org};
use serde::Deserialize;
use serde_json::Value;

use super::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[utoipa::path(operation_id = "getOrg", get, path = "/api/v1/org", tag = "Org",
    responses((status = 200, description = "The org: id, name, edition, createdAt (View Setup)", body = Object)))]
pub(crate) async fn get(caller: Caller) -> Result<Json<Org>, ApiError> {
    caller.require(AdminAction::ViewSetup)?;
    Ok(Json(caller.org))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrgPatch {
    name: Option<String>,
    /// Group, Professional, Enterprise, Performance, Unlimited, Developer, Essentials or Starter.
    #[schema(value_type = Option<String>)]
    edition: Option<Value>,
}

#[utoipa::path(operation_id = "patchOrg", patch, path = "/api/v1/org", tag = "Org", request_body = OrgPatch,
    responses((status = 200, description = "Changed", body = Object), (status = 400, description = "Invalid fields")))]
pub(crate) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<OrgPatch>,
) -> Result<Json<Org>, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let mut org = caller.org;
    let mut errors = Vec::new();
    if let Some(name) = body.name {
        if name.trim().is_empty() {
            errors.push(ApiError::invalid_field("name", "name must not be empty"));
        }
        org.name = name.trim().to_owned();
    }
    if let Some(edition) = body.edition {
        match edition.as_str().map(str::parse::<Edition>) {
            Some(Ok(e)) => org.edition = e,
            Some(Err(msg)) => errors.push(ApiError::invalid_field("edition", msg)),
            None => errors.push(ApiError::invalid_field(
                "edition",
                "edition must be a string",
            )),
        }
    }
    if let Some(e) = ApiError::merge(errors) {
        return Err(e);
    }
    state.store.update_org(&org).await?;
    Ok(Json(org))
}
