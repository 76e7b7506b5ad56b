//! New and Edit Connected App (`/setup/apps/new`, `/setup/apps/{fullName}/edit`): the seed's
//! page, section by section. Save posts a multipart form (the certificate is a file); the
//! admin API's create and merge-patch handlers validate and save it, and every error they report
//! is shown beside its field with what the user typed.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::{AdminAction, check_edition_can_create_apps};
use portico_core::connected_app::callback::MAX_CALLBACK_CHARS;
use portico_core::connected_app::certificate::inspect_certificate;
use portico_core::connected_app::validate::Mode;
use portico_core::scope::Scope;
use serde_json::Value;

use super::api::{FormErrors, answer, app_for_page, refusal, text};
use super::app_fields::{AppForm, without_nulls};
use super::page::{
    Nav, SetupUser, Shell, check_csrf, done, forbidden, format_time, note, problem, show,
    show_invalid,
};
use crate::admin_api::app_support::validate_body;
use crate::admin_api::apps::{self, merge_patch};
use crate::admin_api::{Body, Caller};
use crate::state::AppState;

/// One scope of the picker.
struct ScopeChoice {
    name: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "setup/app_form.html")]
struct AppFormPage {
    shell: Shell,
    editing: bool,
    action: String,
    cancel: String,
    form: AppForm,
    errors: FormErrors,
    scopes: Vec<ScopeChoice>,
    /// The org's certificates: (name, "name — subject").
    certificates: Vec<(String, String)>,
    usernames: Vec<String>,
    certificate_info: Option<String>,
    max_callback: usize,
}

/// What the page shows besides the form: scopes, certificates, users.
async fn form_page(
    state: &AppState,
    user: &SetupUser,
    shell: Shell,
    editing: Option<&str>,
    form: AppForm,
    errors: FormErrors,
) -> AppFormPage {
    let mut scopes: Vec<ScopeChoice> = Scope::all()
        .map(|s| ScopeChoice {
            name: s.enum_name(),
            label: s.label(),
            selected: form.has_scope(s.enum_name()),
        })
        .collect();
    // Salesforce lists scopes by their names, as the seed's table does.
    scopes.sort_by_key(|s| s.label.to_lowercase());
    let certificates = match state.store.list_certificates(&user.org.id).await {
        Ok(certs) => certs
            .into_iter()
            .map(|c| (c.name.clone(), format!("{} — {}", c.name, c.subject)))
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "listing certificates for the app form");
            Vec::new()
        }
    };
    let usernames = match state.store.list_users(&user.org.id).await {
        Ok(users) => users
            .into_iter()
            .filter(|u| u.is_active)
            .map(|u| u.username)
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "listing users for the app form");
            Vec::new()
        }
    };
    let certificate_info = Some(form.certificate.trim())
        .filter(|c| !c.is_empty())
        .and_then(|c| inspect_certificate(c).ok())
        .map(|i| {
            format!(
                "{} ({}), expires {}",
                i.subject,
                i.key_type,
                format_time(i.expires_at.0)
            )
        });
    let (action, cancel) = match editing {
        Some(name) => (
            format!("/setup/apps/{name}/edit"),
            format!("/setup/apps/{name}"),
        ),
        None => ("/setup/apps/new".to_owned(), "/setup/apps".to_owned()),
    };
    AppFormPage {
        shell,
        editing: editing.is_some(),
        action,
        cancel,
        form,
        errors,
        scopes,
        certificates,
        usernames,
        certificate_info,
        max_callback: MAX_CALLBACK_CHARS,
    }
}

/// Creating needs what `POST /api/v1/connected-apps` needs, edition included.
fn may_create(user: &SetupUser) -> Result<Caller, Response> {
    let caller = user.caller();
    caller
        .require(AdminAction::ManageApps)
        .map_err(|e| refusal(&e))?;
    check_edition_can_create_apps(user.org.edition).map_err(|msg| forbidden(&msg))?;
    Ok(caller)
}

pub(crate) async fn new(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
) -> Response {
    if let Err(refused) = may_create(&user) {
        return refused;
    }
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    let page = form_page(
        &state,
        &user,
        shell,
        None,
        AppForm::blank(),
        FormErrors::new(),
    )
    .await;
    show(jar, &page)
}

pub(crate) async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    multipart: Multipart,
) -> Response {
    let caller = match may_create(&user) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let form = match read_form(&jar, multipart).await {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let body = without_nulls(form.to_json());
    let mut errors = page_errors(&form);
    if errors.is_empty() {
        match answer(apps::create(State(state.clone()), caller, Body(body)).await).await {
            Ok(created) => {
                let name = text(&created, "fullName");
                let flash = note(format!(
                    "Connected app {} was created. Its consumer key and secret are under Manage Consumer Details.",
                    text(&created, "label")
                ));
                return done(&state, jar, &format!("/setup/apps/{name}"), &flash);
            }
            Err(e) => errors.absorb(e, field_for),
        }
    } else if let Err(e) = validate_body(&state, &caller, body, &Mode::Create, None).await {
        // The page's own problems stop the save; the API's are shown with them, all at once.
        errors.absorb(e, field_for);
    }
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    show_invalid(
        jar,
        &form_page(&state, &user, shell, None, form, errors).await,
    )
}

pub(crate) async fn edit(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
) -> Response {
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    let form = AppForm::from_settings(&app.settings);
    let page = form_page(&state, &user, shell, Some(&name), form, FormErrors::new()).await;
    show(jar, &page)
}

pub(crate) async fn update(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    multipart: Multipart,
) -> Response {
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let form = match read_form(&jar, multipart).await {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    // A merge patch: what the form does not show (policies, attributes, IP ranges, …) is kept.
    let patch = form.to_json();
    let mut errors = page_errors(&form);
    if errors.is_empty() {
        let saved = apps::patch(
            State(state.clone()),
            user.caller(),
            Path(name.clone()),
            Body(patch),
        );
        match answer(saved.await).await {
            Ok(saved) => {
                let new_name = text(&saved, "fullName");
                let flash = note(format!(
                    "Connected app {} was saved.",
                    text(&saved, "label")
                ));
                return done(&state, jar, &format!("/setup/apps/{new_name}"), &flash);
            }
            Err(e) => errors.absorb(e, field_for),
        }
    } else {
        let mut merged = serde_json::to_value(&app.settings).unwrap_or(Value::Null);
        merge_patch(&mut merged, patch);
        let mode = Mode::Update {
            consumer_key: app.consumer_key.clone(),
        };
        let caller = user.caller();
        let checked = validate_body(&state, &caller, merged, &mode, Some(&app.settings));
        if let Err(e) = checked.await {
            errors.absorb(e, field_for);
        }
    }
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    show_invalid(
        jar,
        &form_page(&state, &user, shell, Some(&name), form, errors).await,
    )
}

fn page_errors(form: &AppForm) -> FormErrors {
    let mut errors = FormErrors::new();
    for (field, message) in form.page_problems() {
        errors.add(field, message);
    }
    errors
}

/// Reads the multipart form and checks its CSRF token.
async fn read_form(jar: &CookieJar, mut multipart: Multipart) -> Result<AppForm, Response> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        problem(
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            &format!(
                "The form was not sent completely ({}). Go back and try again.",
                e.body_text()
            ),
        )
    };
    let mut form = AppForm::submitted();
    let mut csrf = None;
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "certificate_file" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                // A file input left empty still sends a part, with no bytes.
                upload = Some(bytes).filter(|b| !b.is_empty());
            }
            "csrf_token" => csrf = Some(field.text().await.map_err(unreadable)?),
            _ => {
                let value = field.text().await.map_err(unreadable)?;
                form.set(&name, value);
            }
        }
    }
    check_csrf(jar, csrf.as_deref())?;
    if let Some(bytes) = upload {
        form.upload_certificate(&bytes);
    }
    Ok(form)
}

/// The form field that shows an API error about `path` (`oauthConfig.callbackUrl`).
fn field_for(path: &str) -> Option<String> {
    const FIELDS: &[(&str, &str)] = &[
        ("fullName", "full_name"),
        ("label", "label"),
        ("contactEmail", "contact_email"),
        ("contactPhone", "contact_phone"),
        ("logoUrl", "logo_url"),
        ("infoUrl", "info_url"),
        ("description", "description"),
        ("oauthConfig.callbackUrl", "callback_url"),
        ("oauthConfig.certificate", "certificate"),
        ("oauthConfig.scopes", "scopes"),
        ("oauthConfig.isIntrospectAllTokens", "introspect_all"),
        ("oauthConfig.oauthClientCredentialUser", "run_as"),
        ("oauthConfig.isClientCredentialEnabled", "run_as"),
        ("oauthConfig.singleLogoutUrl", "single_logout_url"),
        (
            "oauthConfig.idTokenConfig.idTokenValidity",
            "id_token_validity",
        ),
        (
            "oauthConfig.idTokenConfig.idTokenAudience",
            "id_token_audience",
        ),
        ("oauthConfig.idTokenConfig", "id_token_validity"),
        (
            "oauthConfig.assetTokenConfig.assetValidityPeriod",
            "asset_validity",
        ),
        (
            "oauthConfig.assetTokenConfig.assetSigningCertId",
            "asset_cert",
        ),
        (
            "oauthConfig.assetTokenConfig.assetAudiences",
            "asset_audiences",
        ),
        ("oauthConfig.assetTokenConfig", "asset_validity"),
    ];
    FIELDS
        .iter()
        .find(|(api, _)| path == *api || path.starts_with(&format!("{api}.")))
        .map(|(_, field)| (*field).to_owned())
}

#[cfg(test)]
mod tests {
    use super::field_for;

    #[test]
    fn api_paths_map_to_form_fields() {
        assert_eq!(
            field_for("oauthConfig.callbackUrl").as_deref(),
            Some("callback_url")
        );
        assert_eq!(
            field_for("oauthConfig.idTokenConfig.idTokenValidity").as_deref(),
            Some("id_token_validity")
        );
        assert_eq!(field_for("attributes[0].formula"), None);
    }
}
