//! `/api/v1/connected-apps` and `/{fullName}` (CONTRACT §3, issue 3): list, create, read (JSON or
//! the Metadata API XML file), replace (PUT), merge (PATCH, RFC 7396) and delete connected apps,
//! with the seed's permission table, the edition rule for creating, and every change in the setup
//! audit trail.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::admin_access::{AdminAction, check_edition_can_create_apps};
use portico_core::connected_app::ConnectedApp;
use portico_core::connected_app::audit::diff_settings;
use portico_core::connected_app::credentials::{generate_consumer_key, generate_consumer_secret};
use portico_core::connected_app::validate::Mode;
use portico_core::connected_app::xml::{FILE_SUFFIX, write_connected_app};
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::secret::constant_time_eq;
use serde::Deserialize;
use serde_json::Value;

use super::app_support::{
    AppView, SECTION, audit, check_read_only, find_app, refuse_builtin, require_for_change,
    validate_body,
};
use super::{Body, Caller};
use crate::error::{ApiError, ApiErrorCode};
use crate::state::AppState;

const TAG: &str = "Connected apps";

#[utoipa::path(operation_id = "listConnectedApps", get, path = "/api/v1/connected-apps", tag = TAG,
    responses((status = 200, description = "The org's connected apps, by API name", body = [AppView])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let apps = state.store.list_apps(&caller.org.id).await?;
    let views: Vec<Value> = apps.iter().map(|a| AppView::new(a).to_json()).collect();
    Ok(axum::Json(views).into_response())
}

#[utoipa::path(operation_id = "createConnectedApp", post, path = "/api/v1/connected-apps", tag = TAG,
    request_body = portico_core::connected_app::input::AppInput,
    responses(
        (status = 201, description = "Created and installed; the only response that shows the consumer secret unasked", body = AppView),
        (status = 400, description = "Every invalid field, named"),
        (status = 403, description = "Missing permissions, or an edition where apps can't be created"),
        (status = 409, description = "fullName or consumerKey taken")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<Response, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    check_edition_can_create_apps(caller.org.edition)
        .map_err(|msg| ApiError::new(ApiErrorCode::InsufficientAccess, msg, &[]))?;
    check_read_only(&body, None)?;
    let valid = validate_body(&state, &caller, body, &Mode::Create, None).await?;
    require_for_change(&caller, None, &valid.settings)?;
    let secret = match valid.consumer_secret {
        Some(chosen) => {
            ensure_secret_unique(&state, &caller, &chosen).await?;
            chosen
        }
        None => generate_consumer_secret(),
    };
    let now = state.clock.now();
    let app = ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: caller.org.id.clone(),
        settings: valid.settings,
        consumer_key: valid.consumer_key.unwrap_or_else(generate_consumer_key),
        consumer_secret_sealed: Some(state.data_key.seal(&secret)),
        // Apps created in the org are installed (issue 3).
        is_installed: true,
        is_packaged: false,
        registered_by: None,
        created_at: now,
        updated_at: now,
    };
    state.store.insert_app(&app).await?;
    let name = app.full_name();
    audit(
        &state,
        &caller,
        "connectedAppCreated",
        SECTION,
        name,
        format!("Created connected app {name}"),
        diff_settings(None, Some(&app.settings)),
    )
    .await;
    Ok((StatusCode::CREATED, AppView::new(&app).with_secret(secret)).into_response())
}

/// A consumer secret an administrator chooses must be unique in the org (§10).
pub(crate) async fn ensure_secret_unique(
    state: &AppState,
    caller: &Caller,
    secret: &str,
) -> Result<(), ApiError> {
    for app in state.store.list_apps(&caller.org.id).await? {
        let existing = app
            .consumer_secret_sealed
            .as_deref()
            .and_then(|s| state.data_key.open(s));
        if existing.is_some_and(|e| constant_time_eq(&e, secret)) {
            return Err(ApiError::duplicate("oauthConfig.consumerSecret"));
        }
    }
    Ok(())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// `xml` for the Metadata API file (`<fullName>.connectedApp-meta.xml`); JSON otherwise.
    format: Option<String>,
}

#[utoipa::path(operation_id = "getConnectedApp", get, path = "/api/v1/connected-apps/{fullName}", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name"), FormatQuery),
    responses(
        (status = 200, description = "The app (never its secret); with ?format=xml, the Metadata API file",
            content((AppView = "application/json"), (String = "application/xml"))),
        (status = 404, description = "No such app")))]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
    Query(query): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let app = find_app(&state, &caller, &full_name).await?;
    match query.format.as_deref() {
        None | Some("json") => Ok(AppView::new(&app).into_response()),
        Some("xml") => {
            let xml = write_connected_app(&app.settings, Some(&app.consumer_key)).map_err(|e| {
                tracing::error!(error = %e, app = %app.id, "writing metadata XML failed");
                ApiError::internal()
            })?;
            let disposition = format!("attachment; filename=\"{}{FILE_SUFFIX}\"", app.full_name());
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/xml; charset=utf-8".to_owned(),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                xml,
            )
                .into_response())
        }
        Some(other) => Err(ApiError::invalid_field(
            "format",
            format!("unknown format `{other}`; use json or xml"),
        )),
    }
}

#[utoipa::path(operation_id = "replaceConnectedApp", put, path = "/api/v1/connected-apps/{fullName}", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name")),
    request_body = portico_core::connected_app::input::AppInput,
    responses((status = 200, description = "Replaced: fields left out return to their defaults", body = AppView),
        (status = 400, description = "Every invalid field, named"), (status = 404, description = "No such app")))]
pub(crate) async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let app = find_app(&state, &caller, &full_name).await?;
    check_read_only(&body, Some(&app))?;
    save(&state, &caller, app, body).await
}

#[utoipa::path(operation_id = "patchConnectedApp", patch, path = "/api/v1/connected-apps/{fullName}", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name")),
    request_body(content = Object, description = "A JSON merge patch (RFC 7396) of the app: absent fields are kept, null removes"),
    responses((status = 200, description = "Merged", body = AppView),
        (status = 400, description = "Every invalid field, named"), (status = 404, description = "No such app")))]
pub(crate) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let app = find_app(&state, &caller, &full_name).await?;
    if !body.is_object() {
        return Err(ApiError::invalid_field(
            "(body)",
            "a merge patch must be a JSON object",
        ));
    }
    check_read_only(&body, Some(&app))?;
    let mut merged = serde_json::to_value(&app.settings).map_err(|_| ApiError::internal())?;
    merge_patch(&mut merged, body);
    save(&state, &caller, app, merged).await
}

/// Validates `body` as the app's new settings and saves them.
async fn save(
    state: &AppState,
    caller: &Caller,
    mut app: ConnectedApp,
    body: Value,
) -> Result<Response, ApiError> {
    let mode = Mode::Update {
        consumer_key: app.consumer_key.clone(),
    };
    let valid = validate_body(state, caller, body, &mode, Some(&app.settings)).await?;
    require_for_change(caller, Some(&app.settings), &valid.settings)?;
    if valid.settings.full_name != app.settings.full_name {
        refuse_builtin(&app, "renamed")?;
    }
    let changes = diff_settings(Some(&app.settings), Some(&valid.settings));
    let old_name = app.full_name().to_owned();
    app.settings = valid.settings;
    app.updated_at = state.clock.now();
    state.store.update_app(&app).await?;
    if !changes.is_empty() {
        let display = format!(
            "Changed connected app {old_name}: {}",
            changed_fields(&changes)
        );
        audit(
            state,
            caller,
            "connectedAppChanged",
            SECTION,
            &old_name,
            display,
            changes,
        )
        .await;
    }
    Ok(AppView::new(&app).into_response())
}

fn changed_fields(changes: &[portico_core::connected_app::audit::FieldChange]) -> String {
    changes
        .iter()
        .map(|c| c.field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
pub(crate) fn merge_patch(target: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(&key);
            } else {
                merge_patch(map.entry(key).or_insert(Value::Null), value);
            }
        }
    }
}

#[utoipa::path(operation_id = "deleteConnectedApp", delete, path = "/api/v1/connected-apps/{fullName}", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name")),
    responses((status = 204, description = "Deleted, with its tokens and approvals"), (status = 404, description = "No such app")))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let app = find_app(&state, &caller, &full_name).await?;
    refuse_builtin(&app, "deleted")?;
    state.store.delete_app(&app.id).await?;
    let name = app.full_name();
    audit(
        &state,
        &caller,
        "connectedAppDeleted",
        SECTION,
        name,
        format!("Deleted connected app {name}"),
        diff_settings(Some(&app.settings), None),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::merge_patch;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]});
        merge_patch(
            &mut target,
            json!({"a": "z", "c": {"f": null}, "l": [3], "n": {"x": 1}}),
        );
        assert_eq!(
            target,
            json!({"a": "z", "c": {"d": "e"}, "l": [3], "n": {"x": 1}})
        );
    }
}
