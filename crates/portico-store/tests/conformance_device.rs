//! Storage conformance for issue 5's records — device authorizations (RFC 8628), the
//! verification page's wrong-code count, and used JWT ids (RFC 7523 §3) — on a new SQLite file
//! always and on PostgreSQL when `PORTICO_TEST_POSTGRES_URL` is set (in a schema of its own), as
//! `conformance.rs` does. The consume-once rules are raced to show that one caller wins.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test, with its location"
)]

#[path = "conformance_device/authorizations.rs"]
mod authorizations;
#[path = "conformance_device/fixtures.rs"]
mod fixtures;
#[path = "conformance_device/guesses_and_jti.rs"]
mod guesses_and_jti;
#[path = "conformance/harness.rs"]
mod harness;

/// One test per behaviour and backend: `sqlite::<name>` and `postgres::<name>`.
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
    authorizations::device_authorizations_round_trip,
    authorizations::a_kept_user_code_is_a_conflict_until_forgotten,
    authorizations::polls_are_recorded_by_compare_and_set,
    authorizations::an_authorization_is_decided_once_and_before_expiry,
    authorizations::an_approved_authorization_is_redeemed_once,
    authorizations::concurrent_answers_and_redemptions_have_one_winner,
    guesses_and_jti::wrong_codes_count_lock_and_restart,
    guesses_and_jti::concurrent_wrong_codes_all_count,
    guesses_and_jti::a_jti_is_remembered_until_it_expires,
    guesses_and_jti::concurrent_uses_of_a_jti_have_one_winner,
}
