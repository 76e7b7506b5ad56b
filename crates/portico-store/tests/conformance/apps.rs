//! Connected-app behaviours: settings survive storage, consumer keys are unique server-wide and
//! full names per org, and deleting an app takes its grants (refresh tokens too) with it.

use portico_core::ids::{KeyPrefix, SfId};
use portico_core::store::{CodeTaken, Store};

use crate::fixtures::{self, T0, conflict, is_not_found, new_app, world};

pub(crate) async fn app_round_trips(store: &dyn Store) {
    let w = world(store).await;
    assert_eq!(
        store.find_app(&w.app.id).await.unwrap(),
        Some(w.app.clone())
    );
    assert_eq!(
        store.find_app_by_consumer_key("3MVG9acme").await.unwrap(),
        Some(w.app.clone())
    );
    assert_eq!(
        store.find_app_by_name(&w.org.id, "Acme_CLI").await.unwrap(),
        Some(w.app.clone())
    );

    // A public, packaged, dynamically registered app with minimal settings.
    let mut public = new_app(&w.org, "Registered", "3MVG9registered");
    public.consumer_secret_sealed = None;
    public.is_installed = false;
    public.is_packaged = true;
    public.registered_by = Some(w.app.id.clone());
    public.settings = serde_json::from_value(serde_json::json!({
        "fullName": "Registered", "label": "Registered", "contactEmail": "x@example.com"
    }))
    .unwrap();
    store.insert_app(&public).await.unwrap();
    let found = store.find_app(&public.id).await.unwrap().unwrap();
    assert_eq!(found, public);
    assert!(found.oauth().is_none());

    assert_eq!(
        store
            .find_app(&SfId::generate(KeyPrefix::ConnectedApp))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.find_app_by_consumer_key("3MVG9ACME").await.unwrap(),
        None,
        "keys are case-sensitive"
    );
    assert_eq!(
        store.find_app_by_name(&w.org.id, "Nope").await.unwrap(),
        None
    );
}

pub(crate) async fn app_consumer_key_is_unique(store: &dyn Store) {
    let w = world(store).await;
    assert_eq!(
        conflict(
            store
                .insert_app(&new_app(&w.org, "Other_App", "3MVG9acme"))
                .await
        ),
        "consumerKey"
    );
    let other_org = fixtures::org(store, "Other").await;
    assert_eq!(
        conflict(
            store
                .insert_app(&new_app(&other_org, "Other_App", "3MVG9acme"))
                .await
        ),
        "consumerKey",
        "unique across the server"
    );
    let mut second = new_app(&w.org, "Second", "3MVG9second");
    store.insert_app(&second).await.unwrap();
    second.consumer_key = "3MVG9acme".into();
    assert_eq!(conflict(store.update_app(&second).await), "consumerKey");
}

pub(crate) async fn app_full_name_is_unique_per_org(store: &dyn Store) {
    let w = world(store).await;
    assert_eq!(
        conflict(
            store
                .insert_app(&new_app(&w.org, "Acme_CLI", "3MVG9other"))
                .await
        ),
        "fullName"
    );
    let other_org = fixtures::org(store, "Other").await;
    store
        .insert_app(&new_app(&other_org, "Acme_CLI", "3MVG9other"))
        .await
        .unwrap();
    let mut second = new_app(&w.org, "Second", "3MVG9second");
    store.insert_app(&second).await.unwrap();
    second.settings.full_name = "Acme_CLI".into();
    assert_eq!(conflict(store.update_app(&second).await), "fullName");
}

pub(crate) async fn app_updates_replace_settings_and_keys(store: &dyn Store) {
    let w = world(store).await;
    let mut app = w.app.clone();
    app.settings = fixtures::settings("Renamed_CLI");
    app.settings.description = None;
    app.settings.oauth_config.as_mut().unwrap().is_pkce_required = false;
    app.consumer_key = "3MVG9rotated".into();
    app.consumer_secret_sealed = Some("resealed".into());
    app.is_installed = false;
    app.updated_at = T0.plus_secs(10);
    store.update_app(&app).await.unwrap();

    assert_eq!(store.find_app(&app.id).await.unwrap(), Some(app.clone()));
    assert_eq!(
        store
            .find_app_by_consumer_key("3MVG9rotated")
            .await
            .unwrap(),
        Some(app.clone())
    );
    assert_eq!(
        store.find_app_by_consumer_key("3MVG9acme").await.unwrap(),
        None
    );
    assert_eq!(
        store
            .find_app_by_name(&w.org.id, "Renamed_CLI")
            .await
            .unwrap(),
        Some(app)
    );
    assert_eq!(
        store.find_app_by_name(&w.org.id, "Acme_CLI").await.unwrap(),
        None
    );

    let ghost = new_app(&w.org, "Ghost", "3MVG9ghost");
    assert!(is_not_found(store.update_app(&ghost).await));
}

pub(crate) async fn apps_are_listed_per_org(store: &dyn Store) {
    let w = world(store).await;
    let zeta = new_app(&w.org, "Zeta", "3MVG9zeta");
    let beta = new_app(&w.org, "Beta", "3MVG9beta");
    store.insert_app(&zeta).await.unwrap();
    store.insert_app(&beta).await.unwrap();
    let other_org = fixtures::org(store, "Other").await;
    store
        .insert_app(&new_app(&other_org, "Alpha", "3MVG9alpha"))
        .await
        .unwrap();
    assert_eq!(
        store.list_apps(&w.org.id).await.unwrap(),
        [w.app, beta, zeta]
    );
    assert_eq!(store.list_apps(&other_org.id).await.unwrap().len(), 1);
}

pub(crate) async fn deleting_an_app_deletes_its_grants(store: &dyn Store) {
    let w = world(store).await;
    let code = fixtures::code(&w, "code");
    store.insert_code(&code).await.unwrap();
    let approval = fixtures::approval(&w, None, T0);
    store
        .insert_approval(&approval, &fixtures::refresh(&approval, "refresh"))
        .await
        .unwrap();
    let token = fixtures::access_token(&w, "token", Some(&approval.id), None);
    store.insert_access_token(&token).await.unwrap();
    store
        .save_consent(&w.user.id, &w.app.id, &fixtures::scopes("api"), T0)
        .await
        .unwrap();
    let other = new_app(&w.org, "Other", "3MVG9other");
    store.insert_app(&other).await.unwrap();

    store.delete_app(&w.app.id).await.unwrap();
    assert_eq!(store.find_app(&w.app.id).await.unwrap(), None);
    assert_eq!(
        store.find_app_by_consumer_key("3MVG9acme").await.unwrap(),
        None
    );
    assert!(matches!(
        store.take_code(&code.hash, T0).await.unwrap(),
        CodeTaken::NotFound
    ));
    assert_eq!(store.find_approval(&approval.id).await.unwrap(), None);
    assert_eq!(store.find_access_token(&token.hash).await.unwrap(), None);
    assert_eq!(
        store.find_consent(&w.user.id, &w.app.id).await.unwrap(),
        None
    );
    assert_eq!(store.list_apps(&w.org.id).await.unwrap(), [other]);
    assert!(is_not_found(store.delete_app(&w.app.id).await));
    // The full name is free again.
    store
        .insert_app(&new_app(&w.org, "Acme_CLI", "3MVG9acme"))
        .await
        .unwrap();
}

pub(crate) async fn deleting_an_app_deletes_its_refresh_tokens(store: &dyn Store) {
    let w = world(store).await;
    let approval = fixtures::approval(&w, None, T0);
    let live = fixtures::refresh(&approval, "rt-live");
    store.insert_approval(&approval, &live).await.unwrap();
    let mut retired = fixtures::refresh(&approval, "rt-retired");
    retired.rotated_at = Some(T0);
    retired.grace_until = Some(T0.plus_secs(30));
    store.insert_refresh_token(&retired).await.unwrap();
    let other = new_app(&w.org, "Other", "3MVG9other");
    store.insert_app(&other).await.unwrap();
    let mut kept = fixtures::approval(&w, None, T0);
    kept.app_id = other.id.clone();
    let kept_refresh = fixtures::refresh(&kept, "rt-other-app");
    store.insert_approval(&kept, &kept_refresh).await.unwrap();

    store.delete_app(&w.app.id).await.unwrap();
    for token in [&live, &retired] {
        assert_eq!(store.find_refresh_token(&token.hash).await.unwrap(), None);
        assert!(is_not_found(
            store
                .rotate_refresh_token(&token.hash, T0.plus_secs(1), T0.plus_secs(31))
                .await
        ));
    }
    assert_eq!(
        store.find_refresh_token(&kept_refresh.hash).await.unwrap(),
        Some((kept_refresh, kept))
    );
    // The hashes are free again.
    let mut reissued = fixtures::approval(&w, None, T0);
    reissued.app_id = other.id.clone();
    store
        .insert_approval(&reissued, &fixtures::refresh(&reissued, "rt-live"))
        .await
        .unwrap();
}
