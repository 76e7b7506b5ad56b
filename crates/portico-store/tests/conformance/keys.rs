//! Signing-key and setting behaviours: keys reload from their PEM, and a setting keeps the
//! first value written even when nodes race to initialise it.

use portico_core::keys::SigningKey;
use portico_core::store::Store;

use crate::fixtures::{T0, conflict};

pub(crate) async fn signing_keys_round_trip(store: &dyn Store) {
    assert!(store.list_signing_keys().await.unwrap().is_empty());
    let newer = SigningKey::generate("249".into(), T0.plus_secs(60)).unwrap();
    let older = SigningKey::generate("248".into(), T0).unwrap();
    store.insert_signing_key(&newer).await.unwrap();
    store.insert_signing_key(&older).await.unwrap();

    let keys = store.list_signing_keys().await.unwrap();
    let summary: Vec<_> = keys
        .iter()
        .map(|k| (k.kid.as_str(), k.created_at))
        .collect();
    assert_eq!(
        summary,
        [("248", T0), ("249", T0.plus_secs(60))],
        "oldest first"
    );
    assert_eq!(keys[0].private_pem, older.private_pem);
    assert_eq!(keys[1].private_pem, newer.private_pem);
    assert_eq!(
        keys[1].jwk(),
        newer.jwk(),
        "the reloaded key publishes the same public key"
    );

    let again = SigningKey::from_pem("248".into(), newer.private_pem.clone(), T0).unwrap();
    assert_eq!(conflict(store.insert_signing_key(&again).await), "kid");
}

pub(crate) async fn init_setting_keeps_the_first_value(store: &dyn Store) {
    assert_eq!(store.get_setting("data_key").await.unwrap(), None);
    assert_eq!(
        store.init_setting("data_key", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.init_setting("data_key", "second").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.get_setting("data_key").await.unwrap().as_deref(),
        Some("first")
    );
    assert_eq!(store.init_setting("other", "x").await.unwrap(), "x");
    assert_eq!(
        store.get_setting("data_key").await.unwrap().as_deref(),
        Some("first")
    );
}

pub(crate) async fn concurrent_init_setting_agrees(store: &dyn Store) {
    let (a, b, c, d) = tokio::join!(
        store.init_setting("raced", "a"),
        store.init_setting("raced", "b"),
        store.init_setting("raced", "c"),
        store.init_setting("raced", "d"),
    );
    let values = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
    assert!(values.iter().all(|v| *v == values[0]), "{values:?}");
    assert_eq!(
        store.get_setting("raced").await.unwrap(),
        Some(values[0].clone())
    );
}
