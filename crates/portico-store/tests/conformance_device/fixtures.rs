//! Fixtures for the device (RFC 8628) and JWT-id (RFC 7523 §3) behaviours: an org with one user and
//! one device-flow app.

use portico_core::clock::UnixMillis;
use portico_core::connected_app::ConnectedApp;
use portico_core::device::{DeviceAuthorization, DeviceDecision};
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::{Edition, Org, PermissionBundle, User};
use portico_core::scope::ScopeSet;
use portico_core::store::{BundleKind, Store};

pub(crate) const T0: UnixMillis = UnixMillis(1_700_000_000_000);

/// An org with one user and one device-flow app, stored.
pub(crate) struct World {
    pub(crate) user: User,
    pub(crate) app: ConnectedApp,
}

pub(crate) async fn world(store: &dyn Store) -> World {
    let org = Org {
        id: SfId::generate(KeyPrefix::Org),
        name: "Acme".into(),
        edition: Edition::Developer,
        created_at: T0,
    };
    store.insert_org(&org).await.unwrap();
    let profile = PermissionBundle {
        id: SfId::generate(KeyPrefix::Profile),
        org_id: org.id.clone(),
        name: "StandardUser".into(),
        label: "Standard User".into(),
        permissions: Default::default(),
        custom_permissions: Vec::new(),
    };
    store
        .insert_bundle(BundleKind::Profile, &profile)
        .await
        .unwrap();
    let user = User {
        id: SfId::generate(KeyPrefix::User),
        org_id: org.id.clone(),
        username: "tv@example.com".into(),
        email: "tv@example.com".into(),
        first_name: "Tele".into(),
        last_name: "Vision".into(),
        profile_id: profile.id.clone(),
        is_active: true,
        locale: "en_US".into(),
        time_zone: "Europe/London".into(),
        password_hash: None,
        failed_logins: 0,
        locked_until: None,
        created_at: T0,
        updated_at: T0,
    };
    store.insert_user(&user).await.unwrap();
    let settings = serde_json::from_value(serde_json::json!({
        "fullName": "Living_Room_TV",
        "label": "Living Room TV",
        "contactEmail": "tv@example.com",
        "oauthConfig": { "callbackUrl": "https://tv.example.com/cb", "scopes": ["Api", "RefreshToken"], "isDeviceFlowEnabled": true },
    }))
    .unwrap();
    let app = ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: org.id.clone(),
        settings,
        consumer_key: "3MVGtv".into(),
        consumer_secret_sealed: None,
        is_installed: true,
        is_packaged: false,
        registered_by: None,
        created_at: T0,
        updated_at: T0,
    };
    store.insert_app(&app).await.unwrap();
    World { user, app }
}

/// A stored pending authorization of the world's app.
pub(crate) async fn started(store: &dyn Store, w: &World, now: UnixMillis) -> DeviceAuthorization {
    let new = DeviceAuthorization::start(
        w.app.id.clone(),
        ScopeSet::parse("api refresh_token").unwrap(),
        now,
    );
    store
        .insert_device_authorization(&new.record, now)
        .await
        .unwrap();
    new.record
}

pub(crate) fn approve(w: &World) -> DeviceDecision {
    DeviceDecision::Approve {
        user_id: w.user.id.clone(),
    }
}
