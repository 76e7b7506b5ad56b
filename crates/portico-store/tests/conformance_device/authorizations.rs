//! Device authorizations (RFC 8628): stored, found by either code, polled by compare-and-set,
//! answered once before expiry, redeemed once — also when raced.

use portico_core::StoreError;
use portico_core::device::{DeviceAuthorization, DeviceDecision, DeviceStatus};
use portico_core::scope::ScopeSet;
use portico_core::secret::TokenHash;
use portico_core::store::Store;

use crate::fixtures::{T0, approve, started, world};

pub(crate) async fn device_authorizations_round_trip(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    assert_eq!(
        store
            .find_device_authorization(&auth.device_code_hash)
            .await
            .unwrap(),
        Some(auth.clone())
    );
    assert_eq!(
        store
            .find_device_authorization_by_user_code(&auth.user_code_hash)
            .await
            .unwrap(),
        Some(auth.clone())
    );
    assert_eq!(
        store
            .find_device_authorization(&TokenHash::of("nope"))
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(3))
            .await
            .unwrap()
    );
    let approved = store
        .find_device_authorization(&auth.device_code_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approved.status, DeviceStatus::Approved);
    assert_eq!(approved.user_id.as_ref(), Some(&w.user.id));
    assert_eq!(approved.decided_at, Some(T0.plus_secs(3)));
    assert_eq!(approved.scopes.to_wire(), "api refresh_token");
}

pub(crate) async fn a_kept_user_code_is_a_conflict_until_forgotten(store: &dyn Store) {
    let w = world(store).await;
    let first = started(store, &w, T0).await;
    let mut twin = DeviceAuthorization::start(w.app.id.clone(), ScopeSet::new(), T0).record;
    twin.user_code_hash = first.user_code_hash.clone();
    let conflict = store
        .insert_device_authorization(&twin, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(conflict, StoreError::Conflict(ref f) if f == "userCode"),
        "{conflict:?}"
    );
    // Expired codes are kept an hour for late polls, then the next insert forgets them.
    let soon_after = first.expires_at.plus_secs(60);
    assert!(
        store
            .insert_device_authorization(&twin, soon_after)
            .await
            .is_err()
    );
    let much_later = first.expires_at.plus_secs(2 * 3600);
    store
        .insert_device_authorization(&twin, much_later)
        .await
        .unwrap();
    assert_eq!(
        store
            .find_device_authorization(&first.device_code_hash)
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn polls_are_recorded_by_compare_and_set(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let hash = &auth.device_code_hash;
    assert!(
        store
            .record_device_poll(hash, 0, 5, T0.plus_secs(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_device_poll(hash, 0, 5, T0.plus_secs(1))
            .await
            .unwrap(),
        "a racing poll read the old count"
    );
    assert!(
        store
            .record_device_poll(hash, 1, 10, T0.plus_secs(2))
            .await
            .unwrap()
    );
    let polled = store
        .find_device_authorization(hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (polled.polls, polled.interval_secs, polled.last_polled_at),
        (2, 10, Some(T0.plus_secs(2)))
    );
    store
        .decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(3))
        .await
        .unwrap();
    assert!(
        !store
            .record_device_poll(hash, 2, 10, T0.plus_secs(4))
            .await
            .unwrap(),
        "only pending ones are polled"
    );
}

pub(crate) async fn an_authorization_is_decided_once_and_before_expiry(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let deny = DeviceDecision::Deny {
        user_id: w.user.id.clone(),
    };
    assert!(
        store
            .decide_device_authorization(&auth.user_code_hash, &deny, T0.plus_secs(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(2))
            .await
            .unwrap()
    );
    let denied = store
        .find_device_authorization(&auth.device_code_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(denied.status, DeviceStatus::Denied);
    assert!(
        !store
            .redeem_device_authorization(&auth.device_code_hash, T0.plus_secs(3))
            .await
            .unwrap()
    );

    let late = started(store, &w, T0).await;
    assert!(
        !store
            .decide_device_authorization(&late.user_code_hash, &approve(&w), late.expires_at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .decide_device_authorization(&TokenHash::of("unknown"), &approve(&w), T0)
            .await
            .unwrap()
    );
}

pub(crate) async fn an_approved_authorization_is_redeemed_once(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let hash = &auth.device_code_hash;
    assert!(
        !store
            .redeem_device_authorization(hash, T0.plus_secs(1))
            .await
            .unwrap(),
        "pending"
    );
    store
        .decide_device_authorization(&auth.user_code_hash, &approve(&w), T0.plus_secs(1))
        .await
        .unwrap();
    assert!(
        !store
            .redeem_device_authorization(hash, auth.expires_at)
            .await
            .unwrap(),
        "expired"
    );
    assert!(
        store
            .redeem_device_authorization(hash, T0.plus_secs(2))
            .await
            .unwrap()
    );
    assert!(
        !store
            .redeem_device_authorization(hash, T0.plus_secs(3))
            .await
            .unwrap()
    );
    let redeemed = store
        .find_device_authorization(hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(redeemed.status, DeviceStatus::Redeemed);
}

pub(crate) async fn concurrent_answers_and_redemptions_have_one_winner(store: &dyn Store) {
    let w = world(store).await;
    let auth = started(store, &w, T0).await;
    let (yes, no) = (
        approve(&w),
        DeviceDecision::Deny {
            user_id: w.user.id.clone(),
        },
    );
    let decide = |d| store.decide_device_authorization(&auth.user_code_hash, d, T0.plus_secs(1));
    let (a, b, c, d) = tokio::join!(decide(&yes), decide(&no), decide(&yes), decide(&no));
    let won = [a, b, c, d]
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);

    let other = started(store, &w, T0).await;
    store
        .decide_device_authorization(&other.user_code_hash, &approve(&w), T0.plus_secs(1))
        .await
        .unwrap();
    let redeem = || store.redeem_device_authorization(&other.device_code_hash, T0.plus_secs(2));
    let (a, b, c, d) = tokio::join!(redeem(), redeem(), redeem(), redeem());
    let won = [a, b, c, d]
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);
}
