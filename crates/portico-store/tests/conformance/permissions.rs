//! Profile and permission-set behaviours: kinds kept apart, names unique per org and kind, and
//! permission sets assigned to users.

use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::Permission;
use portico_core::store::{BundleKind, Store};

use crate::fixtures::{self, bundle, conflict, is_not_found, world};

pub(crate) async fn bundles_round_trip_by_kind(store: &dyn Store) {
    let w = world(store).await;
    let set = bundle(
        &w.org,
        "ConnectedAppAdmins",
        &[Permission::ManageConnectedApps, Permission::ViewSetup],
    );
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
    assert_eq!(
        store
            .find_bundle(BundleKind::Profile, &w.profile.id)
            .await
            .unwrap(),
        Some(w.profile.clone())
    );
    assert_eq!(
        store
            .find_bundle(BundleKind::Profile, &set.id)
            .await
            .unwrap(),
        None,
        "kinds are separate"
    );
    assert_eq!(
        store
            .find_bundle_by_name(BundleKind::PermissionSet, &w.org.id, "ConnectedAppAdmins")
            .await
            .unwrap(),
        Some(set.clone())
    );
    assert_eq!(
        store
            .find_bundle_by_name(BundleKind::Profile, &w.org.id, "ConnectedAppAdmins")
            .await
            .unwrap(),
        None
    );

    let mut updated = set.clone();
    updated.name = "AppAdmins".into();
    updated.label = "App admins".into();
    updated.permissions = [Permission::ApiEnabled].into_iter().collect();
    store
        .update_bundle(BundleKind::PermissionSet, &updated)
        .await
        .unwrap();
    assert_eq!(
        store
            .find_bundle(BundleKind::PermissionSet, &set.id)
            .await
            .unwrap(),
        Some(updated.clone())
    );
    assert!(
        is_not_found(store.update_bundle(BundleKind::Profile, &updated).await),
        "wrong kind"
    );
    let ghost = bundle(&w.org, "Ghost", &[]);
    assert!(is_not_found(
        store.update_bundle(BundleKind::PermissionSet, &ghost).await
    ));
}

pub(crate) async fn bundles_are_listed_per_kind_and_org(store: &dyn Store) {
    let w = world(store).await;
    let admin = bundle(&w.org, "AdminUser", &Permission::ALL);
    store
        .insert_bundle(BundleKind::Profile, &admin)
        .await
        .unwrap();
    let b = bundle(&w.org, "B_Set", &[]);
    let a = bundle(&w.org, "A_Set", &[Permission::ManageUsers]);
    store
        .insert_bundle(BundleKind::PermissionSet, &b)
        .await
        .unwrap();
    store
        .insert_bundle(BundleKind::PermissionSet, &a)
        .await
        .unwrap();
    let other_org = fixtures::org(store, "Other").await;
    store
        .insert_bundle(BundleKind::PermissionSet, &bundle(&other_org, "C_Set", &[]))
        .await
        .unwrap();

    assert_eq!(
        store
            .list_bundles(BundleKind::Profile, &w.org.id)
            .await
            .unwrap(),
        [admin, w.profile]
    );
    assert_eq!(
        store
            .list_bundles(BundleKind::PermissionSet, &w.org.id)
            .await
            .unwrap(),
        [a, b]
    );
    assert_eq!(
        store
            .list_bundles(BundleKind::Profile, &other_org.id)
            .await
            .unwrap(),
        []
    );
}

pub(crate) async fn bundle_name_is_unique_per_org_and_kind(store: &dyn Store) {
    let w = world(store).await;
    let set = bundle(&w.org, "Support", &[]);
    store
        .insert_bundle(BundleKind::PermissionSet, &set)
        .await
        .unwrap();
    assert_eq!(
        conflict(
            store
                .insert_bundle(BundleKind::PermissionSet, &bundle(&w.org, "Support", &[]))
                .await
        ),
        "name"
    );
    // The same name may be used by the other kind, and in another org.
    store
        .insert_bundle(BundleKind::Profile, &bundle(&w.org, "Support", &[]))
        .await
        .unwrap();
    let other_org = fixtures::org(store, "Other").await;
    store
        .insert_bundle(
            BundleKind::PermissionSet,
            &bundle(&other_org, "Support", &[]),
        )
        .await
        .unwrap();
    // Renaming onto a taken name conflicts too.
    let mut second = bundle(&w.org, "Sales", &[]);
    store
        .insert_bundle(BundleKind::PermissionSet, &second)
        .await
        .unwrap();
    second.name = "Support".into();
    assert_eq!(
        conflict(
            store
                .update_bundle(BundleKind::PermissionSet, &second)
                .await
        ),
        "name"
    );
}

pub(crate) async fn user_permission_sets_are_listed(store: &dyn Store) {
    let w = world(store).await;
    let sales = bundle(&w.org, "Sales", &[Permission::ApiEnabled]);
    let admins = bundle(&w.org, "Admins", &[Permission::ManageUsers]);
    let unused = bundle(&w.org, "Unused", &[]);
    for set in [&sales, &admins, &unused] {
        store
            .insert_bundle(BundleKind::PermissionSet, set)
            .await
            .unwrap();
    }
    assert_eq!(store.user_permission_sets(&w.user.id).await.unwrap(), []);
    store
        .assign_permission_set(&w.user.id, &sales.id)
        .await
        .unwrap();
    store
        .assign_permission_set(&w.user.id, &admins.id)
        .await
        .unwrap();
    assert_eq!(
        store.user_permission_sets(&w.user.id).await.unwrap(),
        [admins.clone(), sales.clone()]
    );

    let bob = fixtures::user(store, &w, "bob@example.com").await;
    store
        .assign_permission_set(&bob.id, &sales.id)
        .await
        .unwrap();
    assert_eq!(
        store.user_permission_sets(&bob.id).await.unwrap(),
        std::slice::from_ref(&sales)
    );

    store
        .unassign_permission_set(&w.user.id, &sales.id)
        .await
        .unwrap();
    assert_eq!(
        store.user_permission_sets(&w.user.id).await.unwrap(),
        [admins]
    );
    assert_eq!(
        store.user_permission_sets(&bob.id).await.unwrap(),
        [sales],
        "other users keep theirs"
    );
}

pub(crate) async fn permission_set_assignment_is_checked(store: &dyn Store) {
    let w = world(store).await;
    let set = bundle(&w.org, "Sales", &[]);
    store
        .insert_bundle(BundleKind::PermissionSet, &set)
        .await
        .unwrap();
    store
        .assign_permission_set(&w.user.id, &set.id)
        .await
        .unwrap();
    assert_eq!(
        conflict(store.assign_permission_set(&w.user.id, &set.id).await),
        "permissionSetId"
    );

    let ghost_set = SfId::generate(KeyPrefix::PermissionSet);
    assert!(is_not_found(
        store.assign_permission_set(&w.user.id, &ghost_set).await
    ));
    let ghost_user = SfId::generate(KeyPrefix::User);
    assert!(is_not_found(
        store.assign_permission_set(&ghost_user, &set.id).await
    ));
    assert!(
        is_not_found(store.assign_permission_set(&w.user.id, &w.profile.id).await),
        "a profile is not a set"
    );

    store
        .unassign_permission_set(&w.user.id, &set.id)
        .await
        .unwrap();
    assert!(is_not_found(
        store.unassign_permission_set(&w.user.id, &set.id).await
    ));
}
