//! Storage conformance for issue 5's records — device authorizations (RFC 8628), the
//! verification page's wrong-code count, and used JWT ids (RFC 7523 §3) — on a new SQLite file
//! always and on PostgreSQL when `PORTICO_TEST_POSTGRES_URL` is set (in a schema of its own), as
//! `conformance.rs` does. The consume-once rules are raced to show that one caller wins.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test, with its location"
)]

#[path = "conformance/harness.rs"]
mod harness;

use portico_core::StoreError;
use portico_core::clock::UnixMillis;
use portico_core::connected_app::ConnectedApp;
use portico_core::device::{CodeGuesses, DeviceAuthorization, DeviceDecision, DeviceStatus};
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::{Edition, Org, PermissionBundle, User};
use portico_core::scope::ScopeSet;
use portico_core::secret::TokenHash;
use portico_core::store::{BundleKind, Store};

const T0: UnixMillis = UnixMillis(1_700_000_000_000);

/// An org with one user and one device-flow app, stored.
struct World {
    user: User,
    app: ConnectedApp,
}

async fn world(store: &dyn Store) -> World {
    let org = Org { id: SfId::generate(KeyPrefix::Org), name: "Acme".into(), edition: Edition::Developer, created_at: T0 };
    store.insert_org(&org).await.unwrap();
    let profile = PermissionBundle {
        id: SfId::generate(KeyPrefix::Profile),
        org_id: org.id.clone(),
        name: "StandardUser".into(),
        label: "Standard User".into(),
        permissions: Default::default(),
    };
    store.insert_bundle(BundleKind::Profile, &profile).await.unwrap();
    let user = User {
        id: SfId::generate(KeyPrefix::User),
        org_id: org.id.clone(),
        username: "tv@example.com".into(),
        email: "tv@example.com".into(),
        first_name: "Tele".into(),
        last_name: "Vision".into(),
        profile_id: profile.id.clone(),
        is_active: true,
        locale: "en_US".into(),
        time_zone: "Europe/London".into(),
        password_hash: None,
        failed_logins: 0,
        locked_until: None,
        created_at: T0,
        updated_at: T0,
    };
    store.insert_user(&user).await.unwrap();
    let settings = serde_json::from_value(serde_json::json!({
        "fullName": "Living_Room_TV",
        "label": "Living Room TV",
        "contactEmail": "tv@example.com",
        "oauthConfig": { "callbackUrl": "https://tv.example.com/cb", "scopes": ["Api", "RefreshToken"], "isDeviceFlowEnabled": true },
    }))
    .unwrap();
    let app = ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: org.id.clone(),
        settings,
        consumer_key: "3MVGtv".into(),
        consumer_secret_sealed: None,
        is_installed: true,
        is_packaged: false,
        registered_by: None,
        created_at: T0,
        updated_at: T0,
    };
    store.insert_app(&app).await.unwrap();
    World { user, app }
}

/// A stored pending authorization of the world's app.
async fn started(store: &dyn Store, w: &World, now: UnixMillis) -> DeviceAuthorization {
    let new = DeviceAuthorization::start(w.app.id.clone(), ScopeSet::parse("api refresh_token").unwrap(), now);
    store.insert_device_authorization(&new.record, now).await.unwrap();
    new.record
}

fn approve(w: &World) -> DeviceDecision {
    DeviceDecision::Approve { user_id: w.user.id.clone() }
}

async fn device_authorizations_round_trip(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    assert_eq!(store.find_device_authorization(&auth.device_code_hash).await.unwrap(), Some(auth.clone()));
    assert_eq!(store.find_device_authorization_by_user_code(&auth.user_code_hash).await.unwrap(), Some(auth.clone()));
    assert_eq!(store.find_device_authorization(&TokenHash::of("nope")).await.unwrap(), None);
    assert!(store.decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(3)).await.unwrap());
    let approved = store.find_device_authorization(&auth.device_code_hash).await.unwrap().unwrap();
    assert_eq!(approved.status, DeviceStatus::Approved);
    assert_eq!(approved.user_id.as_ref(), Some(&w.user.id));
    assert_eq!(approved.decided_at, Some(T0.plus_secs(3)));
    assert_eq!(approved.scopes.to_wire(), "api refresh_token");
}

async fn a_kept_user_code_is_a_conflict_until_forgotten(store: &dyn Store) {
    let w = world(store).await;
    let first = started(store, &w, T0).await;
    let mut twin = DeviceAuthorization::start(w.app.id.clone(), ScopeSet::new(), T0).record;
    twin.user_code_hash = first.user_code_hash.clone();
    let conflict = store.insert_device_authorization(&twin, T0).await.unwrap_err();
    assert!(matches!(conflict, StoreError::Conflict(ref f) if f == "userCode"), "{conflict:?}");
    // Expired codes are kept an hour for late polls, then the next insert forgets them.
    let soon_after = first.expires_at.plus_secs(60);
    assert!(store.insert_device_authorization(&twin, soon_after).await.is_err());
    let much_later = first.expires_at.plus_secs(2 * 3600);
    store.insert_device_authorization(&twin, much_later).await.unwrap();
    assert_eq!(store.find_device_authorization(&first.device_code_hash).await.unwrap(), None);
}

async fn polls_are_recorded_by_compare_and_set(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let hash = &auth.device_code_hash;
    assert!(store.record_device_poll(hash, 0, 5, T0.plus_secs(1)).await.unwrap());
    assert!(!store.record_device_poll(hash, 0, 5, T0.plus_secs(1)).await.unwrap(), "a racing poll read the old count");
    assert!(store.record_device_poll(hash, 1, 10, T0.plus_secs(2)).await.unwrap());
    let polled = store.find_device_authorization(hash).await.unwrap().unwrap();
    assert_eq!((polled.polls, polled.interval_secs, polled.last_polled_at), (2, 10, Some(T0.plus_secs(2))));
    store.decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(3)).await.unwrap();
    assert!(!store.record_device_poll(hash, 2, 10, T0.plus_secs(4)).await.unwrap(), "only pending ones are polled");
}

async fn an_authorization_is_decided_once_and_before_expiry(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let deny = DeviceDecision::Deny { user_id: w.user.id.clone() };
    assert!(store.decide_device_authorization(&auth.user_code_hash, &deny, T0.plus_secs(1)).await.unwrap());
    assert!(!store.decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(2)).await.unwrap());
    let denied = store.find_device_authorization(&auth.device_code_hash).await.unwrap().unwrap();
    assert_eq!(denied.status, DeviceStatus::Denied);
    assert!(!store.redeem_device_authorization(&auth.device_code_hash, T0.plus_secs(3)).await.unwrap());

    let late = started(store, &w, T0).await;
    assert!(!store.decide_device_authorization(&late.user_code_hash, &approve(&w), late.expires_at).await.unwrap());
    assert!(!store.decide_device_authorization(&TokenHash::of("unknown"), &approve(&w), T0).await.unwrap());
}

async fn an_approved_authorization_is_redeemed_once(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let hash = &auth.device_code_hash;
    assert!(!store.redeem_device_authorization(hash, T0.plus_secs(1)).await.unwrap(), "pending");
    store.decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(1)).await.unwrap();
    assert!(!store.redeem_device_authorization(hash, auth.expires_at).await.unwrap(), "expired");
    assert!(store.redeem_device_authorization(hash, T0.plus_secs(2)).await.unwrap());
    assert!(!store.redeem_device_authorization(hash, T0.plus_secs(3)).await.unwrap());
    let redeemed = store.find_device_authorization(hash).await.unwrap().unwrap();
    assert_eq!(redeemed.status, DeviceStatus::Redeemed);
}

async fn concurrent_answers_and_redemptions_have_one_winner(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let (yes, no) = (approve(&w), DeviceDecision::Deny { user_id: w.user.id.clone() });
    let decide = |d| store.decide_device_authorization(&auth.user_code_hash, d, T0.plus_secs(1));
    let (a, b, c, d) = tokio::join!(decide(&yes), decide(&no), decide(&yes), decide(&no));
    let won = [a, b, c, d].into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(won, 1);

    let other = started(store, &w, T0).await;
    store.decide_device_authorization(&other.user_code_hash, &approve(&w), T0.plus_secs(1)).await.unwrap();
    let redeem = || store.redeem_device_authorization(&other.device_code_hash, T0.plus_secs(2));
    let (a, b, c, d) = tokio::join!(redeem(), redeem(), redeem(), redeem());
    let won = [a, b, c, d].into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(won, 1);
}

async fn wrong_codes_count_lock_and_restart(store: &dyn Store) {
    let session = TokenHash::of("browser session");
    assert_eq!(store.find_code_guesses(&session).await.unwrap(), CodeGuesses::default());
    let lock = T0.plus_secs(900);
    for n in 1..=4 {
        let g = store.record_wrong_code_guess(&session, 5, lock, T0).await.unwrap();
        assert_eq!(g, CodeGuesses { failures: n, locked_until: None });
    }
    let locked = store.record_wrong_code_guess(&session, 5, lock, T0).await.unwrap();
    assert_eq!(locked, CodeGuesses { failures: 5, locked_until: Some(lock) });
    assert_eq!(store.find_code_guesses(&session).await.unwrap(), locked);
    assert_eq!(store.find_code_guesses(&TokenHash::of("another")).await.unwrap(), CodeGuesses::default());
    // After the lock runs out, the next wrong code counts from one again.
    let after = store.record_wrong_code_guess(&session, 5, lock.plus_secs(900), lock.plus_secs(1)).await.unwrap();
    assert_eq!(after, CodeGuesses { failures: 1, locked_until: None });
}

async fn concurrent_wrong_codes_all_count(store: &dyn Store) {
    let session = TokenHash::of("racing session");
    let guess = || store.record_wrong_code_guess(&session, 5, T0.plus_secs(900), T0);
    let (a, b, c, d, e) = tokio::join!(guess(), guess(), guess(), guess(), guess());
    for r in [a, b, c, d, e] {
        r.unwrap();
    }
    assert_eq!(store.find_code_guesses(&session).await.unwrap(), CodeGuesses { failures: 5, locked_until: Some(T0.plus_secs(900)) });
}

async fn a_jti_is_remembered_until_it_expires(store: &dyn Store) {
    let key = TokenHash::of("3MVGapp\u{0}jti-1");
    let until = T0.plus_secs(300);
    assert!(store.remember_jti(&key, until, T0).await.unwrap());
    assert!(!store.remember_jti(&key, until, T0.plus_secs(10)).await.unwrap(), "a replay");
    assert!(store.remember_jti(&TokenHash::of("3MVGapp\u{0}jti-2"), until, T0).await.unwrap());
    assert!(store.remember_jti(&key, until.plus_secs(300), until).await.unwrap(), "forgotten once expired");
}

async fn concurrent_uses_of_a_jti_have_one_winner(store: &dyn Store) {
    let key = TokenHash::of("3MVGapp\u{0}raced");
    let remember = || store.remember_jti(&key, T0.plus_secs(300), T0);
    let (a, b, c, d) = tokio::join!(remember(), remember(), remember(), remember());
    let won = [a, b, c, d].into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(won, 1);
}

/// One test per behaviour and backend: `sqlite::<name>` and `postgres::<name>`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::harness::TestDb::sqlite().await;
                    super::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = crate::harness::TestDb::postgres().await else { return };
                    super::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }
    };
}

conformance! {
    device_authorizations_round_trip,
    a_kept_user_code_is_a_conflict_until_forgotten,
    polls_are_recorded_by_compare_and_set,
    an_authorization_is_decided_once_and_before_expiry,
    an_approved_authorization_is_redeemed_once,
    concurrent_answers_and_redemptions_have_one_winner,
    wrong_codes_count_lock_and_restart,
    concurrent_wrong_codes_all_count,
    a_jti_is_remembered_until_it_expires,
    concurrent_uses_of_a_jti_have_one_winner,
}
