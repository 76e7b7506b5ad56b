//! Org and user behaviours: the server's org, case-insensitive unique usernames, and the
//! failed-login counter.

use portico_core::clock::UnixMillis;
use portico_core::org::Edition;
use portico_core::store::Store;

use crate::fixtures::{self, T0, conflict, is_not_found, world};

pub(crate) async fn org_is_stored_and_updated(store: &dyn Store) {
    assert_eq!(store.find_org().await.unwrap(), None);
    let mut org = fixtures::org(store, "Acme").await;
    assert_eq!(store.find_org().await.unwrap(), Some(org.clone()));
    org.name = "Acme Corp".into();
    org.edition = Edition::Enterprise;
    store.update_org(&org).await.unwrap();
    assert_eq!(store.find_org().await.unwrap(), Some(org.clone()));
    assert_eq!(conflict(store.insert_org(&org).await), "id");
    let mut missing = org;
    missing.id = portico_core::ids::SfId::generate(portico_core::ids::KeyPrefix::Org);
    assert!(is_not_found(store.update_org(&missing).await));
}

pub(crate) async fn user_round_trips(store: &dyn Store) {
    let w = world(store).await;
    assert_eq!(
        store.find_user(&w.user.id).await.unwrap(),
        Some(w.user.clone())
    );
    let mut locked = fixtures::new_user(&w.org, &w.profile, "Bob@Example.com");
    locked.password_hash = None;
    locked.is_active = false;
    locked.failed_logins = 4;
    locked.locked_until = Some(T0.plus_secs(900));
    locked.created_at = UnixMillis(T0.0 + 1);
    locked.updated_at = UnixMillis(T0.0 + 2);
    store.insert_user(&locked).await.unwrap();
    assert_eq!(
        store.find_user(&locked.id).await.unwrap(),
        Some(locked.clone())
    );
    let unknown = portico_core::ids::SfId::generate(portico_core::ids::KeyPrefix::User);
    assert_eq!(store.find_user(&unknown).await.unwrap(), None);
    assert_eq!(
        store
            .find_user_by_username("nobody@example.com")
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn username_is_unique_case_insensitively(store: &dyn Store) {
    let w = world(store).await;
    let mixed = fixtures::user(store, &w, "Carol.Smith@Example.COM").await;
    let found = store
        .find_user_by_username("carol.smith@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, mixed.id);
    assert_eq!(
        found.username, "Carol.Smith@Example.COM",
        "the original case is kept"
    );
    assert_eq!(
        store
            .find_user_by_username("CAROL.SMITH@EXAMPLE.COM")
            .await
            .unwrap()
            .unwrap()
            .id,
        mixed.id
    );
    let clash = fixtures::new_user(&w.org, &w.profile, "carol.smith@example.com");
    assert_eq!(conflict(store.insert_user(&clash).await), "username");
    // Unique across the server, not only within one org.
    let other_org = fixtures::org(store, "Other").await;
    let profile = fixtures::bundle(&other_org, "StandardUser", &[]);
    store
        .insert_bundle(portico_core::store::BundleKind::Profile, &profile)
        .await
        .unwrap();
    let clash = fixtures::new_user(&other_org, &profile, "ALICE@example.com");
    assert_eq!(conflict(store.insert_user(&clash).await), "username");
}

pub(crate) async fn user_updates_keep_usernames_unique(store: &dyn Store) {
    let w = world(store).await;
    let mut bob = fixtures::user(store, &w, "bob@example.com").await;
    bob.username = "Bob@Example.com".into();
    bob.email = "robert@example.com".into();
    bob.first_name = "Robert".into();
    bob.is_active = false;
    bob.password_hash = None;
    bob.updated_at = T0.plus_secs(5);
    store.update_user(&bob).await.unwrap();
    assert_eq!(store.find_user(&bob.id).await.unwrap(), Some(bob.clone()));
    assert_eq!(
        store
            .find_user_by_username("bob@EXAMPLE.com")
            .await
            .unwrap(),
        Some(bob.clone())
    );

    bob.username = "ALICE@EXAMPLE.COM".into();
    assert_eq!(conflict(store.update_user(&bob).await), "username");

    let mut ghost = fixtures::new_user(&w.org, &w.profile, "ghost@example.com");
    ghost.first_name = "Ghost".into();
    assert!(is_not_found(store.update_user(&ghost).await));
}

pub(crate) async fn users_are_listed_per_org(store: &dyn Store) {
    let w = world(store).await;
    let zed = fixtures::user(store, &w, "Zed@example.com").await;
    let bob = fixtures::user(store, &w, "bob@example.com").await;
    let other_org = fixtures::org(store, "Other").await;
    let profile = fixtures::bundle(&other_org, "StandardUser", &[]);
    store
        .insert_bundle(portico_core::store::BundleKind::Profile, &profile)
        .await
        .unwrap();
    store
        .insert_user(&fixtures::new_user(&other_org, &profile, "eve@example.com"))
        .await
        .unwrap();

    let listed = store.list_users(&w.org.id).await.unwrap();
    let names: Vec<_> = listed.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(
        names,
        ["alice@example.com", "bob@example.com", "Zed@example.com"],
        "sorted case-insensitively"
    );
    assert_eq!(listed[1], bob);
    assert_eq!(listed[2], zed);
    assert_eq!(store.list_users(&other_org.id).await.unwrap().len(), 1);
}

pub(crate) async fn lockout_counts_and_resets(store: &dyn Store) {
    let w = world(store).await;
    let until = T0.plus_secs(900);
    assert_eq!(
        store
            .record_login_failure(&w.user.id, 3, until)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_login_failure(&w.user.id, 3, until)
            .await
            .unwrap(),
        2
    );
    let user = store.find_user(&w.user.id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (2, None));
    assert_eq!(
        store
            .record_login_failure(&w.user.id, 3, until)
            .await
            .unwrap(),
        3
    );
    let user = store.find_user(&w.user.id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (3, Some(until)));
    // Failing again while locked keeps counting and moves the lock to the latest deadline.
    let later = until.plus_secs(60);
    assert_eq!(
        store
            .record_login_failure(&w.user.id, 3, later)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        store
            .find_user(&w.user.id)
            .await
            .unwrap()
            .unwrap()
            .locked_until,
        Some(later)
    );

    store.reset_login_failures(&w.user.id).await.unwrap();
    let user = store.find_user(&w.user.id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (0, None));

    let ghost = portico_core::ids::SfId::generate(portico_core::ids::KeyPrefix::User);
    assert!(is_not_found(
        store.record_login_failure(&ghost, 3, until).await
    ));
    assert!(is_not_found(store.reset_login_failures(&ghost).await));
}

pub(crate) async fn concurrent_login_failures_all_count(store: &dyn Store) {
    let w = world(store).await;
    let until = T0.plus_secs(900);
    let fail = || store.record_login_failure(&w.user.id, 5, until);
    let results = tokio::join!(fail(), fail(), fail(), fail(), fail(), fail());
    let mut counts = [
        results.0, results.1, results.2, results.3, results.4, results.5,
    ]
    .map(|r| r.unwrap())
    .to_vec();
    counts.sort_unstable();
    assert_eq!(
        counts,
        [1, 2, 3, 4, 5, 6],
        "every failure counted exactly once"
    );
    let user = store.find_user(&w.user.id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (6, Some(until)));
}
