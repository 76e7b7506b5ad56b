//! Storage conformance for issue 7 — asset token events and what logging out needs (a user's
//! sessions, the apps a session used, revoking everything issued in a session) — on a new
//! SQLite file always and on PostgreSQL when `PORTICO_TEST_POSTGRES_URL` is set, as
//! `conformance.rs` does.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test, with its location"
)]

#[path = "conformance/harness.rs"]
mod harness;

use portico_core::clock::UnixMillis;
use portico_core::connected_app::ConnectedApp;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::{Edition, Org, PermissionBundle, User};
use portico_core::scope::ScopeSet;
use portico_core::secret::TokenHash;
use portico_core::session::Session;
use portico_core::store::{AssetTokenEvent, BundleKind, CodeTaken, Store};
use portico_core::token::{AccessTokenRecord, AuthorizationCode};

const T0: UnixMillis = UnixMillis(1_700_000_000_000);

struct World {
    org: Org,
    user: User,
    apps: [ConnectedApp; 2],
}

fn app(org: &Org, name: &str) -> ConnectedApp {
    let settings = serde_json::from_value(serde_json::json!({
        "fullName": name, "label": name, "contactEmail": "dev@example.com",
        "oauthConfig": { "callbackUrl": "https://app.example.com/cb", "scopes": ["Api", "OpenID"] },
    }))
    .unwrap();
    ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: org.id.clone(),
        settings,
        consumer_key: format!("3MVG{name}"),
        consumer_secret_sealed: None,
        is_installed: true,
        is_packaged: false,
        registered_by: None,
        created_at: T0,
        updated_at: T0,
    }
}

async fn world(store: &dyn Store) -> World {
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
        username: "ann@example.com".into(),
        email: "ann@example.com".into(),
        first_name: "Ann".into(),
        last_name: "Example".into(),
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
    let apps = [app(&org, "One"), app(&org, "Two")];
    for a in &apps {
        store.insert_app(a).await.unwrap();
    }
    World { org, user, apps }
}

fn session(w: &World, raw: &str, created_at: UnixMillis) -> Session {
    Session {
        id_hash: TokenHash::of(raw),
        user_id: w.user.id.clone(),
        auth_time: created_at,
        created_at,
        expires_at: created_at.plus_secs(3600),
    }
}

fn token(w: &World, app: &ConnectedApp, raw: &str, session: Option<&str>) -> AccessTokenRecord {
    AccessTokenRecord {
        hash: TokenHash::of(raw),
        org_id: w.org.id.clone(),
        app_id: app.id.clone(),
        user_id: w.user.id.clone(),
        scopes: ScopeSet::parse("api openid").unwrap(),
        approval_id: None,
        code_hash: None,
        session_hash: session.map(TokenHash::of),
        issued_at: T0,
        expires_at: T0.plus_secs(7200),
        revoked_at: None,
    }
}

async fn sessions_are_listed_live_and_newest_first(store: &dyn Store) {
    let w = world(store).await;
    store.insert_session(&session(&w, "old", T0)).await.unwrap();
    store
        .insert_session(&session(&w, "new", T0.plus_secs(60)))
        .await
        .unwrap();
    let listed = store
        .list_user_sessions(&w.user.id, T0.plus_secs(61))
        .await
        .unwrap();
    assert_eq!(
        listed,
        vec![session(&w, "new", T0.plus_secs(60)), session(&w, "old", T0)]
    );
    // The old one expires first.
    let later = store
        .list_user_sessions(&w.user.id, T0.plus_secs(3600))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert!(
        store
            .list_user_sessions(&w.apps[0].id, T0)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_session_knows_its_apps_and_logout_revokes_only_its_tokens(store: &dyn Store) {
    let w = world(store).await;
    store.insert_session(&session(&w, "s1", T0)).await.unwrap();
    for (app, raw, sess) in [
        (&w.apps[0], "a", Some("s1")),
        (&w.apps[1], "b", Some("s1")),
        (&w.apps[0], "c", Some("s1")),
        (&w.apps[1], "d", Some("s2")),
        (&w.apps[1], "e", None),
    ] {
        store
            .insert_access_token(&token(&w, app, raw, sess))
            .await
            .unwrap();
    }
    let mut expected: Vec<SfId> = w.apps.iter().map(|a| a.id.clone()).collect();
    expected.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(
        store.session_app_ids(&TokenHash::of("s1")).await.unwrap(),
        expected
    );
    assert_eq!(
        store.session_app_ids(&TokenHash::of("s2")).await.unwrap(),
        vec![w.apps[1].id.clone()]
    );
    store
        .revoke_access_token(&TokenHash::of("c"), T0)
        .await
        .unwrap();
    let code = AuthorizationCode {
        hash: TokenHash::of("code"),
        app_id: w.apps[0].id.clone(),
        user_id: w.user.id.clone(),
        redirect_uri: "https://app.example.com/cb".into(),
        scopes: ScopeSet::parse("api").unwrap(),
        code_challenge: None,
        nonce: None,
        session_hash: Some(TokenHash::of("s1")),
        auth_time: T0,
        created_at: T0,
        expires_at: T0.plus_secs(60),
    };
    store.insert_code(&code).await.unwrap();
    let at = T0.plus_secs(10);
    assert_eq!(
        store
            .revoke_session_tokens(&TokenHash::of("s1"), at)
            .await
            .unwrap(),
        2,
        "a and b; c was revoked already"
    );
    for (raw, revoked) in [
        ("a", Some(at)),
        ("b", Some(at)),
        ("c", Some(T0)),
        ("d", None),
        ("e", None),
    ] {
        let found = store
            .find_access_token(&TokenHash::of(raw))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.revoked_at, revoked, "{raw}");
    }
    assert!(
        matches!(
            store.take_code(&TokenHash::of("code"), at).await.unwrap(),
            CodeTaken::AlreadyUsed(_)
        ),
        "unredeemed codes die with the session"
    );
    assert_eq!(
        store
            .revoke_session_tokens(&TokenHash::of("s1"), at)
            .await
            .unwrap(),
        0,
        "idempotent"
    );
}

fn event(w: &World, id: &str, at: UnixMillis) -> AssetTokenEvent {
    AssetTokenEvent {
        id: id.into(),
        org_id: w.org.id.clone(),
        app_id: w.apps[0].id.clone(),
        user_id: w.user.id.clone(),
        device_id: Some("device-1".into()),
        name: Some("Pump".into()),
        asset_name: Some("Pump 7".into()),
        asset_serial_number: None,
        expires_at: at.plus_secs(300),
        created_at: at,
    }
}

async fn asset_token_events_are_listed_newest_first(store: &dyn Store) {
    let w = world(store).await;
    for (i, id) in ["e1", "e2", "e3"].iter().enumerate() {
        store
            .insert_asset_token_event(&event(&w, id, T0.plus_secs(i as i64)))
            .await
            .unwrap();
    }
    let listed = store.list_asset_token_events(&w.org.id, 2).await.unwrap();
    assert_eq!(
        listed,
        vec![
            event(&w, "e3", T0.plus_secs(2)),
            event(&w, "e2", T0.plus_secs(1))
        ]
    );
    assert!(
        store
            .insert_asset_token_event(&event(&w, "e1", T0))
            .await
            .is_err(),
        "a jti is recorded once"
    );
    let other = Org {
        id: SfId::generate(KeyPrefix::Org),
        name: "Other".into(),
        edition: Edition::Developer,
        created_at: T0,
    };
    store.insert_org(&other).await.unwrap();
    assert!(
        store
            .list_asset_token_events(&other.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// One test per behaviour and backend: `sqlite::<name>` and `postgres::<name>`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::harness::TestDb::sqlite().await;
                    super::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = crate::harness::TestDb::postgres().await else { return };
                    super::$name(db.store()).await;
                    db.finish().await;
                }
            )*
        }
    };
}

conformance! {
    sessions_are_listed_live_and_newest_first,
    a_session_knows_its_apps_and_logout_revokes_only_its_tokens,
    asset_token_events_are_listed_newest_first,
}
