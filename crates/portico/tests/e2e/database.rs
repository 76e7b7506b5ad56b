//! A throw-away database per test server: a SQLite file in a temporary folder, or a fresh
//! PostgreSQL database when `PORTICO_TEST_POSTGRES_URL` is set (created through that URL and
//! dropped, with any connection left, when the last holder lets go).

use std::hash::{BuildHasher as _, RandomState};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection as _;

/// The variable naming a PostgreSQL server to test against.
pub(crate) const POSTGRES_URL_VAR: &str = "PORTICO_TEST_POSTGRES_URL";

#[derive(Debug)]
pub(crate) struct Database {
    /// The server's working folder; holds the SQLite file.
    dir: tempfile::TempDir,
    url: String,
    postgres: Option<PgDatabase>,
}

impl Database {
    /// A new empty database (not yet migrated).
    pub(crate) fn fresh() -> Arc<Self> {
        let dir = tempfile::tempdir().expect("creating a temporary folder");
        let (url, postgres) = match std::env::var(POSTGRES_URL_VAR) {
            Ok(admin_url) if !admin_url.is_empty() => {
                let db = PgDatabase::create(&admin_url);
                (db.url.clone(), Some(db))
            }
            _ => (
                dir.path().join("portico.db").to_string_lossy().into_owned(),
                None,
            ),
        };
        Arc::new(Self { dir, url, postgres })
    }

    /// The `--database-url` to pass.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// A folder that lives as long as the database; servers run with it as working directory.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

#[derive(Debug)]
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let random =
            RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed)) % 1_000_000_000;
        let name = format!("portico_e2e_{}_{random}", std::process::id());
        let mut url = url::Url::parse(admin_url).expect("PORTICO_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        let db = Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.into(),
        };
        if let Err(e) = db.execute(&format!("CREATE DATABASE \"{}\"", db.name)) {
            panic!("creating a database through {POSTGRES_URL_VAR}: {e}");
        }
        db
    }

    /// Runs one statement on the admin URL from a thread of its own, so that it works from
    /// synchronous and asynchronous tests alike.
    fn execute(&self, sql: &str) -> Result<(), String> {
        let (url, sql) = (self.admin_url.clone(), sql.to_owned());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&url).await?;
                sqlx::raw_sql(&sql).execute(&mut conn).await?;
                conn.close().await
            })
        })
        .join()
        .map_err(|_| "the PostgreSQL thread panicked".to_owned())?
        .map_err(|e| e.to_string())
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // FORCE ends connections a killed server may have left behind.
        // Never panic here: this may run while a failed test unwinds.
        if let Err(e) = self.execute(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )) {
            eprintln!("dropping test database {}: {e}", self.name);
        }
    }
}
