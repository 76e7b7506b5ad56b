//! Users (`/setup/users`): the list, and the New / Edit User form. Reading needs View Setup or
//! Manage Users and changing needs Manage Users, exactly as `/api/v1/users`, whose handlers
//! these pages call.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::AdminAction;
use portico_core::store::BundleKind;
use serde_json::{Value, json};

use super::api::{FormErrors, answer, refusal, text};
use super::page::{Fields, Nav, SetupUser, Shell, done, note, show, show_invalid};
use crate::admin_api::Body;
use crate::admin_api::users::{self, UserInput};
use crate::error::ApiError;
use crate::state::AppState;

/// One row of the users table.
struct UserRow {
    id: String,
    name: String,
    username: String,
    email: String,
    profile: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "setup/users.html")]
struct UsersPage {
    shell: Shell,
    rows: Vec<UserRow>,
    may_manage: bool,
}

/// Profile labels by id, for showing users (empty if they cannot be read).
pub(crate) async fn profile_labels(state: &AppState, user: &SetupUser) -> Vec<(String, String)> {
    match state
        .store
        .list_bundles(BundleKind::Profile, &user.org.id)
        .await
    {
        Ok(all) => all
            .into_iter()
            .map(|p| (p.id.to_string(), p.label))
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "listing profiles for the users pages");
            Vec::new()
        }
    }
}

fn label_of(labels: &[(String, String)], id: &str) -> String {
    labels
        .iter()
        .find(|(i, _)| i == id)
        .map_or_else(|| id.to_owned(), |(_, l)| l.clone())
}

pub(crate) async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
) -> Response {
    let listed = match answer(users::list(State(state.clone()), user.caller()).await).await {
        Ok(v) => v,
        Err(e) => return refusal(&e),
    };
    let labels = profile_labels(&state, &user).await;
    let mut rows: Vec<UserRow> = listed
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|u| UserRow {
            id: text(u, "id"),
            name: format!("{} {}", text(u, "firstName"), text(u, "lastName"))
                .trim()
                .to_owned(),
            username: text(u, "username"),
            email: text(u, "email"),
            profile: label_of(&labels, &text(u, "profileId")),
            active: u["isActive"].as_bool().unwrap_or(false),
        })
        .collect();
    rows.sort_by_key(|r| (!r.active, r.name.to_lowercase()));
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Users);
    let page = UsersPage {
        shell,
        rows,
        may_manage: user.may(AdminAction::ManageUsers),
    };
    show(jar, &page)
}

/// The user form as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserForm {
    first_name: String,
    last_name: String,
    email: String,
    username: String,
    profile_id: String,
    password: String,
}

impl UserForm {
    fn from_fields(f: &Fields) -> Self {
        Self {
            first_name: f.get("first_name").to_owned(),
            last_name: f.get("last_name").to_owned(),
            email: f.get("email").to_owned(),
            username: f.get("username").to_owned(),
            profile_id: f.get("profile_id").to_owned(),
            password: f.get("password").to_owned(),
        }
    }

    fn from_answer(u: &Value) -> Self {
        Self {
            first_name: text(u, "firstName"),
            last_name: text(u, "lastName"),
            email: text(u, "email"),
            username: text(u, "username"),
            profile_id: text(u, "profileId"),
            password: String::new(),
        }
    }

    /// The API's `UserInput`; a blank password on edit means "keep it".
    fn to_input(&self) -> Result<UserInput, ApiError> {
        let mut body = json!({
            "firstName": self.first_name.trim(),
            "lastName": self.last_name,
            "email": self.email,
            "username": self.username,
            "profileId": self.profile_id,
        });
        if !self.password.is_empty() {
            body["password"] = json!(self.password);
        }
        serde_json::from_value(body).map_err(|e| {
            tracing::error!(error = %e, "the user form does not fit the admin API's input");
            ApiError::internal()
        })
    }
}

fn field_for(path: &str) -> Option<String> {
    let field = match path {
        "username" => "username",
        "email" => "email",
        "firstName" => "first_name",
        "lastName" => "last_name",
        "profileId" => "profile_id",
        "password" => "password",
        _ => return None,
    };
    Some(field.to_owned())
}

#[derive(Template)]
#[template(path = "setup/user_form.html")]
struct UserFormPage {
    shell: Shell,
    /// The user's id when editing.
    editing: Option<String>,
    form: UserForm,
    errors: FormErrors,
    profiles: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    jar: CookieJar,
    user: &SetupUser,
    editing: Option<String>,
    form: UserForm,
    errors: FormErrors,
) -> Response {
    let profiles = profile_labels(state, user).await;
    let invalid = !errors.is_empty();
    let (jar, shell) = Shell::open(state, jar, user, Nav::Users);
    let page = UserFormPage {
        shell,
        editing,
        form,
        errors,
        profiles,
    };
    if invalid {
        show_invalid(jar, &page)
    } else {
        show(jar, &page)
    }
}

pub(crate) async fn new(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
) -> Response {
    if let Err(refused) = user.require(AdminAction::ManageUsers) {
        return refused;
    }
    form_page(
        &state,
        jar,
        &user,
        None,
        UserForm::default(),
        FormErrors::new(),
    )
    .await
}

pub(crate) async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let form = UserForm::from_fields(&fields);
    let result = match form.to_input() {
        Ok(input) => {
            answer(users::create(State(state.clone()), user.caller(), Body(input)).await).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => {
            let flash = note(format!("User {} was created.", text(&created, "username")));
            done(
                &state,
                jar,
                &format!("/setup/users/{}", text(&created, "id")),
                &flash,
            )
        }
        Err(e) => {
            let mut errors = FormErrors::new();
            errors.absorb(e, field_for);
            form_page(&state, jar, &user, None, form, errors).await
        }
    }
}

pub(crate) async fn edit(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = user.require(AdminAction::ManageUsers) {
        return refused;
    }
    match answer(users::get(State(state.clone()), user.caller(), Path(id.clone())).await).await {
        Ok(found) => {
            form_page(
                &state,
                jar,
                &user,
                Some(id),
                UserForm::from_answer(&found),
                FormErrors::new(),
            )
            .await
        }
        Err(e) => refusal(&e),
    }
}

pub(crate) async fn update(
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
    let form = UserForm::from_fields(&fields);
    let result = match form.to_input() {
        Ok(input) => {
            answer(
                users::patch(
                    State(state.clone()),
                    user.caller(),
                    Path(id.clone()),
                    Body(input),
                )
                .await,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => done(
            &state,
            jar,
            &format!("/setup/users/{id}"),
            &note(format!("User {} was saved.", text(&saved, "username"))),
        ),
        Err(e) => {
            let mut errors = FormErrors::new();
            errors.absorb(e, field_for);
            form_page(&state, jar, &user, Some(id), form, errors).await
        }
    }
}
