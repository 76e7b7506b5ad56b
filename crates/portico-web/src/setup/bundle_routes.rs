//! The routes of Profiles and Permission Sets: one module per kind, of thin handlers that name
//! their kind and call the shared pages in [`super::bundles`].

/// The routes of one kind, as thin wrappers that name it.
macro_rules! routes_for {
    ($module:ident, $kind:expr) => {
        pub(crate) mod $module {
            use axum::body::Bytes;
            use axum::extract::{Path, State};
            use axum::response::Response;
            use axum_extra::extract::cookie::CookieJar;

            use crate::setup::page::SetupUser;
            use crate::state::AppState;

            pub(crate) async fn list(
                State(s): State<AppState>,
                jar: CookieJar,
                user: SetupUser,
            ) -> Response {
                crate::setup::bundles::list(s, jar, user, $kind).await
            }
            pub(crate) async fn new(
                State(s): State<AppState>,
                jar: CookieJar,
                user: SetupUser,
            ) -> Response {
                crate::setup::bundles::new(s, jar, user, $kind).await
            }
            pub(crate) async fn create(
                State(s): State<AppState>,
                jar: CookieJar,
                user: SetupUser,
                body: Bytes,
            ) -> Response {
                crate::setup::bundles::save(s, jar, user, $kind, None, body).await
            }
            pub(crate) async fn edit(
                State(s): State<AppState>,
                jar: CookieJar,
                user: SetupUser,
                Path(id): Path<String>,
            ) -> Response {
                crate::setup::bundles::edit(s, jar, user, $kind, id).await
            }
            pub(crate) async fn update(
                State(s): State<AppState>,
                jar: CookieJar,
                user: SetupUser,
                Path(id): Path<String>,
                body: Bytes,
            ) -> Response {
                crate::setup::bundles::save(s, jar, user, $kind, Some(id), body).await
            }
        }
    };
}

routes_for!(profiles, crate::setup::bundles::Kind::Profile);
routes_for!(permission_sets, crate::setup::bundles::Kind::PermissionSet);
