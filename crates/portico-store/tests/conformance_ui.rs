//! Storage conformance for what the Setup pages (issue 8) read: a user's live OAuth approvals
//! across apps ("OAuth Connected Apps" on a user, the user counts of "Connected Apps OAuth
//! Usage"). Runs on a new SQLite file always and on PostgreSQL when `PORTICO_TEST_POSTGRES_URL`
//! is set, reusing the fixtures and databases of `conformance.rs`.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failing step panics with its cause"
)]

// Shared with `conformance.rs`, which uses more of them than this file does.
#[allow(dead_code, unreachable_pub)]
#[path = "conformance/fixtures.rs"]
mod fixtures;
#[allow(dead_code, unreachable_pub)]
#[path = "conformance/harness.rs"]
mod harness;

use portico_core::store::Store;

use fixtures::{T0, approval, new_app, new_user, refresh, world};

async fn a_users_approvals_span_apps_newest_use_first_and_skip_revoked(store: &dyn Store) {
    let w = world(store).await;
    let other_app = new_app(&w.org, "Other_App", "3MVG9other");
    store.insert_app(&other_app).await.unwrap();
    let other_user = new_user(&w.org, &w.profile, "bob@example.com");
    store.insert_user(&other_user).await.unwrap();

    let older = approval(&w, None, T0);
    store
        .insert_approval(&older, &refresh(&older, "rt-older"))
        .await
        .unwrap();
    let mut newer = approval(&w, None, T0.plus_secs(10));
    newer.app_id = other_app.id.clone();
    store
        .insert_approval(&newer, &refresh(&newer, "rt-newer"))
        .await
        .unwrap();
    let revoked = approval(&w, None, T0.plus_secs(20));
    store
        .insert_approval(&revoked, &refresh(&revoked, "rt-revoked"))
        .await
        .unwrap();
    store
        .revoke_approval(&revoked.id, T0.plus_secs(30))
        .await
        .unwrap();
    let mut bobs = approval(&w, None, T0.plus_secs(40));
    bobs.user_id = other_user.id.clone();
    store
        .insert_approval(&bobs, &refresh(&bobs, "rt-bob"))
        .await
        .unwrap();

    let listed = store.list_user_approvals(&w.user.id).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids, vec![newer.id.clone(), older.id.clone()]);
    assert_eq!(listed[0].app_id, other_app.id);

    // A use moves an approval to the front, with its count.
    store
        .touch_approval(&older.id, T0.plus_secs(50))
        .await
        .unwrap();
    let listed = store.list_user_approvals(&w.user.id).await.unwrap();
    assert_eq!(listed[0].id, older.id);
    assert_eq!(listed[0].use_count, 1);
    assert_eq!(listed[0].last_used_at, T0.plus_secs(50));

    assert_eq!(
        store.list_user_approvals(&other_user.id).await.unwrap(),
        vec![bobs]
    );
    let nobody = new_user(&w.org, &w.profile, "carol@example.com");
    assert!(
        store
            .list_user_approvals(&nobody.id)
            .await
            .unwrap()
            .is_empty()
    );
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::harness::TestDb::sqlite().await;
                    crate::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = crate::harness::TestDb::postgres().await else { return };
                    crate::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }
    };
}

conformance! {
    a_users_approvals_span_apps_newest_use_first_and_skip_revoked,
}
