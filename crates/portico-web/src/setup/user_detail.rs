//! One user (`/setup/users/{id}`): details, Edit, Deactivate / Activate, Permission Set
//! Assignments (assign, remove) and "OAuth Connected Apps": the apps the user approved, with
//! scopes, use count and last use, and Revoke. Changes need Manage Users, as in the admin API.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::AdminAction;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::scope::ScopeSet;
use portico_core::store::BundleKind;
use portico_core::token::Approval;
use serde_json::json;

use super::api::{answer, refusal, text};
use super::page::{Fields, Nav, SetupUser, Shell, done, format_time, not_found, note, show};
use super::users::profile_labels;
use crate::admin_api::Body;
use crate::admin_api::users::{self, AssignmentInput, UserInput};
use crate::error::ApiError;
use crate::state::AppState;

/// One app the user approved: every approval (refresh token) of that app, summed up.
struct ApprovedApp {
    app_id: String,
    label: String,
    scopes: String,
    use_count: i64,
    last_used: String,
}

#[derive(Template)]
#[template(path = "setup/user_detail.html")]
struct UserPage {
    shell: Shell,
    id: String,
    name: String,
    username: String,
    email: String,
    profile: String,
    active: bool,
    is_self: bool,
    may_manage: bool,
    /// (id, label, API name).
    assigned: Vec<(String, String, String)>,
    /// Permission sets not yet assigned: (id, label).
    assignable: Vec<(String, String)>,
    approvals: Vec<ApprovedApp>,
}

/// Approvals grouped by app, most recently used first.
async fn approved_apps(state: &AppState, user_id: &SfId) -> Result<Vec<ApprovedApp>, ApiError> {
    let approvals = state.store.list_user_approvals(user_id).await?;
    let mut by_app: Vec<(SfId, Vec<Approval>)> = Vec::new();
    for a in approvals {
        match by_app.iter_mut().find(|(id, _)| *id == a.app_id) {
            Some((_, list)) => list.push(a),
            None => by_app.push((a.app_id.clone(), vec![a])),
        }
    }
    let mut out = Vec::new();
    for (app_id, list) in by_app {
        let label = state
            .store
            .find_app(&app_id)
            .await?
            .map_or_else(|| app_id.to_string(), |app| app.settings.label);
        let scopes: ScopeSet = list.iter().flat_map(|a| a.scopes.iter()).collect();
        let last = list
            .iter()
            .map(|a| a.last_used_at.0)
            .max()
            .unwrap_or_default();
        out.push(ApprovedApp {
            app_id: app_id.to_string(),
            label,
            scopes: scopes.to_wire(),
            use_count: list.iter().map(|a| a.use_count).sum(),
            last_used: format_time(last),
        });
    }
    Ok(out)
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(id): Path<String>,
) -> Response {
    let found =
        match answer(users::get(State(state.clone()), user.caller(), Path(id.clone())).await).await
        {
            Ok(v) => v,
            Err(e) => return refusal(&e),
        };
    let assigned = match answer(
        users::list_assignments(State(state.clone()), user.caller(), Path(id.clone())).await,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return refusal(&e),
    };
    let assigned: Vec<(String, String, String)> = assigned
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let ps = &a["permissionSet"];
            (
                text(a, "permissionSetId"),
                text(ps, "label"),
                text(ps, "name"),
            )
        })
        .collect();
    let assignable = match state
        .store
        .list_bundles(BundleKind::PermissionSet, &user.org.id)
        .await
    {
        Ok(all) => all
            .into_iter()
            .filter(|ps| !assigned.iter().any(|(id, _, _)| *id == ps.id.as_str()))
            .map(|ps| (ps.id.to_string(), ps.label))
            .collect(),
        Err(e) => return refusal(&e.into()),
    };
    let Some(user_id) = SfId::parse(&id) else {
        return not_found("such user");
    };
    let approvals = match approved_apps(&state, &user_id).await {
        Ok(a) => a,
        Err(e) => return refusal(&e),
    };
    let labels = profile_labels(&state, &user).await;
    let profile_id = text(&found, "profileId");
    let profile = labels
        .into_iter()
        .find(|(i, _)| *i == profile_id)
        .map_or(profile_id, |(_, l)| l);
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Users);
    let page = UserPage {
        shell,
        name: format!("{} {}", text(&found, "firstName"), text(&found, "lastName"))
            .trim()
            .to_owned(),
        username: text(&found, "username"),
        email: text(&found, "email"),
        profile,
        active: found["isActive"].as_bool().unwrap_or(false),
        is_self: user.user.user.id.as_str() == id,
        may_manage: user.may(AdminAction::ManageUsers),
        id,
        assigned,
        assignable,
        approvals,
    };
    show(jar, &page)
}

/// Activate or deactivate (deactivating revokes the user's tokens and sessions).
pub(crate) async fn set_active(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let active = fields.get("active") == "true";
    let input: UserInput = match serde_json::from_value(json!({"isActive": active})) {
        Ok(i) => i,
        Err(_) => return refusal(&ApiError::internal()),
    };
    match answer(
        users::patch(
            State(state.clone()),
            user.caller(),
            Path(id.clone()),
            Body(input),
        )
        .await,
    )
    .await
    {
        Ok(v) => {
            let verb = if active {
                "activated"
            } else {
                "deactivated; their tokens and sessions were revoked"
            };
            done(
                &state,
                jar,
                &format!("/setup/users/{id}"),
                &note(format!("User {} was {verb}.", text(&v, "username"))),
            )
        }
        Err(e) => refusal(&e),
    }
}

pub(crate) async fn assign(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let input: AssignmentInput =
        match serde_json::from_value(json!({"permissionSetId": fields.get("permission_set_id")})) {
            Ok(i) => i,
            Err(_) => return refusal(&ApiError::internal()),
        };
    match answer(
        users::assign(
            State(state.clone()),
            user.caller(),
            Path(id.clone()),
            Body(input),
        )
        .await,
    )
    .await
    {
        Ok(v) => {
            let label = text(&v["permissionSet"], "label");
            done(
                &state,
                jar,
                &format!("/setup/users/{id}"),
                &note(format!("Permission set {label} was assigned.")),
            )
        }
        Err(e) => refusal(&e),
    }
}

pub(crate) async fn unassign(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let ps = fields.get("permission_set_id").to_owned();
    match answer(users::unassign(State(state.clone()), user.caller(), Path((id.clone(), ps))).await)
        .await
    {
        Ok(_) => done(
            &state,
            jar,
            &format!("/setup/users/{id}"),
            &note("The permission set was removed."),
        ),
        Err(e) => refusal(&e),
    }
}

/// Revoke: every approval (and so every refresh and access token under it) of the user for one
/// app. Needs Manage Users, like deactivating, which revokes them all.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    if let Err(refused) = user.require(AdminAction::ManageUsers) {
        return refused;
    }
    let ids = (
        SfId::parse(&id).filter(|i| i.has_prefix(KeyPrefix::User)),
        SfId::parse(fields.get("app_id")),
    );
    let (Some(user_id), Some(app_id)) = ids else {
        return not_found("such user or app");
    };
    match state.store.find_user(&user_id).await {
        Ok(Some(u)) if u.org_id == user.org.id => {}
        Ok(_) => return not_found("such user"),
        Err(e) => return refusal(&e.into()),
    }
    let now = state.clock.now();
    let revoked: Result<(), portico_core::StoreError> = async {
        for approval in state
            .store
            .list_user_app_approvals(&user_id, &app_id)
            .await?
        {
            state.store.revoke_approval(&approval.id, now).await?;
        }
        Ok(())
    }
    .await;
    match revoked {
        Ok(()) => {
            tracing::info!(user_id = %user_id, app_id = %app_id, by = %user.user.user.id, "OAuth approvals revoked in Setup");
            done(
                &state,
                jar,
                &format!("/setup/users/{id}"),
                &note("Access was revoked: the app's tokens for this user no longer work."),
            )
        }
        Err(e) => refusal(&e.into()),
    }
}
