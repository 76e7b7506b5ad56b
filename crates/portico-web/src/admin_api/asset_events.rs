//! `GET /api/v1/asset-token-events` (issue 7; Salesforce's `AssetTokenEvent`,
//! `reference/salesforce-oauth.md` §3.11): every asset token issued, newest first. Reading needs
//! View Setup and Configuration.

use axum::Json;
use axum::extract::{Query, State};
use portico_core::admin_access::AdminAction;
use portico_core::store::AssetTokenEvent;
use serde::{Deserialize, Serialize};

use super::Caller;
use crate::error::ApiError;
use crate::state::AppState;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 2000;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventsQuery {
    /// How many events, newest first (default 100, at most 2000).
    limit: Option<u32>,
}

/// One asset token issuance.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AssetTokenEventView {
    /// The asset token's `jti`.
    id: String,
    connected_app_id: String,
    user_id: String,
    device_id: Option<String>,
    name: Option<String>,
    asset_name: Option<String>,
    asset_serial_number: Option<String>,
    /// Unix milliseconds.
    expiration: i64,
    /// Unix milliseconds.
    created_date: i64,
}

impl From<AssetTokenEvent> for AssetTokenEventView {
    fn from(e: AssetTokenEvent) -> Self {
        Self {
            id: e.id,
            connected_app_id: e.app_id.to_string(),
            user_id: e.user_id.to_string(),
            device_id: e.device_id,
            name: e.name,
            asset_name: e.asset_name,
            asset_serial_number: e.asset_serial_number,
            expiration: e.expires_at.0,
            created_date: e.created_at.0,
        }
    }
}

#[utoipa::path(operation_id = "listAssetTokenEvents", get, path = "/api/v1/asset-token-events", tag = "Asset tokens", params(EventsQuery),
    responses((status = 200, description = "Asset token issuances, newest first", body = [AssetTokenEventView]),
        (status = 400, description = "A limit out of range")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<EventsQuery>,
) -> Result<Json<Vec<AssetTokenEventView>>, ApiError> {
    caller.require(AdminAction::ViewSetup)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("limit must be 1 to {MAX_LIMIT}"),
        ));
    }
    let events = state
        .store
        .list_asset_token_events(&caller.org.id, limit)
        .await?;
    Ok(Json(
        events.into_iter().map(AssetTokenEventView::from).collect(),
    ))
}
