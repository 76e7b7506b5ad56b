//! `/setup/apps`: App Manager. A table of the org's connected apps (label, API name, OAuth
//! enabled, installed or packaged, last modified) with a search box and the "New Connected App"
//! button. Seeing it needs what listing apps in the admin API needs.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::ConnectedApp;
use serde::Deserialize;

use super::api::refusal;
use super::page::{Nav, SetupUser, Shell, format_time, show};
use crate::state::AppState;

/// One row of the table.
struct AppRow {
    label: String,
    full_name: String,
    description: String,
    oauth_enabled: bool,
    is_installed: bool,
    is_packaged: bool,
    updated: String,
}

impl AppRow {
    fn new(app: &ConnectedApp) -> Self {
        Self {
            label: app.settings.label.clone(),
            full_name: app.full_name().to_owned(),
            description: app.settings.description.clone().unwrap_or_default(),
            oauth_enabled: app.oauth().is_some(),
            is_installed: app.is_installed,
            is_packaged: app.is_packaged,
            updated: format_time(app.updated_at.0),
        }
    }
}

#[derive(Template)]
#[template(path = "setup/apps.html")]
struct AppsPage {
    shell: Shell,
    query: String,
    rows: Vec<AppRow>,
    total: usize,
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Query(search): Query<SearchQuery>,
) -> Response {
    let caller = user.caller();
    if let Err(e) = caller.require(AdminAction::ManageApps) {
        return refusal(&e);
    }
    let mut apps = match state.store.list_apps(&user.org.id).await {
        Ok(apps) => apps,
        Err(e) => return refusal(&e.into()),
    };
    apps.sort_by_key(|a| a.settings.label.to_lowercase());
    let total = apps.len();
    let query = search.q.unwrap_or_default().trim().to_owned();
    let needle = query.to_lowercase();
    let rows = apps
        .iter()
        .filter(|a| needle.is_empty() || matches(a, &needle))
        .map(AppRow::new)
        .collect();
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    show(
        jar,
        &AppsPage {
            shell,
            query,
            rows,
            total,
        },
    )
}

/// Search looks at the label, the API name, the description and the consumer key.
fn matches(app: &ConnectedApp, needle: &str) -> bool {
    [
        app.settings.label.as_str(),
        app.full_name(),
        app.settings.description.as_deref().unwrap_or_default(),
        app.consumer_key.as_str(),
    ]
    .iter()
    .any(|s| s.to_lowercase().contains(needle))
}
