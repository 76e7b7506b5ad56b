//! Storage conformance: the same behaviours, each an `async fn(&dyn Store)`, run on a new SQLite
//! file always and on PostgreSQL when `PORTICO_TEST_POSTGRES_URL` is set (each test in a schema
//! of its own; see `conformance/harness.rs`). Without the variable the PostgreSQL tests print
//! that they were skipped and pass.
//!
//! A behaviour written here but not listed in `conformance!` is dead code, which the lints
//! reject, so every behaviour runs on both backends. The behaviours live in `conformance/`
//! (included with `#[path]`, as a test crate's root looks for modules beside itself).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test, with its location"
)]

#[path = "conformance/apps.rs"]
mod apps;
#[path = "conformance/consents.rs"]
mod consents;
#[path = "conformance/fixtures.rs"]
mod fixtures;
#[path = "conformance/harness.rs"]
mod harness;
#[path = "conformance/keys.rs"]
mod keys;
#[path = "conformance/permissions.rs"]
mod permissions;
#[path = "conformance/registrations.rs"]
mod registrations;
#[path = "conformance/sessions.rs"]
mod sessions;
#[path = "conformance/tokens.rs"]
mod tokens;
#[path = "conformance/users.rs"]
mod users;

/// Generates one test per behaviour and backend: `sqlite::<name>` and `postgres::<name>`.
macro_rules! conformance {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::harness::TestDb::sqlite().await;
                    crate::$module::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = crate::harness::TestDb::postgres().await else { return };
                    crate::$module::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }
    };
}

conformance! {
    users::org_is_stored_and_updated,
    users::user_round_trips,
    users::username_is_unique_case_insensitively,
    users::user_updates_keep_usernames_unique,
    users::users_are_listed_per_org,
    users::lockout_counts_and_resets,
    users::concurrent_login_failures_all_count,
    permissions::bundles_round_trip_by_kind,
    permissions::bundles_are_listed_per_kind_and_org,
    permissions::bundle_name_is_unique_per_org_and_kind,
    permissions::user_permission_sets_are_listed,
    permissions::permission_set_assignment_is_checked,
    apps::app_round_trips,
    apps::app_consumer_key_is_unique,
    apps::app_full_name_is_unique_per_org,
    apps::app_updates_replace_settings_and_keys,
    apps::apps_are_listed_per_org,
    apps::deleting_an_app_deletes_its_grants,
    apps::deleting_an_app_deletes_its_refresh_tokens,
    sessions::sessions_expire,
    sessions::sessions_are_deleted_one_or_all,
    sessions::code_can_be_taken_once,
    sessions::expired_code_is_returned_for_the_core_to_reject,
    sessions::concurrent_takes_give_one_fresh_code,
    tokens::access_token_is_revoked_once,
    tokens::approval_round_trips,
    tokens::revoke_approval_revokes_its_access_tokens,
    tokens::user_app_approvals_are_live_and_oldest_first,
    tokens::revoke_user_tokens_revokes_everything_of_the_user,
    tokens::revoke_tokens_from_code_revokes_what_the_code_issued,
    tokens::touch_approval_counts_uses,
    tokens::refresh_token_round_trips,
    tokens::rotate_refresh_token_outcomes,
    tokens::concurrent_rotation_has_one_winner,
    tokens::revoked_approval_is_found_through_its_refresh_tokens,
    consents::consent_is_saved_and_replaced,
    keys::signing_keys_round_trip,
    keys::init_setting_keeps_the_first_value,
    keys::concurrent_init_setting_agrees,
    registrations::initial_access_tokens_are_replaced_and_go_with_their_app,
    registrations::client_registrations_round_trip_and_go_with_their_app,
    registrations::bundles_keep_their_custom_permissions,
}
