//! Custom attributes of an app (`/setup/apps/{fullName}/attributes`): add one (a key and a
//! formula such as `$User.Email`), or remove one. Both save the whole list through the admin
//! API, which checks the formula and the seed's permission for SAML attributes (custom
//! attributes count as such: Customize Application AND Modify All Data AND Manage Profiles and
//! Permission Sets).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use serde_json::json;

use super::api::{FormErrors, answer, app_for_page, refusal};
use super::app_policies::{PolicyForm, policies_page};
use super::page::{Fields, Nav, SetupUser, Shell, done, note, show_invalid};
use crate::admin_api::{Body, apps};
use crate::state::AppState;

pub(crate) async fn add(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let (key, formula) = (
        fields.get("attr_key").to_owned(),
        fields.get("attr_formula").to_owned(),
    );
    let index = app.settings.attributes.len();
    let mut list = json!(app.settings.attributes);
    if let Some(items) = list.as_array_mut() {
        items.push(json!({"key": key.trim(), "formula": formula.trim()}));
    }
    let saved = apps::patch(
        State(state.clone()),
        user.caller(),
        Path(name.clone()),
        Body(json!({"attributes": list})),
    );
    let mut errors = FormErrors::new();
    match answer(saved.await).await {
        Ok(_) => {
            let flash = note(format!("Custom attribute {} was added.", key.trim()));
            return done(&state, jar, &format!("/setup/apps/{name}/policies"), &flash);
        }
        Err(e) => {
            let mine = format!("attributes[{index}]");
            errors.absorb(e, |path| match path.strip_prefix(&mine) {
                Some(".key") => Some("attr_key".to_owned()),
                Some(".formula") => Some("attr_formula".to_owned()),
                _ => None,
            });
        }
    }
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    let form = PolicyForm::from_app(&app);
    let page = policies_page(&state, &user, shell, &app, form, (key, formula), errors).await;
    show_invalid(jar, &page)
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let key = fields.get("attr_key");
    let kept: Vec<_> = app
        .settings
        .attributes
        .iter()
        .filter(|a| a.key != key)
        .collect();
    let saved = apps::patch(
        State(state.clone()),
        user.caller(),
        Path(name.clone()),
        Body(json!({"attributes": kept})),
    );
    match answer(saved.await).await {
        Ok(_) => done(
            &state,
            jar,
            &format!("/setup/apps/{name}/policies"),
            &note(format!("Custom attribute {key} was removed.")),
        ),
        Err(e) => refusal(&e),
    }
}
