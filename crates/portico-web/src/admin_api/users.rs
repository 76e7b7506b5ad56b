//! `/api/v1/users` and permission-set assignments. Reading needs View Setup or Manage Users;
//! changing needs Manage Users. Deactivating a user revokes their tokens and sessions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_core::admin_access::AdminAction;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::User;
use portico_core::secret::hash_password;
use portico_core::store::BundleKind;
use serde::{Deserialize, Serialize};

use super::bundles::BundleView;
use super::{Body, Caller};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserView {
    #[schema(value_type = String)]
    id: SfId,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    #[schema(value_type = String)]
    profile_id: SfId,
    is_active: bool,
    locale: String,
    time_zone: String,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            profile_id: u.profile_id,
            is_active: u.is_active,
            locale: u.locale,
            time_zone: u.time_zone,
        }
    }
}

/// Fields a client may send; all optional so that create and PATCH share validation.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct UserInput {
    username: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    profile_id: Option<String>,
    is_active: Option<bool>,
    locale: Option<String>,
    time_zone: Option<String>,
    password: Option<String>,
}

fn require_read(caller: &Caller) -> Result<(), ApiError> {
    caller
        .require(AdminAction::ViewSetup)
        .or_else(|_| caller.require(AdminAction::ManageUsers))
}

#[utoipa::path(operation_id = "listUsers", get, path = "/api/v1/users", tag = "Users",
    responses((status = 200, description = "The org's users (View Setup or Manage Users)", body = [UserView])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    require_read(&caller)?;
    let users = state.store.list_users(&caller.org.id).await?;
    Ok(Json(users.into_iter().map(UserView::from).collect()))
}

#[utoipa::path(operation_id = "getUser", get, path = "/api/v1/users/{id}", tag = "Users", params(("id" = String, Path, description = "User id (005…)")),
    responses((status = 200, description = "The user", body = UserView), (status = 404, description = "No such user")))]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    require_read(&caller)?;
    Ok(Json(find(&state, &caller, &id).await?.into()))
}

async fn find(state: &AppState, caller: &Caller, id: &str) -> Result<User, ApiError> {
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

#[utoipa::path(operation_id = "createUser", post, path = "/api/v1/users", tag = "Users", request_body = UserInput,
    responses((status = 201, description = "Created (Manage Users)", body = UserView), (status = 400, description = "Invalid fields, all named"),
        (status = 409, description = "Username taken")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(input): Body<UserInput>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    caller.require(AdminAction::ManageUsers)?;
    let mut missing = Vec::new();
    for (field, value) in [
        ("username", &input.username),
        ("email", &input.email),
        ("lastName", &input.last_name),
        ("profileId", &input.profile_id),
    ] {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            missing.push(ApiError::required(field));
        }
    }
    if let Some(e) = ApiError::merge(missing) {
        return Err(e);
    }
    let now = state.clock.now();
    let mut user = User {
        id: SfId::generate(KeyPrefix::User),
        org_id: caller.org.id.clone(),
        username: String::new(),
        email: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        profile_id: caller.user.profile.id.clone(),
        is_active: true,
        locale: "en_US".to_owned(),
        time_zone: "America/Los_Angeles".to_owned(),
        password_hash: None,
        failed_logins: 0,
        locked_until: None,
        created_at: now,
        updated_at: now,
    };
    apply(&state, &caller, &mut user, input).await?;
    state.store.insert_user(&user).await?;
    tracing::info!(user_id = %user.id, by = %caller.user.user.id, "user created");
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[utoipa::path(operation_id = "patchUser", patch, path = "/api/v1/users/{id}", tag = "Users", params(("id" = String, Path, description = "User id (005…)")),
    request_body = UserInput,
    responses((status = 200, description = "Changed (Manage Users); isActive: false deactivates and revokes", body = UserView),
        (status = 404, description = "No such user")))]
pub(crate) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(input): Body<UserInput>,
) -> Result<Json<UserView>, ApiError> {
    caller.require(AdminAction::ManageUsers)?;
    let mut user = find(&state, &caller, &id).await?;
    let was_active = user.is_active;
    let password_changed = input.password.is_some();
    apply(&state, &caller, &mut user, input).await?;
    user.updated_at = state.clock.now();
    state.store.update_user(&user).await?;
    if (was_active && !user.is_active) || password_changed {
        // A deactivated user, or one whose password was reset, keeps no way in.
        state
            .store
            .revoke_user_tokens(&user.id, user.updated_at)
            .await?;
        state.store.delete_user_sessions(&user.id).await?;
    }
    Ok(Json(user.into()))
}

/// Validates every field present and applies them; all problems are reported at once.
async fn apply(
    state: &AppState,
    caller: &Caller,
    user: &mut User,
    input: UserInput,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(username) = input.username {
        let username = username.trim().to_owned();
        if !looks_like_email(&username) {
            errors.push(ApiError::invalid_field(
                "username",
                "username must be in the form of an email address (for example, john@acme.com)",
            ));
        }
        user.username = username;
    }
    if let Some(email) = input.email {
        let email = email.trim().to_owned();
        if !looks_like_email(&email) {
            errors.push(ApiError::invalid_field(
                "email",
                "email is not a valid email address",
            ));
        }
        user.email = email;
    }
    if let Some(first) = input.first_name {
        user.first_name = first.trim().to_owned();
    }
    if let Some(last) = input.last_name {
        if last.trim().is_empty() {
            errors.push(ApiError::required("lastName"));
        }
        user.last_name = last.trim().to_owned();
    }
    if let Some(profile_id) = input.profile_id {
        let profile = match SfId::parse(&profile_id) {
            Some(id) => state
                .store
                .find_bundle(BundleKind::Profile, &id)
                .await?
                .filter(|p| p.org_id == caller.org.id),
            None => None,
        };
        match profile {
            Some(p) => user.profile_id = p.id,
            None => errors.push(ApiError::invalid_field(
                "profileId",
                format!("no profile with id {profile_id}"),
            )),
        }
    }
    if let Some(active) = input.is_active {
        if !active && user.id == caller.user.user.id {
            errors.push(ApiError::invalid_field(
                "isActive",
                "you cannot deactivate yourself",
            ));
        }
        user.is_active = active;
    }
    if let Some(locale) = input.locale {
        user.locale = locale;
    }
    if let Some(tz) = input.time_zone {
        user.time_zone = tz;
    }
    if let Some(password) = input.password {
        if password.chars().count() < 8 {
            errors.push(ApiError::invalid_field(
                "password",
                "password must be at least 8 characters",
            ));
        } else {
            user.password_hash = Some(hash_password(&password));
        }
    }
    ApiError::merge(errors).map_or(Ok(()), Err)
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && s.len() <= 80
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AssignmentInput {
    permission_set_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AssignmentView {
    #[schema(value_type = String)]
    permission_set_id: SfId,
    permission_set: BundleView,
}

#[utoipa::path(operation_id = "listPermissionSetAssignments", get, path = "/api/v1/users/{id}/permission-set-assignments", tag = "Users",
    params(("id" = String, Path, description = "User id (005…)")),
    responses((status = 200, description = "The user's permission sets", body = [AssignmentView])))]
pub(crate) async fn list_assignments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AssignmentView>>, ApiError> {
    require_read(&caller)?;
    let user = find(&state, &caller, &id).await?;
    let sets = state.store.user_permission_sets(&user.id).await?;
    Ok(Json(
        sets.into_iter()
            .map(|ps| AssignmentView {
                permission_set_id: ps.id.clone(),
                permission_set: ps.into(),
            })
            .collect(),
    ))
}

#[utoipa::path(operation_id = "assignPermissionSet", post, path = "/api/v1/users/{id}/permission-set-assignments", tag = "Users",
    params(("id" = String, Path, description = "User id (005…)")), request_body = AssignmentInput,
    responses((status = 201, description = "Assigned (Manage Users)", body = AssignmentView), (status = 409, description = "Already assigned")))]
pub(crate) async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(input): Body<AssignmentInput>,
) -> Result<(StatusCode, Json<AssignmentView>), ApiError> {
    caller.require(AdminAction::ManageUsers)?;
    let user = find(&state, &caller, &id).await?;
    let raw = input
        .permission_set_id
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::required("permissionSetId"))?;
    let set = match SfId::parse(&raw) {
        Some(ps_id) => state
            .store
            .find_bundle(BundleKind::PermissionSet, &ps_id)
            .await?
            .filter(|p| p.org_id == caller.org.id),
        None => None,
    }
    .ok_or_else(|| {
        ApiError::invalid_field(
            "permissionSetId",
            format!("no permission set with id {raw}"),
        )
    })?;
    state.store.assign_permission_set(&user.id, &set.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(AssignmentView {
            permission_set_id: set.id.clone(),
            permission_set: set.into(),
        }),
    ))
}

#[utoipa::path(operation_id = "unassignPermissionSet", delete, path = "/api/v1/users/{id}/permission-set-assignments/{ps_id}", tag = "Users",
    params(("id" = String, Path, description = "User id (005…)"), ("ps_id" = String, Path, description = "Permission set id (0PS…)")),
    responses((status = 204, description = "Unassigned (Manage Users)"), (status = 404, description = "Not assigned")))]
pub(crate) async fn unassign(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, ps_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(AdminAction::ManageUsers)?;
    let user = find(&state, &caller, &id).await?;
    let ps_id = SfId::parse(&ps_id)
        .ok_or_else(|| ApiError::not_found(&format!("permission set assignment {ps_id}")))?;
    match state.store.unassign_permission_set(&user.id, &ps_id).await {
        Err(portico_core::StoreError::NotFound) => Err(ApiError::not_found(&format!(
            "permission set assignment {ps_id}"
        ))),
        other => other
            .map(|()| StatusCode::NO_CONTENT)
            .map_err(ApiError::from),
    }
}
