//! The admin REST API under `/api/v1` (CONTRACT §3): JSON in and out, bearer-token auth with
//! the `api` or `full` scope, permission checks from `portico_core::admin_access`, and
//! Salesforce REST error arrays.

// The Setup pages (`crate::setup`) call these handlers themselves, so that a page and the API
// check the same permissions and validate the same way.
pub(crate) mod app_lifecycle;
pub(crate) mod app_support;
pub(crate) mod apps;
mod asset_events;
mod audit_trail;
mod auth;
pub(crate) mod bundles;
pub(crate) mod certificates;
mod openapi;
mod org;
mod packages;
pub(crate) mod registration;
mod sessions;
pub(crate) mod users;

use axum::Router;
use axum::routing::{delete, get, post};

pub(crate) use auth::Caller;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(org::get).patch(org::patch))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::get).patch(users::patch))
        .route(
            "/users/{id}/permission-set-assignments",
            get(users::list_assignments).post(users::assign),
        )
        .route(
            "/users/{id}/permission-set-assignments/{ps_id}",
            delete(users::unassign),
        )
        .route(
            "/users/{id}/sessions",
            get(sessions::list).delete(sessions::delete),
        )
        .route("/asset-token-events", get(asset_events::list))
        .route(
            "/profiles",
            get(bundles::list_profiles).post(bundles::create_profile),
        )
        .route(
            "/profiles/{id}",
            get(bundles::get_profile).patch(bundles::patch_profile),
        )
        .route(
            "/permission-sets",
            get(bundles::list_permission_sets).post(bundles::create_permission_set),
        )
        .route(
            "/permission-sets/{id}",
            get(bundles::get_permission_set).patch(bundles::patch_permission_set),
        )
        .route("/connected-apps", get(apps::list).post(apps::create))
        .route(
            "/connected-apps/{full_name}",
            get(apps::get)
                .put(apps::put)
                .patch(apps::patch)
                .delete(apps::delete),
        )
        .route(
            "/connected-apps/{full_name}/consumer-secret",
            get(app_lifecycle::reveal).post(app_lifecycle::rotate),
        )
        .route(
            "/connected-apps/{full_name}/initial-access-token",
            post(registration::generate),
        )
        .route(
            "/connected-apps/{full_name}/install",
            post(app_lifecycle::install).delete(app_lifecycle::uninstall),
        )
        .route(
            "/certificates",
            get(certificates::list).post(certificates::create),
        )
        .route("/certificates/{id_or_name}", get(certificates::get))
        .route("/packages", post(packages::upload))
        .route("/audit-trail", get(audit_trail::list))
        .route("/openapi.json", get(openapi::get))
}

/// A JSON request body whose rejection is a Salesforce-shaped 400.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(crate::error::ApiError))]
pub(crate) struct Body<T>(pub(crate) T);
