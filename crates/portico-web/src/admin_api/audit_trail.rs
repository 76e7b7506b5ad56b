//! `GET /api/v1/audit-trail` (issue 3; Salesforce's View Setup Audit Trail): who changed what and
//! when, newest first. Reading it needs View Setup and Configuration, as in Salesforce.

use axum::Json;
use axum::extract::{Query, State};
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::audit::AuditEntry;
use serde::Deserialize;

use super::Caller;
use crate::error::ApiError;
use crate::state::AppState;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 2000;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// How many entries, newest first (default 100, at most 2000).
    limit: Option<u32>,
}

#[utoipa::path(operation_id = "listAuditTrail", get, path = "/api/v1/audit-trail", tag = "Setup audit trail", params(AuditQuery),
    responses((status = 200, description = "Entries, newest first; secrets are never written", body = [AuditEntry]),
        (status = 400, description = "A limit out of range")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    caller.require(AdminAction::ViewSetup)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("limit must be 1 to {MAX_LIMIT}"),
        ));
    }
    Ok(Json(
        state
            .store
            .list_audit_entries(&caller.org.id, limit)
            .await?,
    ))
}
