//! Profiles and Permission Sets (`/setup/profiles`, `/setup/permission-sets`): one set of pages
//! for both, as the admin API has one set of handlers. A list, New, and each record's page,
//! which is its edit form. Reading needs View Setup; saving needs Manage Profiles and
//! Permission Sets (the API's checks, through its handlers).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::AdminAction;
use portico_core::org::Permission;
use serde_json::{Value, json};

use super::api::{FormErrors, answer, refusal, text};
use super::page::{Fields, Nav, SetupUser, Shell, done, note, show, show_invalid};
use crate::admin_api::bundles::{self, BundleInput};
use crate::admin_api::{Body, Caller};
use crate::error::ApiError;
use crate::state::AppState;

/// Which of the two the page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Profile,
    PermissionSet,
}

impl Kind {
    const fn path(self) -> &'static str {
        match self {
            Self::Profile => "/setup/profiles",
            Self::PermissionSet => "/setup/permission-sets",
        }
    }
    const fn noun(self) -> &'static str {
        match self {
            Self::Profile => "Profile",
            Self::PermissionSet => "Permission Set",
        }
    }
    const fn plural(self) -> &'static str {
        match self {
            Self::Profile => "Profiles",
            Self::PermissionSet => "Permission Sets",
        }
    }
    const fn nav(self) -> Nav {
        match self {
            Self::Profile => Nav::Profiles,
            Self::PermissionSet => Nav::PermissionSets,
        }
    }
}

async fn list_answer(state: &AppState, caller: Caller, kind: Kind) -> Result<Value, ApiError> {
    let s = State(state.clone());
    match kind {
        Kind::Profile => answer(bundles::list_profiles(s, caller).await).await,
        Kind::PermissionSet => answer(bundles::list_permission_sets(s, caller).await).await,
    }
}

async fn get_answer(
    state: &AppState,
    caller: Caller,
    kind: Kind,
    id: String,
) -> Result<Value, ApiError> {
    let s = State(state.clone());
    match kind {
        Kind::Profile => answer(bundles::get_profile(s, caller, Path(id)).await).await,
        Kind::PermissionSet => answer(bundles::get_permission_set(s, caller, Path(id)).await).await,
    }
}

async fn save_answer(
    state: &AppState,
    caller: Caller,
    kind: Kind,
    id: Option<String>,
    input: BundleInput,
) -> Result<Value, ApiError> {
    let s = State(state.clone());
    match (kind, id) {
        (Kind::Profile, None) => {
            answer(bundles::create_profile(s, caller, Body(input)).await).await
        }
        (Kind::PermissionSet, None) => {
            answer(bundles::create_permission_set(s, caller, Body(input)).await).await
        }
        (Kind::Profile, Some(id)) => {
            answer(bundles::patch_profile(s, caller, Path(id), Body(input)).await).await
        }
        (Kind::PermissionSet, Some(id)) => {
            answer(bundles::patch_permission_set(s, caller, Path(id), Body(input)).await).await
        }
    }
}

/// One row of a list: (id, label, API name, permission labels).
type Row = (String, String, String, String);

#[derive(Template)]
#[template(path = "setup/bundles.html")]
struct ListPage {
    shell: Shell,
    kind: Kind,
    rows: Vec<Row>,
    may_manage: bool,
}

fn permission_labels(value: &Value) -> Vec<&'static str> {
    value["permissions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.as_str().and_then(|p| p.parse::<Permission>().ok()))
        .map(Permission::label)
        .collect()
}

pub(crate) async fn list(state: AppState, jar: CookieJar, user: SetupUser, kind: Kind) -> Response {
    let all = match list_answer(&state, user.caller(), kind).await {
        Ok(v) => v,
        Err(e) => return refusal(&e),
    };
    let mut rows: Vec<Row> = all
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|b| {
            (
                text(b, "id"),
                text(b, "label"),
                text(b, "name"),
                permission_labels(b).join(", "),
            )
        })
        .collect();
    rows.sort_by_key(|r| r.1.to_lowercase());
    let (jar, shell) = Shell::open(&state, jar, &user, kind.nav());
    show(
        jar,
        &ListPage {
            shell,
            kind,
            rows,
            may_manage: user.may(AdminAction::ManageProfiles),
        },
    )
}

/// The form as typed.
#[derive(Debug, Clone, Default)]
struct BundleForm {
    label: String,
    name: String,
    permissions: Vec<String>,
    custom_permissions: String,
}

impl BundleForm {
    fn from_answer(b: &Value) -> Self {
        let list = |field: &str| -> Vec<String> {
            b[field]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        Self {
            label: text(b, "label"),
            name: text(b, "name"),
            permissions: list("permissions"),
            custom_permissions: list("customPermissions").join("\n"),
        }
    }

    fn from_fields(f: &Fields) -> Self {
        Self {
            label: f.get("label").to_owned(),
            name: f.get("name").to_owned(),
            permissions: f.all("permissions"),
            custom_permissions: f.get("custom_permissions").to_owned(),
        }
    }

    fn to_input(&self) -> Result<BundleInput, ApiError> {
        let custom: Vec<&str> = self
            .custom_permissions
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        serde_json::from_value(json!({
            "label": self.label.trim(),
            "name": self.name.trim(),
            "permissions": self.permissions,
            "customPermissions": custom,
        }))
        .map_err(|e| {
            tracing::error!(error = %e, "the bundle form does not fit the admin API's input");
            ApiError::internal()
        })
    }
}

fn field_for(path: &str) -> Option<String> {
    let field = match path {
        "name" => "name",
        "label" => "label",
        p if p.starts_with("permissions") => "permissions",
        p if p.starts_with("customPermissions") => "custom_permissions",
        _ => return None,
    };
    Some(field.to_owned())
}

#[derive(Template)]
#[template(path = "setup/bundle_form.html")]
struct FormPage {
    shell: Shell,
    kind: Kind,
    id: Option<String>,
    form: BundleForm,
    errors: FormErrors,
    /// (API name, label, checked).
    choices: Vec<(&'static str, &'static str, bool)>,
    may_manage: bool,
}

fn form_page(
    state: &AppState,
    jar: CookieJar,
    user: &SetupUser,
    kind: Kind,
    id: Option<String>,
    form: BundleForm,
    errors: FormErrors,
) -> Response {
    let choices = Permission::ALL
        .iter()
        .map(|p| {
            (
                p.api_name(),
                p.label(),
                form.permissions.iter().any(|c| c == p.api_name()),
            )
        })
        .collect();
    let invalid = !errors.is_empty();
    let (jar, shell) = Shell::open(state, jar, user, kind.nav());
    let page = FormPage {
        shell,
        kind,
        id,
        form,
        errors,
        choices,
        may_manage: user.may(AdminAction::ManageProfiles),
    };
    if invalid {
        show_invalid(jar, &page)
    } else {
        show(jar, &page)
    }
}

pub(crate) async fn new(state: AppState, jar: CookieJar, user: SetupUser, kind: Kind) -> Response {
    if let Err(refused) = user.require(AdminAction::ManageProfiles) {
        return refused;
    }
    form_page(
        &state,
        jar,
        &user,
        kind,
        None,
        BundleForm::default(),
        FormErrors::new(),
    )
}

pub(crate) async fn edit(
    state: AppState,
    jar: CookieJar,
    user: SetupUser,
    kind: Kind,
    id: String,
) -> Response {
    match get_answer(&state, user.caller(), kind, id.clone()).await {
        Ok(found) => form_page(
            &state,
            jar,
            &user,
            kind,
            Some(id),
            BundleForm::from_answer(&found),
            FormErrors::new(),
        ),
        Err(e) => refusal(&e),
    }
}

pub(crate) async fn save(
    state: AppState,
    jar: CookieJar,
    user: SetupUser,
    kind: Kind,
    id: Option<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let form = BundleForm::from_fields(&fields);
    let result = match form.to_input() {
        Ok(input) => save_answer(&state, user.caller(), kind, id.clone(), input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => {
            let flash = note(format!(
                "{} {} was saved.",
                kind.noun(),
                text(&saved, "label")
            ));
            done(
                &state,
                jar,
                &format!("{}/{}", kind.path(), text(&saved, "id")),
                &flash,
            )
        }
        Err(e) => {
            let mut errors = FormErrors::new();
            errors.absorb(e, field_for);
            form_page(&state, jar, &user, kind, id, form, errors)
        }
    }
}
