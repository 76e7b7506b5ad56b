//! Setup in the browser (issue 8): Setup home, App Manager, the New / Edit Connected App page,
//! the view page with the consumer details, the app's policies, users, profiles, permission
//! sets, certificates and Connected Apps OAuth Usage. Server-rendered (askama templates in
//! `templates/setup/`), usable without JavaScript; `static/setup.js` adds dependent fields, the
//! callback URL counter, the two-list scope picker and copy buttons.
//!
//! Every page needs a browser session (else: the login page, then back); every change is a
//! POST with the CSRF token, answered with a 303; and every check and change goes through the
//! admin API's handlers ([`api`]), so that a page and the API can never disagree.

#![expect(
    clippy::result_large_err,
    reason = "a refusal is a rendered page, built once and returned at once: boxing it buys nothing"
)]

mod api;
mod app_attributes;
mod app_consumer;
mod app_fields;
mod app_form;
mod app_install;
mod app_policies;
mod app_view;
mod apps_list;
mod bundle_routes;
mod bundles;
mod certificates;
mod home;
mod oauth_usage;
mod page;
mod user_detail;
mod users;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::state::AppState;

/// The Setup routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/setup", get(home::get))
        .route("/setup/apps", get(apps_list::get))
        .route("/setup/apps/new", get(app_form::new).post(app_form::create))
        .route("/setup/apps/{name}", get(app_view::get))
        .route(
            "/setup/apps/{name}/edit",
            get(app_form::edit).post(app_form::update),
        )
        .route(
            "/setup/apps/{name}/delete",
            get(app_view::confirm_delete).post(app_view::delete),
        )
        .route(
            "/setup/apps/{name}/consumer",
            get(app_consumer::get).post(app_consumer::verify),
        )
        .route(
            "/setup/apps/{name}/consumer/rotate",
            post(app_consumer::rotate),
        )
        .route(
            "/setup/apps/{name}/consumer/initial-access-token",
            post(app_consumer::initial_token),
        )
        .route(
            "/setup/apps/{name}/policies",
            get(app_policies::get).post(app_policies::post),
        )
        .route("/setup/apps/{name}/attributes", post(app_attributes::add))
        .route(
            "/setup/apps/{name}/attributes/remove",
            post(app_attributes::remove),
        )
        .route("/setup/apps/{name}/install", post(app_install::post))
        .route("/setup/oauth-usage", get(oauth_usage::get))
        .route(
            "/setup/oauth-usage/{name}/block",
            get(oauth_usage::confirm_block).post(oauth_usage::block),
        )
        .route(
            "/setup/certificates",
            get(certificates::get).post(certificates::create),
        )
        .route("/setup/users", get(users::list))
        .route("/setup/users/new", get(users::new).post(users::create))
        .route("/setup/users/{id}", get(user_detail::get))
        .route(
            "/setup/users/{id}/edit",
            get(users::edit).post(users::update),
        )
        .route("/setup/users/{id}/active", post(user_detail::set_active))
        .route(
            "/setup/users/{id}/permission-sets",
            post(user_detail::assign),
        )
        .route(
            "/setup/users/{id}/permission-sets/remove",
            post(user_detail::unassign),
        )
        .route(
            "/setup/users/{id}/oauth-apps/revoke",
            post(user_detail::revoke),
        )
        .route("/setup/profiles", get(bundle_routes::profiles::list))
        .route(
            "/setup/profiles/new",
            get(bundle_routes::profiles::new).post(bundle_routes::profiles::create),
        )
        .route(
            "/setup/profiles/{id}",
            get(bundle_routes::profiles::edit).post(bundle_routes::profiles::update),
        )
        .route(
            "/setup/permission-sets",
            get(bundle_routes::permission_sets::list),
        )
        .route(
            "/setup/permission-sets/new",
            get(bundle_routes::permission_sets::new).post(bundle_routes::permission_sets::create),
        )
        .route(
            "/setup/permission-sets/{id}",
            get(bundle_routes::permission_sets::edit).post(bundle_routes::permission_sets::update),
        )
        .route("/static/setup.js", get(script))
}

/// The pages' small progressive script (the CSP allows scripts from this origin only).
async fn script() -> impl IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/setup.js"),
    )
}
