//! The verification page's wrong-code count (RFC 8628 §5.1) and used JWT ids (RFC 7523 §3):
//! counted under races, locked and restarted; remembered until expiry, used once under races.

use portico_core::device::CodeGuesses;
use portico_core::secret::TokenHash;
use portico_core::store::Store;

use crate::fixtures::T0;

pub(crate) async fn wrong_codes_count_lock_and_restart(store: &dyn Store) {
    let session = TokenHash::of("browser session");
    assert_eq!(
        store.find_code_guesses(&session).await.unwrap(),
        CodeGuesses::default()
    );
    let lock = T0.plus_secs(900);
    for n in 1..=4 {
        let g = store
            .record_wrong_code_guess(&session, 5, lock, T0)
            .await
            .unwrap();
        assert_eq!(
            g,
            CodeGuesses {
                failures: n,
                locked_until: None
            }
        );
    }
    let locked = store
        .record_wrong_code_guess(&session, 5, lock, T0)
        .await
        .unwrap();
    assert_eq!(
        locked,
        CodeGuesses {
            failures: 5,
            locked_until: Some(lock)
        }
    );
    assert_eq!(store.find_code_guesses(&session).await.unwrap(), locked);
    assert_eq!(
        store
            .find_code_guesses(&TokenHash::of("another"))
            .await
            .unwrap(),
        CodeGuesses::default()
    );
    // After the lock runs out, the next wrong code counts from one again.
    let after = store
        .record_wrong_code_guess(&session, 5, lock.plus_secs(900), lock.plus_secs(1))
        .await
        .unwrap();
    assert_eq!(
        after,
        CodeGuesses {
            failures: 1,
            locked_until: None
        }
    );
}

pub(crate) async fn concurrent_wrong_codes_all_count(store: &dyn Store) {
    let session = TokenHash::of("racing session");
    let guess = || store.record_wrong_code_guess(&session, 5, T0.plus_secs(900), T0);
    let (a, b, c, d, e) = tokio::join!(guess(), guess(), guess(), guess(), guess());
    for r in [a, b, c, d, e] {
        r.unwrap();
    }
    assert_eq!(
        store.find_code_guesses(&session).await.unwrap(),
        CodeGuesses {
            failures: 5,
            locked_until: Some(T0.plus_secs(900))
        }
    );
}

pub(crate) async fn a_jti_is_remembered_until_it_expires(store: &dyn Store) {
    let key = TokenHash::of("3MVGapp\u{0}jti-1");
    let until = T0.plus_secs(300);
    assert!(store.remember_jti(&key, until, T0).await.unwrap());
    assert!(
        !store
            .remember_jti(&key, until, T0.plus_secs(10))
            .await
            .unwrap(),
        "a replay"
    );
    assert!(
        store
            .remember_jti(&TokenHash::of("3MVGapp\u{0}jti-2"), until, T0)
            .await
            .unwrap()
    );
    assert!(
        store
            .remember_jti(&key, until.plus_secs(300), until)
            .await
            .unwrap(),
        "forgotten once expired"
    );
}

pub(crate) async fn concurrent_uses_of_a_jti_have_one_winner(store: &dyn Store) {
    let key = TokenHash::of("3MVGapp\u{0}raced");
    let remember = || store.remember_jti(&key, T0.plus_secs(300), T0);
    let (a, b, c, d) = tokio::join!(remember(), remember(), remember(), remember());
    let won = [a, b, c, d]
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);
}
