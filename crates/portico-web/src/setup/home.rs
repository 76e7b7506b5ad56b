//! `/setup`: Setup home, for users with View Setup and Configuration; everyone else gets a 403
//! page that names the missing permission.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::AdminAction;

use super::api::refusal;
use super::page::{Nav, SetupUser, Shell, show};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "setup/home.html")]
struct HomePage {
    shell: Shell,
    org_id: String,
    edition: &'static str,
    /// `None` when the user may not see connected apps.
    app_count: Option<usize>,
    user_count: usize,
    can_manage_apps: bool,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
) -> Response {
    if let Err(refused) = user.require(AdminAction::ViewSetup) {
        return refused;
    }
    let can_manage_apps = user.may(AdminAction::ManageApps);
    let app_count = if can_manage_apps {
        match state.store.list_apps(&user.org.id).await {
            Ok(apps) => Some(apps.len()),
            Err(e) => return refusal(&e.into()),
        }
    } else {
        None
    };
    let user_count = match state.store.list_users(&user.org.id).await {
        Ok(users) => users.len(),
        Err(e) => return refusal(&e.into()),
    };
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Home);
    let page = HomePage {
        org_id: user.org.id.to_string(),
        edition: user.org.edition.as_str(),
        shell,
        app_count,
        user_count,
        can_manage_apps,
    };
    show(jar, &page)
}
