//! Connected Apps OAuth Usage (`/setup/oauth-usage`): the org's apps with how many users hold a
//! live approval of each, install / uninstall, and Block. Block uninstalls the app (the admin
//! API's handler and permissions) and revokes every user's approval of it, so that its tokens
//! stop working and only users with Approve Uninstalled Connected Apps could approve it again.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::StoreError;
use portico_core::admin_access::AdminAction;
use portico_core::ids::SfId;

use super::api::{answer, app_for_page, refusal};
use super::app_view::ConfirmPage;
use super::page::{Fields, Nav, SetupUser, Shell, done, note, show};
use crate::admin_api::app_lifecycle::{self, install_action};
use crate::admin_api::app_support::refuse_builtin;
use crate::state::AppState;

struct UsageRow {
    label: String,
    full_name: String,
    description: String,
    user_count: usize,
    is_installed: bool,
    is_packaged: bool,
    may_install: bool,
}

#[derive(Template)]
#[template(path = "setup/oauth_usage.html")]
struct UsagePage {
    shell: Shell,
    rows: Vec<UsageRow>,
}

/// The users with a live approval, per app: one query per user of the org.
async fn users_per_app(
    state: &AppState,
    org_id: &SfId,
) -> Result<BTreeMap<SfId, BTreeSet<SfId>>, StoreError> {
    let mut per_app: BTreeMap<SfId, BTreeSet<SfId>> = BTreeMap::new();
    for u in state.store.list_users(org_id).await? {
        for a in state.store.list_user_approvals(&u.id).await? {
            per_app.entry(a.app_id).or_default().insert(u.id.clone());
        }
    }
    Ok(per_app)
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
) -> Response {
    if let Err(e) = user.caller().require(AdminAction::ManageApps) {
        return refusal(&e);
    }
    let loaded = async {
        let apps = state.store.list_apps(&user.org.id).await?;
        Ok::<_, StoreError>((apps, users_per_app(&state, &user.org.id).await?))
    };
    let (apps, per_app) = match loaded.await {
        Ok(found) => found,
        Err(e) => return refusal(&e.into()),
    };
    let mut rows: Vec<UsageRow> = apps
        .iter()
        .map(|a| UsageRow {
            label: a.settings.label.clone(),
            full_name: a.full_name().to_owned(),
            description: a.settings.description.clone().unwrap_or_default(),
            user_count: per_app.get(&a.id).map_or(0, BTreeSet::len),
            is_installed: a.is_installed,
            is_packaged: a.is_packaged,
            // The built-in CLI app can't be uninstalled (the admin API refuses it): no buttons.
            may_install: user.may(install_action(a)) && refuse_builtin(a, "uninstalled").is_ok(),
        })
        .collect();
    // Apps in use first, then by name.
    rows.sort_by_key(|r| (std::cmp::Reverse(r.user_count), r.label.to_lowercase()));
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::OAuthUsage);
    show(jar, &UsagePage { shell, rows })
}

pub(crate) async fn confirm_block(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
) -> Response {
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::OAuthUsage);
    let page = ConfirmPage {
        shell,
        heading: format!("Block {}?", app.settings.label),
        message: "Blocking uninstalls the app and revokes every user's access to it: its access and refresh tokens stop working now. Install it again to let users approve it."
            .to_owned(),
        action: format!("/setup/oauth-usage/{name}/block"),
        button: "Block",
        cancel: "/setup/oauth-usage".to_owned(),
    };
    show(jar, &page)
}

pub(crate) async fn block(
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
    let uninstalled =
        app_lifecycle::uninstall(State(state.clone()), user.caller(), Path(name.clone()));
    let app = match answer(uninstalled.await).await {
        Ok(_) => match app_for_page(&state, &user, &name).await {
            Ok(app) => app,
            Err(refused) => return refused,
        },
        Err(e) => return refusal(&e),
    };
    let now = state.clock.now();
    let revoked = async {
        for u in state.store.list_users(&user.org.id).await? {
            for a in state.store.list_user_app_approvals(&u.id, &app.id).await? {
                state.store.revoke_approval(&a.id, now).await?;
            }
        }
        Ok::<_, StoreError>(())
    };
    match revoked.await {
        Ok(()) => {
            tracing::info!(app = %app.id, by = %user.user.user.id, "connected app blocked in Setup");
            done(
                &state,
                jar,
                "/setup/oauth-usage",
                &note(format!(
                    "{} was blocked: it is uninstalled and every user's access was revoked.",
                    app.settings.label
                )),
            )
        }
        Err(e) => refusal(&e.into()),
    }
}
