//! Token behaviours: access tokens and approvals round-trip, revocations reach exactly the
//! tokens they should, and approvals count their uses.

use portico_core::ids::{KeyPrefix, SfId};
use portico_core::secret::TokenHash;
use portico_core::store::Store;

use crate::fixtures::{self, T0, access_token, approval, conflict, is_not_found, world};

pub(crate) async fn access_token_is_revoked_once(store: &dyn Store) {
    let w = world(store).await;
    let token = access_token(&w, "at", None, None);
    store.insert_access_token(&token).await.unwrap();
    assert_eq!(
        store.find_access_token(&token.hash).await.unwrap(),
        Some(token.clone())
    );
    assert_eq!(
        conflict(store.insert_access_token(&token).await),
        "accessToken"
    );

    let now = T0.plus_secs(10);
    assert!(store.revoke_access_token(&token.hash, now).await.unwrap());
    let revoked = store.find_access_token(&token.hash).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(now));
    assert!(!revoked.is_active(now));
    assert!(
        !store
            .revoke_access_token(&token.hash, now.plus_secs(1))
            .await
            .unwrap(),
        "already revoked"
    );
    assert_eq!(
        store
            .find_access_token(&token.hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(now)
    );
    assert!(
        !store
            .revoke_access_token(&TokenHash::of("unknown"), now)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .find_access_token(&TokenHash::of("unknown"))
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn approval_round_trips(store: &dyn Store) {
    let w = world(store).await;
    let mut first = approval(&w, "rt-1", Some(TokenHash::of("code")), T0);
    first.nonce = Some("nonce".into());
    store.insert_approval(&first).await.unwrap();
    assert_eq!(
        store.find_approval(&first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store
            .find_approval_by_refresh_hash(&TokenHash::of("rt-1"))
            .await
            .unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store
            .find_approval_by_refresh_hash(&TokenHash::of("rt-2"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_approval(&SfId::generate(KeyPrefix::OAuthToken))
            .await
            .unwrap(),
        None
    );

    let duplicate = approval(&w, "rt-1", None, T0);
    assert_eq!(
        conflict(store.insert_approval(&duplicate).await),
        "refreshToken"
    );
    let mut with_token = access_token(&w, "at", Some(&first.id), Some(TokenHash::of("code")));
    with_token.session_hash = None;
    store.insert_access_token(&with_token).await.unwrap();
    assert_eq!(
        store.find_access_token(&with_token.hash).await.unwrap(),
        Some(with_token)
    );
}

pub(crate) async fn revoke_approval_revokes_its_access_tokens(store: &dyn Store) {
    let w = world(store).await;
    let kept = approval(&w, "rt-kept", None, T0);
    let doomed = approval(&w, "rt-doomed", None, T0.plus_secs(1));
    store.insert_approval(&kept).await.unwrap();
    store.insert_approval(&doomed).await.unwrap();
    let tokens = [
        access_token(&w, "at-1", Some(&doomed.id), None),
        access_token(&w, "at-2", Some(&doomed.id), None),
        access_token(&w, "at-kept", Some(&kept.id), None),
        access_token(&w, "at-loose", None, None),
    ];
    for t in &tokens {
        store.insert_access_token(t).await.unwrap();
    }
    let now = T0.plus_secs(30);
    store.revoke_approval(&doomed.id, now).await.unwrap();

    let revoked_at = |raw: &'static str| async move {
        store
            .find_access_token(&TokenHash::of(raw))
            .await
            .unwrap()
            .unwrap()
            .revoked_at
    };
    assert_eq!(revoked_at("at-1").await, Some(now));
    assert_eq!(revoked_at("at-2").await, Some(now));
    assert_eq!(revoked_at("at-kept").await, None);
    assert_eq!(revoked_at("at-loose").await, None);
    // Still found by its refresh token, so the core can tell revoked from unknown.
    let found = store
        .find_approval_by_refresh_hash(&doomed.refresh_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.revoked_at, Some(now));
    assert_eq!(
        store
            .list_user_app_approvals(&w.user.id, &w.app.id)
            .await
            .unwrap(),
        [kept]
    );

    store
        .revoke_approval(&doomed.id, now.plus_secs(5))
        .await
        .unwrap();
    assert_eq!(
        store
            .find_approval(&doomed.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(now),
        "first time kept"
    );
    assert!(is_not_found(
        store
            .revoke_approval(&SfId::generate(KeyPrefix::OAuthToken), now)
            .await
    ));
}

pub(crate) async fn user_app_approvals_are_live_and_oldest_first(store: &dyn Store) {
    let w = world(store).await;
    let newest = approval(&w, "rt-3", None, T0.plus_secs(300));
    let oldest = approval(&w, "rt-1", None, T0);
    let middle = approval(&w, "rt-2", None, T0.plus_secs(100));
    let mut revoked = approval(&w, "rt-0", None, T0.plus_secs(50));
    revoked.revoked_at = Some(T0.plus_secs(60));
    let other_app = fixtures::new_app(&w.org, "Other", "3MVG9other");
    store.insert_app(&other_app).await.unwrap();
    let mut elsewhere = approval(&w, "rt-elsewhere", None, T0);
    elsewhere.app_id = other_app.id.clone();
    let bob = fixtures::user(store, &w, "bob@example.com").await;
    let mut bobs = approval(&w, "rt-bob", None, T0);
    bobs.user_id = bob.id.clone();
    for a in [&newest, &oldest, &middle, &revoked, &elsewhere, &bobs] {
        store.insert_approval(a).await.unwrap();
    }
    assert_eq!(
        store
            .list_user_app_approvals(&w.user.id, &w.app.id)
            .await
            .unwrap(),
        [oldest, middle, newest]
    );
    assert_eq!(
        store
            .list_user_app_approvals(&w.user.id, &other_app.id)
            .await
            .unwrap(),
        [elsewhere]
    );
    assert_eq!(
        store
            .list_user_app_approvals(&bob.id, &w.app.id)
            .await
            .unwrap(),
        [bobs]
    );
    assert_eq!(
        store
            .list_user_app_approvals(&bob.id, &other_app.id)
            .await
            .unwrap(),
        []
    );
}

pub(crate) async fn revoke_user_tokens_revokes_everything_of_the_user(store: &dyn Store) {
    let w = world(store).await;
    let bob = fixtures::user(store, &w, "bob@example.com").await;
    let mine = approval(&w, "rt-mine", None, T0);
    let mut bobs = approval(&w, "rt-bob", None, T0);
    bobs.user_id = bob.id.clone();
    store.insert_approval(&mine).await.unwrap();
    store.insert_approval(&bobs).await.unwrap();
    let mut bob_token = access_token(&w, "at-bob", Some(&bobs.id), None);
    bob_token.user_id = bob.id.clone();
    for t in [
        access_token(&w, "at-1", Some(&mine.id), None),
        access_token(&w, "at-2", None, None),
        bob_token,
    ] {
        store.insert_access_token(&t).await.unwrap();
    }
    let now = T0.plus_secs(30);
    store.revoke_user_tokens(&w.user.id, now).await.unwrap();

    assert_eq!(
        store
            .find_approval(&mine.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(now)
    );
    for raw in ["at-1", "at-2"] {
        assert_eq!(
            store
                .find_access_token(&TokenHash::of(raw))
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            Some(now)
        );
    }
    assert_eq!(
        store
            .find_approval(&bobs.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
    assert_eq!(
        store
            .find_access_token(&TokenHash::of("at-bob"))
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
    assert_eq!(
        store
            .list_user_app_approvals(&w.user.id, &w.app.id)
            .await
            .unwrap(),
        []
    );
    // Revoking again is harmless and keeps the first time.
    store
        .revoke_user_tokens(&w.user.id, now.plus_secs(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .find_approval(&mine.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(now)
    );
}

pub(crate) async fn revoke_tokens_from_code_revokes_what_the_code_issued(store: &dyn Store) {
    let w = world(store).await;
    let code = TokenHash::of("replayed-code");
    let from_code = approval(&w, "rt-code", Some(code.clone()), T0);
    let unrelated = approval(&w, "rt-other", Some(TokenHash::of("other-code")), T0);
    store.insert_approval(&from_code).await.unwrap();
    store.insert_approval(&unrelated).await.unwrap();
    let tokens = [
        // Issued with the code, under its approval.
        access_token(&w, "at-first", Some(&from_code.id), Some(code.clone())),
        // Issued with the code, without a refresh token.
        access_token(&w, "at-no-refresh", None, Some(code.clone())),
        // Refreshed later from the code's approval: no code hash of its own.
        access_token(&w, "at-refreshed", Some(&from_code.id), None),
        access_token(&w, "at-unrelated", Some(&unrelated.id), None),
    ];
    for t in &tokens {
        store.insert_access_token(t).await.unwrap();
    }
    let now = T0.plus_secs(30);
    store.revoke_tokens_from_code(&code, now).await.unwrap();

    assert_eq!(
        store
            .find_approval(&from_code.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(now)
    );
    assert_eq!(
        store
            .find_approval(&unrelated.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
    for (raw, expected) in [
        ("at-first", Some(now)),
        ("at-no-refresh", Some(now)),
        ("at-refreshed", Some(now)),
        ("at-unrelated", None),
    ] {
        let token = store
            .find_access_token(&TokenHash::of(raw))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(token.revoked_at, expected, "{raw}");
    }
    store
        .revoke_tokens_from_code(&TokenHash::of("never-issued"), now)
        .await
        .unwrap();
}

pub(crate) async fn touch_approval_counts_uses(store: &dyn Store) {
    let w = world(store).await;
    let a = approval(&w, "rt", None, T0);
    store.insert_approval(&a).await.unwrap();
    store.touch_approval(&a.id, T0.plus_secs(10)).await.unwrap();
    store.touch_approval(&a.id, T0.plus_secs(20)).await.unwrap();
    let touched = store.find_approval(&a.id).await.unwrap().unwrap();
    assert_eq!(
        (touched.use_count, touched.last_used_at),
        (2, T0.plus_secs(20))
    );
    assert_eq!(touched.created_at, T0);
    assert!(is_not_found(
        store
            .touch_approval(&SfId::generate(KeyPrefix::OAuthToken), T0)
            .await
    ));
}
