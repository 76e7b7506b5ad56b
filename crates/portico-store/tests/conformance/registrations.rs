//! Dynamic client registration (RFC 7591 / RFC 7592) and custom permissions: a registrar's
//! initial access token is one row that regenerating replaces, registrations round-trip and are
//! replaced in place, both go with their app, and profiles and permission sets keep the custom
//! permissions they grant.

use portico_core::ids::SfId;
use portico_core::org::Permission;
use portico_core::registration::ClientRegistration;
use portico_core::secret::TokenHash;
use portico_core::store::{BundleKind, Store};

use crate::fixtures::{T0, bundle, new_app, world};

pub(crate) async fn initial_access_tokens_are_replaced_and_go_with_their_app(store: &dyn Store) {
    let w = world(store).await;
    let (first, second) = (TokenHash::of("iat-1"), TokenHash::of("iat-2"));
    store
        .set_initial_access_token(&w.app.id, &first, T0)
        .await
        .unwrap();
    assert_eq!(
        store.find_initial_access_token_app(&first).await.unwrap(),
        Some(w.app.id.clone())
    );
    store
        .set_initial_access_token(&w.app.id, &second, T0.plus_secs(1))
        .await
        .unwrap();
    assert_eq!(
        store.find_initial_access_token_app(&first).await.unwrap(),
        None,
        "regenerating invalidates"
    );
    assert_eq!(
        store.find_initial_access_token_app(&second).await.unwrap(),
        Some(w.app.id.clone())
    );

    let other = new_app(&w.org, "Other", "3MVG9other");
    store.insert_app(&other).await.unwrap();
    store
        .set_initial_access_token(&other.id, &TokenHash::of("iat-3"), T0)
        .await
        .unwrap();
    store.delete_app(&w.app.id).await.unwrap();
    assert_eq!(
        store.find_initial_access_token_app(&second).await.unwrap(),
        None,
        "deleted with its app"
    );
    assert_eq!(
        store
            .find_initial_access_token_app(&TokenHash::of("iat-3"))
            .await
            .unwrap(),
        Some(other.id)
    );
}

fn registration(app_id: &SfId, token: &str) -> ClientRegistration {
    ClientRegistration {
        app_id: app_id.clone(),
        registration_token_hash: TokenHash::of(token),
        metadata: serde_json::json!({
            "redirect_uris": ["https://client.example.com/cb"],
            "grant_types": ["authorization_code"],
            "contacts": ["ops@example.com"],
            "software_id": "ünïcode ✓",
        }),
        created_at: T0,
        updated_at: T0,
    }
}

pub(crate) async fn client_registrations_round_trip_and_go_with_their_app(store: &dyn Store) {
    let w = world(store).await;
    let mut registered = new_app(&w.org, "Registered", "3MVG9registered");
    registered.registered_by = Some(w.app.id.clone());
    store.insert_app(&registered).await.unwrap();
    assert_eq!(
        store
            .find_client_registration(&registered.id)
            .await
            .unwrap(),
        None
    );

    let first = registration(&registered.id, "rat-1");
    store.save_client_registration(&first).await.unwrap();
    assert_eq!(
        store
            .find_client_registration(&registered.id)
            .await
            .unwrap(),
        Some(first.clone())
    );

    // An update replaces the token and the metadata, keeping when it was created.
    let mut second = registration(&registered.id, "rat-2");
    second.metadata = serde_json::json!({"redirect_uris": ["https://client.example.com/cb2"]});
    second.updated_at = T0.plus_secs(60);
    store.save_client_registration(&second).await.unwrap();
    assert_eq!(
        store
            .find_client_registration(&registered.id)
            .await
            .unwrap(),
        Some(second)
    );

    store.delete_app(&registered.id).await.unwrap();
    assert_eq!(
        store
            .find_client_registration(&registered.id)
            .await
            .unwrap(),
        None
    );
    assert!(
        store.save_client_registration(&first).await.is_err(),
        "no registration without its app"
    );
}

pub(crate) async fn bundles_keep_their_custom_permissions(store: &dyn Store) {
    let w = world(store).await;
    let mut set = bundle(&w.org, "Approvers", &[Permission::ViewSetup]);
    set.custom_permissions = vec!["ApproveSpend".into(), "View_Reports2".into()];
    store
        .insert_bundle(BundleKind::PermissionSet, &set)
        .await
        .unwrap();
    assert_eq!(
        store
            .find_bundle(BundleKind::PermissionSet, &set.id)
            .await
            .unwrap(),
        Some(set.clone())
    );
    store
        .assign_permission_set(&w.user.id, &set.id)
        .await
        .unwrap();
    assert_eq!(
        store.user_permission_sets(&w.user.id).await.unwrap(),
        [set.clone()]
    );

    set.custom_permissions = vec!["Other".into()];
    store
        .update_bundle(BundleKind::PermissionSet, &set)
        .await
        .unwrap();
    let found = store
        .find_bundle_by_name(BundleKind::PermissionSet, &w.org.id, "Approvers")
        .await
        .unwrap();
    assert_eq!(
        found.map(|b| b.custom_permissions),
        Some(vec!["Other".to_owned()])
    );
    assert!(w.profile.custom_permissions.is_empty());
    let listed = store
        .list_bundles(BundleKind::Profile, &w.org.id)
        .await
        .unwrap();
    assert_eq!(listed, [w.profile]);
}
