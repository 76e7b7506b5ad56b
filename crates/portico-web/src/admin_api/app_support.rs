//! What the connected-app handlers share (CONTRACT §3, issue 3): the JSON view of an app, looking
//! one up by API name, validation errors as Salesforce error arrays, the permission checks a change
//! needs (the seed's table), and audit trail entries.

use axum::Json;
use axum::response::{IntoResponse, Response};
use portico_core::admin_access::AdminAction;
use portico_core::bootstrap::CLI_APP_NAME;
use portico_core::connected_app::audit::{AuditEntry, FieldChange};
use portico_core::connected_app::certificate::{CertificateInfo, inspect_certificate};
use portico_core::connected_app::directory::OrgDirectory;
use portico_core::connected_app::input::{FieldError, FieldErrorKind, parse_app_input};
use portico_core::connected_app::validate::{Context, Mode, ValidatedApp, validate_parsed};
use portico_core::connected_app::{AppSettings, ConnectedApp};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::Caller;
use crate::error::{ApiError, ApiErrorCode};
use crate::state::AppState;

/// The Setup area audit entries about apps are filed under.
pub(crate) const SECTION: &str = "Connected Apps";

/// A connected app as the API returns it: the Metadata API settings plus what the server keeps
/// about the app. `oauthConfig.consumerKey` repeats `consumerKey`, as in a metadata file.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppView {
    /// `0H4…`.
    id: String,
    #[serde(flatten)]
    settings: AppSettings,
    /// The OAuth `client_id`.
    consumer_key: String,
    /// Only in the responses that create the app (once) or reveal or rotate the secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer_secret: Option<String>,
    is_installed: bool,
    is_packaged: bool,
    /// The registrar app (`0H4…`) when this app was created through dynamic client registration
    /// (RFC 7591); that app may introspect this one's tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    registered_by: Option<String>,
    /// Details of `oauthConfig.certificate`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate_info: Option<CertificateInfo>,
    /// Unix milliseconds.
    created_at: i64,
    updated_at: i64,
}

impl AppView {
    pub(crate) fn new(app: &ConnectedApp) -> Self {
        let certificate_info = app
            .oauth()
            .and_then(|o| o.certificate.as_deref())
            .and_then(|pem| inspect_certificate(pem).ok());
        Self {
            id: app.id.to_string(),
            settings: app.settings.clone(),
            consumer_key: app.consumer_key.clone(),
            consumer_secret: None,
            is_installed: app.is_installed,
            is_packaged: app.is_packaged,
            registered_by: app.registered_by.as_ref().map(ToString::to_string),
            certificate_info,
            created_at: app.created_at.0,
            updated_at: app.updated_at.0,
        }
    }

    #[must_use]
    pub(crate) fn with_secret(mut self, secret: String) -> Self {
        self.consumer_secret = Some(secret);
        self
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(Value::Object(oauth)) = value.get_mut("oauthConfig") {
            oauth.insert(
                "consumerKey".to_owned(),
                Value::String(self.consumer_key.clone()),
            );
        }
        value
    }
}

impl IntoResponse for AppView {
    fn into_response(self) -> Response {
        Json(self.to_json()).into_response()
    }
}

/// The app with this API name in the caller's org, or a 404.
pub(crate) async fn find_app(
    state: &AppState,
    caller: &Caller,
    full_name: &str,
) -> Result<ConnectedApp, ApiError> {
    state
        .store
        .find_app_by_name(&caller.org.id, full_name)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("connected app {full_name}")))
}

/// Field errors as one Salesforce error array.
pub(crate) fn field_errors(errors: Vec<FieldError>) -> ApiError {
    let items = errors
        .into_iter()
        .map(|e| {
            let code = match e.kind {
                FieldErrorKind::Missing => ApiErrorCode::RequiredFieldMissing,
                FieldErrorKind::Invalid => ApiErrorCode::InvalidField,
                FieldErrorKind::Integrity => ApiErrorCode::FieldIntegrityException,
            };
            ApiError::new(code, e.message, &[e.field.as_str()])
        })
        .collect();
    ApiError::merge(items)
        .unwrap_or_else(|| ApiError::invalid_field("(body)", "the connected app is invalid"))
}

/// Parses and validates a body against the org (run-as user, certificates, profiles).
pub(crate) async fn validate_body(
    state: &AppState,
    caller: &Caller,
    body: Value,
    mode: &Mode,
    current: Option<&AppSettings>,
) -> Result<ValidatedApp, ApiError> {
    let (input, parse_errors) = parse_app_input(body);
    let directory = match &input {
        Some(i) => OrgDirectory::load(state.store.as_ref(), &caller.org.id, i).await?,
        None => OrgDirectory::default(),
    };
    let ctx = Context {
        now: state.clock.now(),
        mode,
        directory: &directory,
        current,
    };
    validate_parsed(input, parse_errors, &ctx).map_err(field_errors)
}

/// The seed's table for saving `new` over `old` (`None` = creating): managing apps always;
/// Manage Profiles and Permission Sets with Modify All Data when profiles, permission sets or
/// SAML attributes (custom attributes and the SAML settings) change; Modify All Data when
/// Introspect All Tokens changes.
pub(crate) fn require_for_change(
    caller: &Caller,
    old: Option<&AppSettings>,
    new: &AppSettings,
) -> Result<(), ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let empty = AppSettings::default();
    let before = old.unwrap_or(&empty);
    let saml = |s: &AppSettings| s.unmodeled.get("samlConfig").cloned();
    if before.profile_name != new.profile_name
        || before.permission_set_name != new.permission_set_name
        || before.attributes != new.attributes
        || saml(before) != saml(new)
    {
        caller.require(AdminAction::AssignAppProfiles)?;
    }
    let introspect = |s: &AppSettings| {
        s.oauth_config
            .as_ref()
            .is_some_and(|o| o.is_introspect_all_tokens)
    };
    if introspect(before) != introspect(new) {
        caller.require(AdminAction::SetIntrospectAllTokens)?;
    }
    Ok(())
}

/// The read-only fields of a response (`id`, `isInstalled`, `isPackaged`, `registeredBy`) may be
/// sent back, but only unchanged: a different value is refused rather than silently ignored. `app`
/// is `None` on create, where the values are those of a new app.
pub(crate) fn check_read_only(body: &Value, app: Option<&ConnectedApp>) -> Result<(), ApiError> {
    let expected = [
        (
            "id",
            app.map_or(Value::Null, |a| Value::String(a.id.to_string())),
        ),
        (
            "isInstalled",
            Value::Bool(app.is_none_or(|a| a.is_installed)),
        ),
        (
            "isPackaged",
            Value::Bool(app.is_some_and(|a| a.is_packaged)),
        ),
        (
            "registeredBy",
            app.and_then(|a| a.registered_by.as_ref())
                .map_or(Value::Null, |id| Value::String(id.to_string())),
        ),
    ];
    let errors = expected
        .into_iter()
        .filter(|(field, want)| body.get(*field).is_some_and(|got| got != want))
        .map(|(field, _)| {
            let hint = if field == "isInstalled" {
                "; install or uninstall with POST or DELETE /api/v1/connected-apps/{fullName}/install"
            } else {
                ""
            };
            ApiError::new(
                ApiErrorCode::FieldIntegrityException,
                format!("{field} is read-only{hint}"),
                &[field],
            )
        })
        .collect();
    ApiError::merge(errors).map_or(Ok(()), Err)
}

/// The built-in CLI app cannot be deleted, renamed or uninstalled: the `portico` command depends
/// on it.
pub(crate) fn refuse_builtin(app: &ConnectedApp, what: &str) -> Result<(), ApiError> {
    if app.full_name() == CLI_APP_NAME && app.consumer_key == CLI_APP_NAME {
        return Err(ApiError::new(
            ApiErrorCode::FieldIntegrityException,
            format!(
                "the built-in {CLI_APP_NAME} app can't be {what}: the portico command line uses it"
            ),
            &["fullName"],
        ));
    }
    Ok(())
}

/// Writes an audit entry; a failure is logged and does not undo the change it records.
pub(crate) async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    section: &str,
    target: &str,
    display: String,
    changes: Vec<FieldChange>,
) {
    let by = (
        caller.user.user.id.clone(),
        caller.user.user.username.clone(),
    );
    let entry = AuditEntry::new(
        caller.org.id.clone(),
        by,
        state.clock.now(),
        action,
        section,
        target,
        display,
    )
    .with_changes(changes);
    if let Err(e) = state.store.insert_audit_entry(&entry).await {
        tracing::error!(error = %e, action, target, "could not write the setup audit trail");
    }
}
