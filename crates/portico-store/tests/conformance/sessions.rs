//! Session and authorization-code behaviours: sessions expire and are deleted, codes are taken
//! at most once even by concurrent callers.

use portico_core::ids::{KeyPrefix, SfId};
use portico_core::secret::TokenHash;
use portico_core::session::Session;
use portico_core::store::{CodeTaken, Store};

use crate::fixtures::{self, T0, conflict, world};

pub(crate) async fn sessions_expire(store: &dyn Store) {
    let w = world(store).await;
    let (raw, session) = Session::start(w.user.id.clone(), T0, 3600);
    store.insert_session(&session).await.unwrap();
    let hash = TokenHash::of(&raw);
    assert_eq!(
        store.find_session(&hash, T0).await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(
        store.find_session(&hash, T0.plus_secs(3599)).await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(
        store.find_session(&hash, T0.plus_secs(3600)).await.unwrap(),
        None,
        "expires_at is exclusive"
    );
    assert_eq!(
        store
            .find_session(&TokenHash::of("other"), T0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(conflict(store.insert_session(&session).await), "session");
}

pub(crate) async fn sessions_are_deleted_one_or_all(store: &dyn Store) {
    let w = world(store).await;
    let bob = fixtures::user(store, &w, "bob@example.com").await;
    let (_, first) = Session::start(w.user.id.clone(), T0, 3600);
    let (_, second) = Session::start(w.user.id.clone(), T0, 3600);
    let (_, third) = Session::start(w.user.id.clone(), T0, 3600);
    let (_, bobs) = Session::start(bob.id.clone(), T0, 3600);
    for s in [&first, &second, &third, &bobs] {
        store.insert_session(s).await.unwrap();
    }
    store.delete_session(&first.id_hash).await.unwrap();
    assert_eq!(store.find_session(&first.id_hash, T0).await.unwrap(), None);
    assert!(
        store
            .find_session(&second.id_hash, T0)
            .await
            .unwrap()
            .is_some()
    );
    store.delete_session(&first.id_hash).await.unwrap();

    store.delete_user_sessions(&w.user.id).await.unwrap();
    assert_eq!(store.find_session(&second.id_hash, T0).await.unwrap(), None);
    assert_eq!(store.find_session(&third.id_hash, T0).await.unwrap(), None);
    assert_eq!(
        store.find_session(&bobs.id_hash, T0).await.unwrap(),
        Some(bobs),
        "other users stay logged in"
    );
    store
        .delete_user_sessions(&SfId::generate(KeyPrefix::User))
        .await
        .unwrap();
}

pub(crate) async fn code_can_be_taken_once(store: &dyn Store) {
    let w = world(store).await;
    let code = fixtures::code(&w, "the-code");
    store.insert_code(&code).await.unwrap();
    assert_eq!(conflict(store.insert_code(&code).await), "code");

    match store.take_code(&code.hash, T0.plus_secs(1)).await.unwrap() {
        CodeTaken::Fresh(taken) => assert_eq!(taken, code),
        other => panic!("expected a fresh code, got {other:?}"),
    }
    match store.take_code(&code.hash, T0.plus_secs(2)).await.unwrap() {
        CodeTaken::AlreadyUsed(taken) => assert_eq!(taken, code, "a replay still returns the code"),
        other => panic!("expected a used code, got {other:?}"),
    }
    assert!(matches!(
        store
            .take_code(&TokenHash::of("unknown"), T0)
            .await
            .unwrap(),
        CodeTaken::NotFound
    ));

    let mut minimal = fixtures::code(&w, "minimal");
    minimal.code_challenge = None;
    minimal.nonce = None;
    minimal.session_hash = None;
    minimal.scopes = fixtures::scopes("");
    store.insert_code(&minimal).await.unwrap();
    assert!(
        matches!(store.take_code(&minimal.hash, T0).await.unwrap(), CodeTaken::Fresh(c) if c == minimal)
    );
}

pub(crate) async fn expired_code_is_returned_for_the_core_to_reject(store: &dyn Store) {
    let w = world(store).await;
    let code = fixtures::code(&w, "late");
    store.insert_code(&code).await.unwrap();
    let late = code.expires_at.plus_secs(1);
    match store.take_code(&code.hash, late).await.unwrap() {
        CodeTaken::Fresh(taken) => assert!(taken.expires_at < late),
        other => panic!("expected the expired code back, got {other:?}"),
    }
    assert!(matches!(
        store.take_code(&code.hash, late).await.unwrap(),
        CodeTaken::AlreadyUsed(_)
    ));
}

pub(crate) async fn concurrent_takes_give_one_fresh_code(store: &dyn Store) {
    let w = world(store).await;
    let code = fixtures::code(&w, "raced");
    store.insert_code(&code).await.unwrap();
    let take = || store.take_code(&code.hash, T0);
    let (a, b, c, d) = tokio::join!(take(), take(), take(), take());
    let results = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
    let fresh = results
        .iter()
        .filter(|r| matches!(r, CodeTaken::Fresh(_)))
        .count();
    let used = results
        .iter()
        .filter(|r| matches!(r, CodeTaken::AlreadyUsed(_)))
        .count();
    assert_eq!((fresh, used), (1, 3));
}
