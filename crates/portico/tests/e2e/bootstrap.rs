//! Bootstrap: what a first start creates, that it prints a generated password exactly once, that
//! restarts change nothing, and that nodes racing on one empty database create one of each.

use portico_core::bootstrap::{self, BootstrapSettings};
use portico_core::clock::SystemClock;
use portico_core::org::{Edition, Permission};
use portico_core::store::{AppStore, BundleKind, OrgStore, PermissionStore, UserStore};
use portico_store::SqlStore;
use serde_json::Value;

use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Database, Server};

const PASSWORD_LINE: &str = "generated password for ";

async fn open(database: &Database) -> SqlStore {
    let store = SqlStore::connect(database.url()).await.unwrap();
    store.migrate().await.unwrap();
    store
}

async fn jwks(server: &Server) -> Value {
    harness::client()
        .get(server.url("/id/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_first_start_creates_the_org_admin_profiles_and_cli_app() {
    let mut server = Server::builder()
        .env("PORTICO_ORG_EDITION", "enterprise")
        .start();
    assert!(
        !server.stdout().iter().any(|l| l.starts_with(PASSWORD_LINE)),
        "a configured password is not printed"
    );
    server.stop();

    let store = open(server.database()).await;
    let org = store.find_org().await.unwrap().expect("an org");
    assert_eq!(org.name, "Portico");
    assert_eq!(org.edition, Edition::Enterprise);
    let admin = store
        .find_user_by_username(ADMIN_USERNAME)
        .await
        .unwrap()
        .expect("the admin");
    assert!(admin.is_active);
    assert!(portico_core::secret::verify_password(
        ADMIN_PASSWORD,
        admin.password_hash.as_deref().unwrap()
    ));
    let profile = store
        .find_bundle(BundleKind::Profile, &admin.profile_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.label, "System Administrator");
    assert!(
        Permission::ALL
            .iter()
            .all(|p| profile.permissions.contains(p)),
        "every permission"
    );
    let profiles = store
        .list_bundles(BundleKind::Profile, &org.id)
        .await
        .unwrap();
    assert_eq!(profiles.len(), portico_core::org::standard_profiles().len());

    let app = store
        .find_app_by_consumer_key("PorticoCLI")
        .await
        .unwrap()
        .expect("the CLI app");
    assert_eq!(app.full_name(), "PorticoCLI");
    assert!(!app.has_secret());
    assert_eq!(app.settings.contact_email, ADMIN_USERNAME);
    let oauth = app.oauth().unwrap();
    assert!(oauth.is_pkce_required && oauth.is_device_flow_enabled);
    assert_eq!(oauth.callback_url, ["http://localhost:1717/OauthRedirect"]);
    assert_eq!(
        oauth.scopes.to_wire().split(' ').count(),
        4,
        "{}",
        oauth.scopes.to_wire()
    );
    store.close().await;
}

#[tokio::test]
async fn a_generated_password_is_printed_once_and_never_logged() {
    let mut server = Server::builder()
        .env_remove("PORTICO_ADMIN_USERNAME")
        .env_remove("PORTICO_ADMIN_PASSWORD")
        .start();
    let lines = server.stdout();
    let printed: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with(PASSWORD_LINE))
        .collect();
    assert_eq!(printed.len(), 1, "{lines:?}");
    let password = printed[0]
        .strip_prefix("generated password for admin@portico.local: ")
        .expect("default username");
    assert!(password.len() >= 16, "{password}");
    assert!(
        !server.stderr().contains(password),
        "the password reached the logs"
    );

    server.restart();
    assert!(
        !server.stdout().iter().any(|l| l.starts_with(PASSWORD_LINE)),
        "{:?}",
        server.stdout()
    );
    server.stop();

    let store = open(server.database()).await;
    let admin = store
        .find_user_by_username("admin@portico.local")
        .await
        .unwrap()
        .unwrap();
    assert!(portico_core::secret::verify_password(
        password,
        admin.password_hash.as_deref().unwrap()
    ));
    store.close().await;
}

#[tokio::test]
async fn a_restart_keeps_the_keys_and_changes_nothing() {
    let mut server = Server::start();
    let before = jwks(&server).await;
    server.restart();
    assert_eq!(jwks(&server).await, before);
    server.stop();
    let store = open(server.database()).await;
    let org = store.find_org().await.unwrap().unwrap();
    assert_eq!(store.list_users(&org.id).await.unwrap().len(), 1);
    assert_eq!(store.list_apps(&org.id).await.unwrap().len(), 1);
    store.close().await;
}

#[tokio::test]
async fn two_nodes_bootstrapping_at_once_create_one_of_each() {
    let database = Database::fresh();
    let store = open(&database).await;
    let settings = BootstrapSettings {
        admin_password: None,
        ..BootstrapSettings::default()
    };
    let runs = (0..4).map(|_| {
        let (store, settings) = (store.clone(), settings.clone());
        tokio::spawn(async move { bootstrap::bootstrap(&store, &SystemClock, &settings).await })
    });
    let mut generated = 0;
    for run in runs.collect::<Vec<_>>() {
        let outcome = run.await.unwrap().unwrap();
        generated += usize::from(outcome.generated_password.is_some());
    }
    assert_eq!(
        generated, 1,
        "exactly one node created the admin and shows a password"
    );

    let org = store.find_org().await.unwrap().unwrap();
    assert_eq!(store.list_users(&org.id).await.unwrap().len(), 1);
    assert_eq!(
        store
            .list_bundles(BundleKind::Profile, &org.id)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(store.list_apps(&org.id).await.unwrap().len(), 1);

    let again = bootstrap::bootstrap(&store, &SystemClock, &settings)
        .await
        .unwrap();
    assert!(!again.ran && again.generated_password.is_none());
    store.close().await;
}
