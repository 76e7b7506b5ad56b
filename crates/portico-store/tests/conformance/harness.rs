//! Test databases: a new SQLite file in a temporary folder, or a new schema in the PostgreSQL
//! database named by `PORTICO_TEST_POSTGRES_URL`.
//!
//! PostgreSQL isolation: each test creates `portico_test_<random>` over a plain connection, then
//! connects the store with `options[search_path]=<schema>` (a libpq startup option sqlx passes
//! through), so the migrations and every query land in that schema. `finish` closes the pool and
//! drops the schema; when a test panics, `Drop` drops it on a helper thread instead.

use portico_core::store::Store;
use portico_store::SqlStore;
use sqlx::Connection as _;

const POSTGRES_URL_VAR: &str = "PORTICO_TEST_POSTGRES_URL";

pub(crate) struct TestDb {
    store: SqlStore,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<PgSchema>,
}

struct PgSchema {
    url: String,
    name: String,
    dropped: bool,
}

impl TestDb {
    pub(crate) async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite:{}", dir.path().join("portico.db").display());
        let store = SqlStore::connect(&url).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        store.ping().await.expect("ping SQLite");
        assert_eq!(store.backend_name(), "sqlite");
        Self {
            store,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// `None` (after saying so on stderr) when no PostgreSQL is configured.
    pub(crate) async fn postgres() -> Option<Self> {
        let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
            eprintln!("PostgreSQL conformance skipped: {POSTGRES_URL_VAR} is not set");
            return None;
        };
        let name = format!("portico_test_{}", random_suffix());
        let mut admin = sqlx::PgConnection::connect(&url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut admin)
            .await
            .expect("create schema");
        admin.close().await.expect("close admin connection");
        let separator = if url.contains('?') { '&' } else { '?' };
        let store = SqlStore::connect(&format!("{url}{separator}options[search_path]={name}"))
            .await
            .expect("connect the store");
        let db = Self {
            store,
            _dir: None,
            postgres: Some(PgSchema {
                url,
                name,
                dropped: false,
            }),
        };
        db.store.migrate().await.expect("migrate PostgreSQL");
        db.store.ping().await.expect("ping PostgreSQL");
        assert_eq!(db.store.backend_name(), "postgres");
        Some(db)
    }

    pub(crate) fn store(&self) -> &dyn Store {
        &self.store
    }

    pub(crate) async fn finish(mut self) {
        self.store.close().await;
        if let Some(schema) = &mut self.postgres {
            drop_schema(&schema.url, &schema.name).await;
            schema.dropped = true;
        }
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A panicking test cannot await; drop the schema from a thread with its own runtime.
        let (url, name) = (self.url.clone(), self.name.clone());
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(drop_schema(&url, &name));
        });
        let _ = cleanup.join();
    }
}

async fn drop_schema(url: &str, name: &str) {
    let Ok(mut admin) = sqlx::PgConnection::connect(url).await else {
        eprintln!("could not connect to drop schema {name}");
        return;
    };
    // A panicking test may leave a transaction holding locks; give up rather than hang.
    let _ = sqlx::query("SET lock_timeout = '5s'")
        .execute(&mut admin)
        .await;
    if let Err(e) = sqlx::query(&format!("DROP SCHEMA {name} CASCADE"))
        .execute(&mut admin)
        .await
    {
        eprintln!("could not drop schema {name}: {e}");
    }
    let _ = admin.close().await;
}

fn random_suffix() -> String {
    portico_core::secret::random_bytes::<8>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
