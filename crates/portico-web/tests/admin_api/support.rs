//! A Portico router over a fresh SQLite database in a temporary folder, bootstrapped like a
//! first start, driven without sockets (`tower::ServiceExt::oneshot`). Callers get bearer tokens
//! inserted straight into the store, for users holding exactly the permissions a test names.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use portico_core::bootstrap::{BootstrapSettings, CLI_APP_NAME, bootstrap};
use portico_core::clock::{Clock, FixedClock, UnixMillis};
use portico_core::connected_app::ConnectedApp;
use portico_core::grant::TokenSettings;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::keys::{KeyRing, SigningKey};
use portico_core::org::{Edition, Org, Permission, PermissionBundle, User};
use portico_core::scope::ScopeSet;
use portico_core::secret::{DataKey, TokenHash, random_token};
use portico_core::store::{BundleKind, Store};
use portico_core::token::AccessTokenRecord;
use portico_store::SqlStore;
use portico_web::{AppState, WebSettings, router};
use serde_json::Value;
use tower::ServiceExt;

/// 2030-01-01T00:00:00Z.
pub(crate) const T0: UnixMillis = UnixMillis::from_secs(1_893_456_000);
pub(crate) const ADMIN: &str = "admin@acme.test";

pub(crate) struct Harness {
    pub(crate) router: Router,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) org: Org,
    /// A token of the bootstrap System Administrator (every permission).
    pub(crate) admin: String,
    _dir: tempfile::TempDir,
}

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The `fields` of every error in a Salesforce error array.
    pub(crate) fn error_fields(&self) -> Vec<String> {
        let errors = self.json();
        errors
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|e| e["fields"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect()
    }
    pub(crate) fn error_code(&self) -> String {
        self.json()[0]["errorCode"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Harness {
    pub(crate) async fn new() -> Self {
        Self::with_edition(Edition::Developer).await
    }

    pub(crate) async fn with_edition(edition: Edition) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let sql = SqlStore::connect(&format!("sqlite:{}", dir.path().join("p.db").display()))
            .await
            .unwrap();
        sql.migrate().await.unwrap();
        let store: Arc<dyn Store> = Arc::new(sql);
        let clock = Arc::new(FixedClock::new(T0));
        let settings = BootstrapSettings {
            edition,
            admin_username: ADMIN.to_owned(),
            admin_password: Some("Passw0rd!long".to_owned()),
        };
        bootstrap(store.as_ref(), clock.as_ref(), &settings)
            .await
            .unwrap();
        let org = store.find_org().await.unwrap().unwrap();
        let keys = KeyRing::new(vec![SigningKey::generate("1".to_owned(), T0).unwrap()]).unwrap();
        let state = AppState {
            store: store.clone(),
            clock: clock.clone() as Arc<dyn Clock>,
            keys: Arc::new(keys),
            data_key: Arc::new(DataKey::from_bytes(&[7u8; 32]).unwrap()),
            tokens: Arc::new(TokenSettings::new(
                "https://portico.test".to_owned(),
                "https://portico.test".to_owned(),
            )),
            web: Arc::new(WebSettings {
                secure_cookies: false,
                session_secs: 3600,
                // Tests send many requests from one "IP"; limiting is not what they check.
                rate_limit_per_minute: 1_000_000,
            }),
        };
        let admin_user = store.find_user_by_username(ADMIN).await.unwrap().unwrap();
        let mut h = Self {
            router: router(state),
            store,
            clock,
            org,
            admin: String::new(),
            _dir: dir,
        };
        h.admin = h.token_for(&admin_user).await;
        h
    }

    /// A new active user whose profile holds exactly `perms`, and a token of theirs.
    pub(crate) async fn user_with(&self, perms: &[Permission]) -> String {
        self.user_named(
            &format!(
                "u{}@acme.test",
                random_token()[..10].to_lowercase().replace(['-', '_'], "x")
            ),
            perms,
        )
        .await
        .1
    }

    pub(crate) async fn user_named(&self, username: &str, perms: &[Permission]) -> (User, String) {
        let profile = PermissionBundle {
            id: SfId::generate(KeyPrefix::Profile),
            org_id: self.org.id.clone(),
            name: format!("P_{}", random_token()[..12].replace(['-', '_'], "x")),
            label: "Test profile".to_owned(),
            permissions: perms.iter().copied().collect(),
            custom_permissions: Vec::new(),
        };
        self.store
            .insert_bundle(BundleKind::Profile, &profile)
            .await
            .unwrap();
        let user = User {
            id: SfId::generate(KeyPrefix::User),
            org_id: self.org.id.clone(),
            username: username.to_owned(),
            email: username.to_owned(),
            first_name: "Test".to_owned(),
            last_name: "User".to_owned(),
            profile_id: profile.id.clone(),
            is_active: true,
            locale: "en_US".to_owned(),
            time_zone: "GMT".to_owned(),
            password_hash: None,
            failed_logins: 0,
            locked_until: None,
            created_at: T0,
            updated_at: T0,
        };
        self.store.insert_user(&user).await.unwrap();
        let token = self.token_for(&user).await;
        (user, token)
    }

    async fn token_for(&self, user: &User) -> String {
        let cli = self
            .store
            .find_app_by_consumer_key(CLI_APP_NAME)
            .await
            .unwrap()
            .unwrap();
        let raw = format!("{}!{}", self.org.id.id15(), random_token());
        let record = AccessTokenRecord {
            hash: TokenHash::of(&raw),
            org_id: self.org.id.clone(),
            app_id: cli.id,
            user_id: user.id.clone(),
            scopes: ScopeSet::parse("api").unwrap(),
            approval_id: None,
            code_hash: None,
            session_hash: None,
            issued_at: T0,
            expires_at: T0.plus_secs(365 * 86_400),
            revoked_at: None,
        };
        self.store.insert_access_token(&record).await.unwrap();
        raw
    }

    pub(crate) async fn request(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if !token.is_empty() {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if !content_type.is_empty() {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        match body {
            Some(b) => {
                self.request(
                    method,
                    path,
                    token,
                    "application/json",
                    serde_json::to_vec(&b).unwrap(),
                )
                .await
            }
            None => self.request(method, path, token, "", Vec::new()).await,
        }
    }

    /// An app as stored.
    pub(crate) async fn store_app(&self, full_name: &str) -> ConnectedApp {
        self.store
            .find_app_by_name(&self.org.id, full_name)
            .await
            .unwrap()
            .unwrap()
    }

    pub(crate) async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, token, None).await
    }
}

/// A valid app body with OAuth enabled.
pub(crate) fn app_json(name: &str) -> Value {
    serde_json::json!({
        "fullName": name,
        "label": format!("{name} label"),
        "contactEmail": "dev@acme.test",
        "oauthConfig": {"callbackUrl": "https://app.acme.test/cb", "scopes": ["Api", "RefreshToken"]},
    })
}

/// A packaged app's metadata file.
pub(crate) fn app_xml(label: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>isv@vendor.test</contactEmail>
    <label>{label}</label>
    <oauthConfig>
        <callbackUrl>https://vendor.test/callback</callbackUrl>
        <scopes>Api</scopes>
    </oauthConfig>
</ConnectedApp>
"#
    )
}
