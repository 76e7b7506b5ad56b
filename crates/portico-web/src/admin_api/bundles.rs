//! `/api/v1/profiles` and `/api/v1/permission-sets`: both are named bags of permissions, served
//! by one set of handlers parameterised by [`BundleKind`]. Reading needs View Setup; changing
//! needs Manage Profiles and Permission Sets.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::org_certificate::check_developer_name;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::{Permission, PermissionBundle, Permissions};
use portico_core::store::BundleKind;
use serde::{Deserialize, Serialize};

use super::{Body, Caller};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BundleView {
    #[schema(value_type = String)]
    id: SfId,
    name: String,
    label: String,
    permissions: Vec<&'static str>,
    /// Custom permissions granted (developer names); connected apps report the ones they expose
    /// in ID tokens, UserInfo and the identity URL.
    custom_permissions: Vec<String>,
}

impl From<PermissionBundle> for BundleView {
    fn from(b: PermissionBundle) -> Self {
        Self {
            id: b.id,
            name: b.name,
            label: b.label,
            permissions: b.permissions.iter().map(|p| p.api_name()).collect(),
            custom_permissions: b.custom_permissions,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct BundleInput {
    name: Option<String>,
    label: Option<String>,
    permissions: Option<Vec<String>>,
    /// Replaces the custom permissions granted: developer names, each at most once.
    custom_permissions: Option<Vec<String>>,
}

const fn prefix(kind: BundleKind) -> KeyPrefix {
    match kind {
        BundleKind::Profile => KeyPrefix::Profile,
        BundleKind::PermissionSet => KeyPrefix::PermissionSet,
    }
}

const fn noun(kind: BundleKind) -> &'static str {
    match kind {
        BundleKind::Profile => "profile",
        BundleKind::PermissionSet => "permission set",
    }
}

async fn list(
    state: &AppState,
    caller: &Caller,
    kind: BundleKind,
) -> Result<Json<Vec<BundleView>>, ApiError> {
    caller.require(AdminAction::ViewSetup)?;
    let all = state.store.list_bundles(kind, &caller.org.id).await?;
    Ok(Json(all.into_iter().map(BundleView::from).collect()))
}

async fn find(
    state: &AppState,
    caller: &Caller,
    kind: BundleKind,
    id: &str,
) -> Result<PermissionBundle, ApiError> {
    let not_found = || ApiError::not_found(&format!("{} {id}", noun(kind)));
    let id = SfId::parse(id)
        .filter(|i| i.has_prefix(prefix(kind)))
        .ok_or_else(not_found)?;
    state
        .store
        .find_bundle(kind, &id)
        .await?
        .filter(|b| b.org_id == caller.org.id)
        .ok_or_else(not_found)
}

async fn create(
    state: &AppState,
    caller: &Caller,
    kind: BundleKind,
    input: BundleInput,
) -> Result<(StatusCode, Json<BundleView>), ApiError> {
    caller.require(AdminAction::ManageProfiles)?;
    let mut bundle = PermissionBundle {
        id: SfId::generate(prefix(kind)),
        org_id: caller.org.id.clone(),
        name: String::new(),
        label: String::new(),
        permissions: Permissions::new(),
        custom_permissions: Vec::new(),
    };
    if input.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(ApiError::required("name"));
    }
    apply(&mut bundle, input)?;
    if bundle.label.is_empty() {
        bundle.label.clone_from(&bundle.name);
    }
    state.store.insert_bundle(kind, &bundle).await?;
    Ok((StatusCode::CREATED, Json(bundle.into())))
}

async fn patch(
    state: &AppState,
    caller: &Caller,
    kind: BundleKind,
    id: &str,
    input: BundleInput,
) -> Result<Json<BundleView>, ApiError> {
    caller.require(AdminAction::ManageProfiles)?;
    let mut bundle = find(state, caller, kind, id).await?;
    apply(&mut bundle, input)?;
    state.store.update_bundle(kind, &bundle).await?;
    Ok(Json(bundle.into()))
}

fn apply(bundle: &mut PermissionBundle, input: BundleInput) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(name) = input.name {
        let name = name.trim().to_owned();
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || name.len() > 80
        {
            errors.push(ApiError::invalid_field(
                "name",
                "name must be 1–80 letters, digits or underscores (an API name)",
            ));
        }
        bundle.name = name;
    }
    if let Some(label) = input.label {
        bundle.label = label.trim().to_owned();
    }
    if let Some(perms) = input.permissions {
        let mut parsed = Permissions::new();
        for p in &perms {
            match p.parse::<Permission>() {
                Ok(p) => {
                    parsed.insert(p);
                }
                Err(_) => errors.push(ApiError::invalid_field(
                    "permissions",
                    format!(
                        "unknown permission {p}; expected one of {}",
                        Permission::ALL
                            .iter()
                            .map(|p| p.api_name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        bundle.permissions = parsed;
    }
    if let Some(names) = input.custom_permissions {
        let mut kept: Vec<String> = Vec::new();
        for name in names.iter().map(|n| n.trim()) {
            if let Err(msg) = check_developer_name(name) {
                errors.push(ApiError::invalid_field(
                    "customPermissions",
                    msg.replace("unique name", "custom permission name"),
                ));
            } else if kept.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                errors.push(ApiError::invalid_field(
                    "customPermissions",
                    format!("`{name}` is listed twice"),
                ));
            } else {
                kept.push(name.to_owned());
            }
        }
        bundle.custom_permissions = kept;
    }
    ApiError::merge(errors).map_or(Ok(()), Err)
}

#[utoipa::path(operation_id = "listProfiles", get, path = "/api/v1/profiles", tag = "Profiles",
    responses((status = 200, description = "All of the org's (View Setup)", body = [BundleView])))]
pub(crate) async fn list_profiles(
    State(s): State<AppState>,
    c: Caller,
) -> Result<Json<Vec<BundleView>>, ApiError> {
    list(&s, &c, BundleKind::Profile).await
}
#[utoipa::path(operation_id = "listPermissionSets", get, path = "/api/v1/permission-sets", tag = "Permission sets",
    responses((status = 200, description = "All of the org's (View Setup)", body = [BundleView])))]
pub(crate) async fn list_permission_sets(
    State(s): State<AppState>,
    c: Caller,
) -> Result<Json<Vec<BundleView>>, ApiError> {
    list(&s, &c, BundleKind::PermissionSet).await
}
#[utoipa::path(operation_id = "getProfile", get, path = "/api/v1/profiles/{id}", tag = "Profiles", params(("id" = String, Path, description = "Id (00e…)")),
    responses((status = 200, description = "One (View Setup)", body = BundleView), (status = 404, description = "Not found")))]
pub(crate) async fn get_profile(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<Json<BundleView>, ApiError> {
    c.require(AdminAction::ViewSetup)?;
    Ok(Json(find(&s, &c, BundleKind::Profile, &id).await?.into()))
}
#[utoipa::path(operation_id = "getPermissionSet", get, path = "/api/v1/permission-sets/{id}", tag = "Permission sets", params(("id" = String, Path, description = "Id (0PS…)")),
    responses((status = 200, description = "One (View Setup)", body = BundleView), (status = 404, description = "Not found")))]
pub(crate) async fn get_permission_set(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<Json<BundleView>, ApiError> {
    c.require(AdminAction::ViewSetup)?;
    Ok(Json(
        find(&s, &c, BundleKind::PermissionSet, &id).await?.into(),
    ))
}
#[utoipa::path(operation_id = "createProfile", post, path = "/api/v1/profiles", tag = "Profiles", request_body = BundleInput,
    responses((status = 201, description = "Created (Manage Profiles and Permission Sets)", body = BundleView), (status = 409, description = "Name taken")))]
pub(crate) async fn create_profile(
    State(s): State<AppState>,
    c: Caller,
    Body(i): Body<BundleInput>,
) -> Result<(StatusCode, Json<BundleView>), ApiError> {
    create(&s, &c, BundleKind::Profile, i).await
}
#[utoipa::path(operation_id = "createPermissionSet", post, path = "/api/v1/permission-sets", tag = "Permission sets", request_body = BundleInput,
    responses((status = 201, description = "Created (Manage Profiles and Permission Sets)", body = BundleView), (status = 409, description = "Name taken")))]
pub(crate) async fn create_permission_set(
    State(s): State<AppState>,
    c: Caller,
    Body(i): Body<BundleInput>,
) -> Result<(StatusCode, Json<BundleView>), ApiError> {
    create(&s, &c, BundleKind::PermissionSet, i).await
}
#[utoipa::path(operation_id = "patchProfile", patch, path = "/api/v1/profiles/{id}", tag = "Profiles", params(("id" = String, Path, description = "Id (00e…)")), request_body = BundleInput,
    responses((status = 200, description = "Changed (Manage Profiles and Permission Sets)", body = BundleView), (status = 404, description = "Not found")))]
pub(crate) async fn patch_profile(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Body(i): Body<BundleInput>,
) -> Result<Json<BundleView>, ApiError> {
    patch(&s, &c, BundleKind::Profile, &id, i).await
}
#[utoipa::path(operation_id = "patchPermissionSet", patch, path = "/api/v1/permission-sets/{id}", tag = "Permission sets", params(("id" = String, Path, description = "Id (0PS…)")), request_body = BundleInput,
    responses((status = 200, description = "Changed (Manage Profiles and Permission Sets)", body = BundleView), (status = 404, description = "Not found")))]
pub(crate) async fn patch_permission_set(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Body(i): Body<BundleInput>,
) -> Result<Json<BundleView>, ApiError> {
    patch(&s, &c, BundleKind::PermissionSet, &id, i).await
}
