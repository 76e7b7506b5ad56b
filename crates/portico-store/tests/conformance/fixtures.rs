//! Records for the behaviours: a small org (profile, user, app) and builders for codes, tokens,
//! approvals and their refresh tokens. Every test gets a new database, so fixed names cannot
//! collide.

use portico_core::clock::UnixMillis;
use portico_core::connected_app::{AppSettings, ConnectedApp};
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::{Edition, Org, Permission, PermissionBundle, User};
use portico_core::scope::ScopeSet;
use portico_core::secret::TokenHash;
use portico_core::store::{BundleKind, Store};
use portico_core::token::{AccessTokenRecord, Approval, AuthorizationCode, RefreshTokenRecord};

/// An arbitrary "now" for every test.
pub(crate) const T0: UnixMillis = UnixMillis(1_700_000_000_000);

/// An org with one profile, one user and one connected app, all stored.
pub(crate) struct World {
    pub(crate) org: Org,
    pub(crate) profile: PermissionBundle,
    pub(crate) user: User,
    pub(crate) app: ConnectedApp,
}

pub(crate) async fn world(store: &dyn Store) -> World {
    let org = org(store, "Acme").await;
    let profile = bundle(&org, "StandardUser", &[Permission::ApiEnabled]);
    store
        .insert_bundle(BundleKind::Profile, &profile)
        .await
        .unwrap();
    let user = new_user(&org, &profile, "alice@example.com");
    store.insert_user(&user).await.unwrap();
    let app = new_app(&org, "Acme_CLI", "3MVG9acme");
    store.insert_app(&app).await.unwrap();
    World {
        org,
        profile,
        user,
        app,
    }
}

pub(crate) async fn org(store: &dyn Store, name: &str) -> Org {
    let org = Org {
        id: SfId::generate(KeyPrefix::Org),
        name: name.into(),
        edition: Edition::Developer,
        created_at: T0,
    };
    store.insert_org(&org).await.unwrap();
    org
}

pub(crate) fn bundle(org: &Org, name: &str, permissions: &[Permission]) -> PermissionBundle {
    let prefix = if name.ends_with("User") {
        KeyPrefix::Profile
    } else {
        KeyPrefix::PermissionSet
    };
    PermissionBundle {
        id: SfId::generate(prefix),
        org_id: org.id.clone(),
        name: name.into(),
        label: format!("{name} label"),
        permissions: permissions.iter().copied().collect(),
        custom_permissions: Vec::new(),
    }
}

pub(crate) fn new_user(org: &Org, profile: &PermissionBundle, username: &str) -> User {
    User {
        id: SfId::generate(KeyPrefix::User),
        org_id: org.id.clone(),
        username: username.into(),
        email: username.into(),
        first_name: "Alice".into(),
        last_name: "Liddell".into(),
        profile_id: profile.id.clone(),
        is_active: true,
        locale: "en_US".into(),
        time_zone: "Europe/London".into(),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        failed_logins: 0,
        locked_until: None,
        created_at: T0,
        updated_at: T0,
    }
}

pub(crate) async fn user(store: &dyn Store, world: &World, username: &str) -> User {
    let user = new_user(&world.org, &world.profile, username);
    store.insert_user(&user).await.unwrap();
    user
}

pub(crate) fn settings(full_name: &str) -> AppSettings {
    serde_json::from_value(serde_json::json!({
        "fullName": full_name,
        "label": format!("{full_name} label"),
        "contactEmail": "admin@example.com",
        "description": "made by the conformance suite",
        "attributes": [{ "key": "dept", "formula": "$User.Department" }],
        "oauthConfig": {
            "callbackUrl": "https://app.example.com/cb\nhttp://localhost:1717/OauthRedirect",
            "scopes": ["Api", "RefreshToken", "OpenID"],
            "isPkceRequired": true,
            "idTokenConfig": { "idTokenValidity": 5 }
        },
        "oauthPolicy": { "ipRelaxation": "BYPASS", "refreshTokenPolicy": "specific_lifetime:3:DAYS" },
        "sessionPolicy": { "sessionTimeout": 30 }
    }))
    .unwrap()
}

pub(crate) fn new_app(org: &Org, full_name: &str, consumer_key: &str) -> ConnectedApp {
    ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: org.id.clone(),
        settings: settings(full_name),
        consumer_key: consumer_key.into(),
        consumer_secret_sealed: Some("sealed-secret".into()),
        is_installed: true,
        is_packaged: false,
        registered_by: None,
        created_at: T0,
        updated_at: T0,
    }
}

pub(crate) fn scopes(wire: &str) -> ScopeSet {
    ScopeSet::parse(wire).unwrap()
}

pub(crate) fn code(world: &World, raw: &str) -> AuthorizationCode {
    AuthorizationCode {
        hash: TokenHash::of(raw),
        app_id: world.app.id.clone(),
        user_id: world.user.id.clone(),
        redirect_uri: "https://app.example.com/cb".into(),
        scopes: scopes("api refresh_token openid"),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        nonce: Some("n-0S6_WzA2Mj".into()),
        session_hash: Some(TokenHash::of("session")),
        auth_time: T0,
        created_at: T0,
        expires_at: T0.plus_secs(60),
    }
}

/// An approval of the world's user for the world's app; store it with a [`refresh`] token.
pub(crate) fn approval(
    world: &World,
    code_hash: Option<TokenHash>,
    created_at: UnixMillis,
) -> Approval {
    Approval {
        id: SfId::generate(KeyPrefix::OAuthToken),
        org_id: world.org.id.clone(),
        app_id: world.app.id.clone(),
        user_id: world.user.id.clone(),
        scopes: scopes("api refresh_token"),
        code_hash,
        nonce: None,
        auth_time: T0,
        created_at,
        last_used_at: created_at,
        use_count: 0,
        revoked_at: None,
    }
}

/// A live refresh token of `approval`, issued with it, from the raw token `raw`.
pub(crate) fn refresh(approval: &Approval, raw: &str) -> RefreshTokenRecord {
    RefreshTokenRecord {
        hash: TokenHash::of(raw),
        approval_id: approval.id.clone(),
        created_at: approval.created_at,
        rotated_at: None,
        grace_until: None,
    }
}

pub(crate) fn access_token(
    world: &World,
    raw: &str,
    approval_id: Option<&SfId>,
    code_hash: Option<TokenHash>,
) -> AccessTokenRecord {
    AccessTokenRecord {
        hash: TokenHash::of(raw),
        org_id: world.org.id.clone(),
        app_id: world.app.id.clone(),
        user_id: world.user.id.clone(),
        scopes: scopes("api"),
        approval_id: approval_id.cloned(),
        code_hash,
        session_hash: Some(TokenHash::of("session")),
        issued_at: T0,
        expires_at: T0.plus_secs(7200),
        revoked_at: None,
    }
}

/// The conflict field of a `StoreError::Conflict`, or a panic naming what came instead.
pub(crate) fn conflict<T: std::fmt::Debug>(result: Result<T, portico_core::StoreError>) -> String {
    match result {
        Err(portico_core::StoreError::Conflict(field)) => field,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

pub(crate) fn is_not_found<T: std::fmt::Debug>(
    result: Result<T, portico_core::StoreError>,
) -> bool {
    result.is_err_and(|e| matches!(e, portico_core::StoreError::NotFound))
}
