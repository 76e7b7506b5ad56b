//! Storage conformance for issue 3's records (org certificates, the setup audit trail): each
//! behaviour runs on a new SQLite file always and on PostgreSQL when
//! `PORTICO_TEST_POSTGRES_URL` is set (in a schema of its own), as `conformance.rs` does.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failing step panics with its cause"
)]

use portico_core::StoreError;
use portico_core::clock::UnixMillis;
use portico_core::connected_app::audit::{AuditEntry, FieldChange};
use portico_core::connected_app::directory::find_certificate;
use portico_core::connected_app::org_certificate::OrgCertificate;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::org::{Edition, Org};
use portico_core::secret::DataKey;
use portico_core::store::Store;
use portico_store::SqlStore;
use sqlx::Connection as _;

const T0: UnixMillis = UnixMillis(1_700_000_000_000);

async fn org(store: &dyn Store, name: &str) -> Org {
    let org = Org {
        id: SfId::generate(KeyPrefix::Org),
        name: name.into(),
        edition: Edition::Developer,
        created_at: T0,
    };
    store.insert_org(&org).await.unwrap();
    org
}

fn key() -> DataKey {
    DataKey::from_bytes(&[9u8; 32]).unwrap()
}

async fn certificates_round_trip_and_resolve_by_id_or_name(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let other = org(store, "Other").await;
    let cert = OrgCertificate::generate(acme.id.clone(), "Asset_Signer", T0, &key()).unwrap();
    store.insert_certificate(&cert).await.unwrap();
    assert_eq!(
        store.find_certificate(&cert.id).await.unwrap(),
        Some(cert.clone())
    );
    assert_eq!(
        store
            .find_certificate_by_name(&acme.id, "Asset_Signer")
            .await
            .unwrap(),
        Some(cert.clone())
    );
    assert_eq!(
        store
            .find_certificate_by_name(&other.id, "Asset_Signer")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_certificate(&SfId::generate(KeyPrefix::Certificate))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        find_certificate(store, &acme.id, cert.id.as_str())
            .await
            .unwrap(),
        Some(cert.clone())
    );
    assert_eq!(
        find_certificate(store, &acme.id, cert.id.id15())
            .await
            .unwrap(),
        Some(cert.clone())
    );
    assert_eq!(
        find_certificate(store, &acme.id, "Asset_Signer")
            .await
            .unwrap(),
        Some(cert.clone())
    );
    assert_eq!(
        find_certificate(store, &other.id, cert.id.as_str())
            .await
            .unwrap(),
        None,
        "another org's id"
    );
    assert!(key().open(&cert.private_key_sealed).is_some());
}

async fn certificate_names_are_unique_per_org(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let other = org(store, "Other").await;
    let first = OrgCertificate::generate(acme.id.clone(), "Signer", T0, &key()).unwrap();
    store.insert_certificate(&first).await.unwrap();
    let again = OrgCertificate::generate(acme.id.clone(), "Signer", T0, &key()).unwrap();
    match store.insert_certificate(&again).await {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "name"),
        other => panic!("expected a name conflict, got {other:?}"),
    }
    let elsewhere = OrgCertificate::generate(other.id.clone(), "Signer", T0, &key()).unwrap();
    store.insert_certificate(&elsewhere).await.unwrap();
    let b = OrgCertificate::generate(acme.id.clone(), "B_Signer", T0, &key()).unwrap();
    store.insert_certificate(&b).await.unwrap();
    let names: Vec<_> = store
        .list_certificates(&acme.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["B_Signer", "Signer"]);
}

async fn audit_entries_are_listed_newest_first_per_org(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let other = org(store, "Other").await;
    let who = (
        SfId::generate(KeyPrefix::User),
        "admin@acme.test".to_owned(),
    );
    let entry = |org: &Org, at: i64, action: &str| {
        AuditEntry::new(
            org.id.clone(),
            who.clone(),
            UnixMillis(at),
            action,
            "Connected Apps",
            "My_App",
            format!("did {action}"),
        )
        .with_changes(vec![FieldChange {
            field: "label".into(),
            old_value: None,
            new_value: Some("My App".into()),
        }])
    };
    let first = entry(&acme, 1000, "connectedAppCreated");
    let second = entry(&acme, 2000, "connectedAppChanged");
    store.insert_audit_entry(&first).await.unwrap();
    store.insert_audit_entry(&second).await.unwrap();
    store
        .insert_audit_entry(&entry(&other, 3000, "connectedAppDeleted"))
        .await
        .unwrap();
    let listed = store.list_audit_entries(&acme.id, 10).await.unwrap();
    assert_eq!(listed, vec![second.clone(), first]);
    assert_eq!(
        store.list_audit_entries(&acme.id, 1).await.unwrap(),
        vec![second]
    );
    assert!(
        store
            .list_audit_entries(&SfId::generate(KeyPrefix::Org), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A test database: a SQLite file in a temporary folder or a schema in PostgreSQL.
struct TestDb {
    store: SqlStore,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl TestDb {
    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::connect(&format!("sqlite:{}", dir.path().join("p.db").display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        Self {
            store,
            _dir: Some(dir),
            schema: None,
        }
    }

    async fn postgres() -> Option<Self> {
        let Ok(url) = std::env::var("PORTICO_TEST_POSTGRES_URL") else {
            eprintln!("PostgreSQL conformance skipped: PORTICO_TEST_POSTGRES_URL is not set");
            return None;
        };
        let name = format!(
            "portico_test_{}",
            hex(&portico_core::secret::random_bytes::<8>())
        );
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let store = SqlStore::connect(&format!("{url}{sep}options[search_path]={name}"))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        Some(Self {
            store,
            _dir: None,
            schema: Some((url, name)),
        })
    }

    async fn finish(self) {
        self.store.close().await;
        if let Some((url, name)) = self.schema {
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA {name} CASCADE"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = super::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = super::TestDb::postgres().await else { return };
                    super::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}

conformance! {
    certificates_round_trip_and_resolve_by_id_or_name,
    certificate_names_are_unique_per_org,
    audit_entries_are_listed_newest_first_per_org,
}
