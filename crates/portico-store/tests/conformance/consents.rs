//! Consent behaviours: the scopes a user consented to are remembered per user and app, and a
//! new save replaces the set.

use portico_core::store::Store;

use crate::fixtures::{self, T0, scopes, world};

pub(crate) async fn consent_is_saved_and_replaced(store: &dyn Store) {
    let w = world(store).await;
    let other_app = fixtures::new_app(&w.org, "Other", "3MVG9other");
    store.insert_app(&other_app).await.unwrap();
    assert_eq!(
        store.find_consent(&w.user.id, &w.app.id).await.unwrap(),
        None
    );

    store
        .save_consent(&w.user.id, &w.app.id, &scopes("api id"), T0)
        .await
        .unwrap();
    assert_eq!(
        store.find_consent(&w.user.id, &w.app.id).await.unwrap(),
        Some(scopes("api id"))
    );
    store
        .save_consent(
            &w.user.id,
            &w.app.id,
            &scopes("api id refresh_token"),
            T0.plus_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(
        store.find_consent(&w.user.id, &w.app.id).await.unwrap(),
        Some(scopes("api id refresh_token"))
    );
    assert_eq!(
        store.find_consent(&w.user.id, &other_app.id).await.unwrap(),
        None
    );

    let bob = fixtures::user(store, &w, "bob@example.com").await;
    assert_eq!(store.find_consent(&bob.id, &w.app.id).await.unwrap(), None);
    store
        .save_consent(&bob.id, &w.app.id, &scopes(""), T0)
        .await
        .unwrap();
    assert_eq!(
        store.find_consent(&bob.id, &w.app.id).await.unwrap(),
        Some(scopes(""))
    );
}
