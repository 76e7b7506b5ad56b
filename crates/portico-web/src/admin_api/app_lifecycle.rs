//! A connected app's consumer secret and installation (CONTRACT §3, issue 3):
//! `/{fullName}/consumer-secret` reveals (GET) or rotates (POST) the secret, with the permissions
//! that reading the app needs; `/{fullName}/install` installs (POST) or uninstalls (DELETE), with
//! Download AppExchange Packages in addition for packaged apps (the seed). The audit trail records
//! that a secret was revealed or rotated, never its value.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::ConnectedApp;
use portico_core::connected_app::audit::FieldChange;
use portico_core::connected_app::credentials::generate_consumer_secret;
use serde::Serialize;
use utoipa::ToSchema;

use super::Caller;
use super::app_support::{AppView, SECTION, audit, find_app, refuse_builtin};
use crate::error::ApiError;
use crate::state::AppState;

const TAG: &str = "Connected apps";

/// `{"consumerSecret": "..."}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretView {
    consumer_secret: String,
}

#[utoipa::path(operation_id = "revealConsumerSecret", get, path = "/api/v1/connected-apps/{fullName}/consumer-secret", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name")),
    responses((status = 200, description = "The current consumer secret", body = SecretView),
        (status = 404, description = "No such app, or a public client without a secret")))]
pub(crate) async fn reveal(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
) -> Result<Json<SecretView>, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let app = find_app(&state, &caller, &full_name).await?;
    let sealed = app.consumer_secret_sealed.as_deref().ok_or_else(|| {
        ApiError::not_found(&format!(
            "consumer secret of {full_name} (a public client has none)"
        ))
    })?;
    let secret = state.data_key.open(sealed).ok_or_else(|| {
        tracing::error!(app = %app.id, "a consumer secret does not open with the configured data key");
        ApiError::internal()
    })?;
    let name = app.full_name();
    audit(
        &state,
        &caller,
        "consumerSecretRevealed",
        SECTION,
        name,
        format!("Viewed the consumer secret of connected app {name}"),
        Vec::new(),
    )
    .await;
    Ok(Json(SecretView {
        consumer_secret: secret,
    }))
}

#[utoipa::path(operation_id = "rotateConsumerSecret", post, path = "/api/v1/connected-apps/{fullName}/consumer-secret", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name")),
    responses((status = 200, description = "A new secret replaced the old one, which stops working now", body = SecretView),
        (status = 404, description = "No such app")))]
pub(crate) async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
) -> Result<Json<SecretView>, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let mut app = find_app(&state, &caller, &full_name).await?;
    // Giving the public CLI client a secret would make it confidential behind its users' backs.
    refuse_builtin(&app, "given a consumer secret")?;
    let secret = generate_consumer_secret();
    app.consumer_secret_sealed = Some(state.data_key.seal(&secret));
    app.updated_at = state.clock.now();
    state.store.update_app(&app).await?;
    let name = app.full_name();
    let change = FieldChange {
        field: "consumerSecret".to_owned(),
        old_value: None,
        new_value: Some("(rotated)".to_owned()),
    };
    audit(
        &state,
        &caller,
        "consumerSecretRotated",
        SECTION,
        name,
        format!("Rotated the consumer secret of connected app {name}"),
        vec![change],
    )
    .await;
    Ok(Json(SecretView {
        consumer_secret: secret,
    }))
}

#[utoipa::path(operation_id = "installConnectedApp", post, path = "/api/v1/connected-apps/{fullName}/install", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name")),
    responses((status = 200, description = "Installed (idempotent)", body = AppView),
        (status = 403, description = "Missing permissions (packaged apps also need Download AppExchange Packages)"),
        (status = 404, description = "No such app")))]
pub(crate) async fn install(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
) -> Result<Response, ApiError> {
    set_installed(&state, &caller, &full_name, true).await
}

#[utoipa::path(operation_id = "uninstallConnectedApp", delete, path = "/api/v1/connected-apps/{fullName}/install", tag = TAG,
    params(("fullName" = String, Path, description = "The app's API name")),
    responses((status = 200, description = "Uninstalled (idempotent): only users with Approve Uninstalled Connected Apps may use it", body = AppView),
        (status = 403, description = "Missing permissions"), (status = 404, description = "No such app")))]
pub(crate) async fn uninstall(
    State(state): State<AppState>,
    caller: Caller,
    Path(full_name): Path<String>,
) -> Result<Response, ApiError> {
    set_installed(&state, &caller, &full_name, false).await
}

/// The permission to install or uninstall an app: packaged apps need more (the seed).
pub(crate) const fn install_action(app: &ConnectedApp) -> AdminAction {
    if app.is_packaged {
        AdminAction::InstallPackagedApp
    } else {
        AdminAction::InstallApp
    }
}

async fn set_installed(
    state: &AppState,
    caller: &Caller,
    full_name: &str,
    installed: bool,
) -> Result<Response, ApiError> {
    // Read access first, so that a caller who may not see apps learns nothing about this one.
    caller.require(AdminAction::InstallApp)?;
    let mut app = find_app(state, caller, full_name).await?;
    caller.require(install_action(&app))?;
    if !installed {
        refuse_builtin(&app, "uninstalled")?;
    }
    if app.is_installed != installed {
        app.is_installed = installed;
        app.updated_at = state.clock.now();
        state.store.update_app(&app).await?;
        let (action, verb) = if installed {
            ("connectedAppInstalled", "Installed")
        } else {
            ("connectedAppUninstalled", "Uninstalled")
        };
        let name = app.full_name();
        let change = FieldChange {
            field: "isInstalled".to_owned(),
            old_value: Some((!installed).to_string()),
            new_value: Some(installed.to_string()),
        };
        audit(
            state,
            caller,
            action,
            SECTION,
            name,
            format!("{verb} connected app {name}"),
            vec![change],
        )
        .await;
    }
    Ok(AppView::new(&app).into_response())
}
