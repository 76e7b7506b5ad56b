//! Token behaviours: access tokens, approvals and refresh tokens round-trip, refresh-token
//! rotation retires a token exactly once, revocations reach exactly the tokens they should, and
//! approvals count their uses.

use portico_core::ids::{KeyPrefix, SfId};
use portico_core::secret::TokenHash;
use portico_core::store::{RotateOutcome, Store};

use crate::fixtures::{self, T0, access_token, approval, conflict, is_not_found, refresh, world};

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
    let mut first = approval(&w, Some(TokenHash::of("code")), T0);
    first.nonce = Some("nonce".into());
    let first_refresh = refresh(&first, "rt-1");
    store.insert_approval(&first, &first_refresh).await.unwrap();
    assert_eq!(
        store.find_approval(&first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store.find_refresh_token(&first_refresh.hash).await.unwrap(),
        Some((first_refresh, first.clone()))
    );
    assert_eq!(
        store
            .find_approval(&SfId::generate(KeyPrefix::OAuthToken))
            .await
            .unwrap(),
        None
    );

    // The same approval id again is a conflict, and its new refresh token is not kept.
    let again = refresh(&first, "rt-again");
    assert_eq!(conflict(store.insert_approval(&first, &again).await), "id");
    assert_eq!(store.find_refresh_token(&again.hash).await.unwrap(), None);
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
    let kept = approval(&w, None, T0);
    let doomed = approval(&w, None, T0.plus_secs(1));
    let doomed_refresh = refresh(&doomed, "rt-doomed");
    store
        .insert_approval(&kept, &refresh(&kept, "rt-kept"))
        .await
        .unwrap();
    store
        .insert_approval(&doomed, &doomed_refresh)
        .await
        .unwrap();
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
    let (found_refresh, found) = store
        .find_refresh_token(&doomed_refresh.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found_refresh, doomed_refresh,
        "the token itself is untouched"
    );
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
    let newest = approval(&w, None, T0.plus_secs(300));
    let oldest = approval(&w, None, T0);
    let middle = approval(&w, None, T0.plus_secs(100));
    let mut revoked = approval(&w, None, T0.plus_secs(50));
    revoked.revoked_at = Some(T0.plus_secs(60));
    let other_app = fixtures::new_app(&w.org, "Other", "3MVG9other");
    store.insert_app(&other_app).await.unwrap();
    let mut elsewhere = approval(&w, None, T0);
    elsewhere.app_id = other_app.id.clone();
    let bob = fixtures::user(store, &w, "bob@example.com").await;
    let mut bobs = approval(&w, None, T0);
    bobs.user_id = bob.id.clone();
    for (a, raw) in [
        (&newest, "rt-3"),
        (&oldest, "rt-1"),
        (&middle, "rt-2"),
        (&revoked, "rt-0"),
        (&elsewhere, "rt-elsewhere"),
        (&bobs, "rt-bob"),
    ] {
        store.insert_approval(a, &refresh(a, raw)).await.unwrap();
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
    let mine = approval(&w, None, T0);
    let mut bobs = approval(&w, None, T0);
    bobs.user_id = bob.id.clone();
    store
        .insert_approval(&mine, &refresh(&mine, "rt-mine"))
        .await
        .unwrap();
    store
        .insert_approval(&bobs, &refresh(&bobs, "rt-bob"))
        .await
        .unwrap();
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
    let from_code = approval(&w, Some(code.clone()), T0);
    let unrelated = approval(&w, Some(TokenHash::of("other-code")), T0);
    store
        .insert_approval(&from_code, &refresh(&from_code, "rt-code"))
        .await
        .unwrap();
    store
        .insert_approval(&unrelated, &refresh(&unrelated, "rt-other"))
        .await
        .unwrap();
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
    let a = approval(&w, None, T0);
    store.insert_approval(&a, &refresh(&a, "rt")).await.unwrap();
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

pub(crate) async fn refresh_token_round_trips(store: &dyn Store) {
    let w = world(store).await;
    let a = approval(&w, None, T0);
    let first = refresh(&a, "rt-1");
    store.insert_approval(&a, &first).await.unwrap();
    assert_eq!(
        store.find_refresh_token(&first.hash).await.unwrap(),
        Some((first.clone(), a.clone()))
    );
    assert_eq!(
        store
            .find_refresh_token(&TokenHash::of("rt-unknown"))
            .await
            .unwrap(),
        None
    );

    // A rotation's successor, and a retired token: every column survives storage.
    let mut successor = refresh(&a, "rt-2");
    successor.created_at = T0.plus_secs(60);
    store.insert_refresh_token(&successor).await.unwrap();
    let mut retired = refresh(&a, "rt-retired");
    retired.rotated_at = Some(T0.plus_secs(10));
    retired.grace_until = Some(T0.plus_secs(40));
    store.insert_refresh_token(&retired).await.unwrap();
    for token in [&first, &successor, &retired] {
        assert_eq!(
            store.find_refresh_token(&token.hash).await.unwrap(),
            Some((token.clone(), a.clone()))
        );
    }

    // A refresh hash is unique across approvals.
    assert_eq!(
        conflict(store.insert_refresh_token(&successor).await),
        "refreshToken"
    );
    let other = approval(&w, None, T0);
    let mut stolen = refresh(&a, "rt-1");
    stolen.approval_id = other.id.clone();
    assert_eq!(
        conflict(store.insert_approval(&other, &stolen).await),
        "refreshToken"
    );
    // One transaction: the approval is not kept without its refresh token.
    assert_eq!(store.find_approval(&other.id).await.unwrap(), None);
    assert_eq!(
        store.find_refresh_token(&first.hash).await.unwrap(),
        Some((first, a))
    );

    // A refresh token needs its approval.
    let orphan = refresh(&other, "rt-orphan");
    assert!(store.insert_refresh_token(&orphan).await.is_err());
    assert_eq!(store.find_refresh_token(&orphan.hash).await.unwrap(), None);
}

pub(crate) async fn rotate_refresh_token_outcomes(store: &dyn Store) {
    let w = world(store).await;
    let a = approval(&w, None, T0);
    let token = refresh(&a, "rt");
    store.insert_approval(&a, &token).await.unwrap();
    let now = T0.plus_secs(100);
    let grace_until = now.plus_secs(30);

    assert_eq!(
        store
            .rotate_refresh_token(&token.hash, now, grace_until)
            .await
            .unwrap(),
        RotateOutcome::Rotated
    );
    let (retired, _) = store
        .find_refresh_token(&token.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (retired.rotated_at, retired.grace_until),
        (Some(now), Some(grace_until))
    );

    // Retired: in grace until grace_until (exclusive), reused from then on. A later attempt
    // neither moves the retirement nor extends the grace.
    for (at, expected) in [
        (now, RotateOutcome::InGrace),
        (grace_until.plus_millis(-1), RotateOutcome::InGrace),
        (grace_until, RotateOutcome::Reused),
        (grace_until.plus_secs(3600), RotateOutcome::Reused),
    ] {
        assert_eq!(
            store
                .rotate_refresh_token(&token.hash, at, at.plus_secs(30))
                .await
                .unwrap(),
            expected,
            "at {at:?}"
        );
    }
    assert_eq!(
        store.find_refresh_token(&token.hash).await.unwrap(),
        Some((retired, a.clone()))
    );

    // Its successor rotates on its own.
    let successor = refresh(&a, "rt-next");
    store.insert_refresh_token(&successor).await.unwrap();
    assert_eq!(
        store
            .rotate_refresh_token(&successor.hash, now.plus_secs(1), grace_until)
            .await
            .unwrap(),
        RotateOutcome::Rotated
    );

    assert!(is_not_found(
        store
            .rotate_refresh_token(&TokenHash::of("rt-unknown"), now, grace_until)
            .await
    ));
}

pub(crate) async fn concurrent_rotation_has_one_winner(store: &dyn Store) {
    let w = world(store).await;
    let a = approval(&w, None, T0);
    let token = refresh(&a, "rt-raced");
    store.insert_approval(&a, &token).await.unwrap();
    let now = T0.plus_secs(100);
    let rotate = || store.rotate_refresh_token(&token.hash, now, now.plus_secs(30));
    // Both futures run at once on their own pool connections (the store is borrowed, so they
    // are joined rather than spawned onto other tasks).
    let (first, second) = tokio::join!(rotate(), rotate());
    let outcomes = [first.unwrap(), second.unwrap()];
    assert!(
        outcomes.contains(&RotateOutcome::Rotated) && outcomes.contains(&RotateOutcome::InGrace),
        "one winner, one in grace: {outcomes:?}"
    );
    let (retired, _) = store
        .find_refresh_token(&token.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retired.rotated_at, Some(now));
}

pub(crate) async fn revoked_approval_is_found_through_its_refresh_tokens(store: &dyn Store) {
    let w = world(store).await;
    let a = approval(&w, Some(TokenHash::of("code")), T0);
    let live = refresh(&a, "rt-live");
    store.insert_approval(&a, &live).await.unwrap();
    let mut retired = refresh(&a, "rt-retired");
    retired.rotated_at = Some(T0.plus_secs(10));
    retired.grace_until = Some(T0.plus_secs(40));
    store.insert_refresh_token(&retired).await.unwrap();

    let now = T0.plus_secs(60);
    store
        .revoke_tokens_from_code(&TokenHash::of("code"), now)
        .await
        .unwrap();
    let mut revoked = a.clone();
    revoked.revoked_at = Some(now);
    for token in [&live, &retired] {
        assert_eq!(
            store.find_refresh_token(&token.hash).await.unwrap(),
            Some((token.clone(), revoked.clone())),
            "revoking the approval leaves its refresh tokens for the core to recognise"
        );
    }
    assert_eq!(
        store
            .list_user_app_approvals(&w.user.id, &w.app.id)
            .await
            .unwrap(),
        []
    );
}
