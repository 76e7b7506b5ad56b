//! Portico's storage: one [`SqlStore`] implementing every `portico_core::store` trait over SQLite
//! or PostgreSQL (DESIGN §4).
//!
//! Each statement is written once, with `$N` placeholders and portable types, and run on
//! whichever pool is configured through `on_pool!`; the schema lives in `migrations/sqlite` and
//! `migrations/postgres` under the same file names. Modules are split by aggregate: `orgs`,
//! `users`, `permissions`, `apps`, `certificates`, `audit`, `sessions`, `codes`, `tokens`,
//! `keys`, `device`, `jti`, `asset_events`, `logout`, `registrations`; `error` turns driver errors into `StoreError` and `rows` decodes stored columns.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// Runs the same sqlx expression on whichever pool is configured. The body is compiled once per
/// backend, so both are type-checked; it must evaluate to the same type in both arms (map
/// backend-specific results such as `QueryResult` inside the body). The crate's only macro;
/// never nest it.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}

mod apps;
mod asset_events;
mod audit;
mod certificates;
mod codes;
mod device;
mod error;
mod jti;
mod keys;
mod logout;
mod orgs;
mod permissions;
mod registrations;
mod rows;
mod sessions;
mod tokens;
mod users;

/// SQLite serialises writers, so a few connections suffice; more only wait on the write lock.
const SQLITE_MAX_CONNECTIONS: u32 = 8;
/// How long a SQLite writer waits for the lock before failing with `SQLITE_BUSY`.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The connection pool of the configured backend.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The SQL implementation of `portico_core::store::Store`. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: Pool,
}

impl SqlStore {
    /// Connects to `url`: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite:…` or a
    /// plain file path for SQLite. A SQLite file and its folder are created when missing.
    ///
    /// PostgreSQL URLs accept sqlx's parameters, e.g. `?options[search_path]=myschema` to keep
    /// Portico's tables in their own schema.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pool::Postgres(connect_postgres(url).await?)
        } else {
            Pool::Sqlite(connect_sqlite(url).await?)
        };
        Ok(Self { pool })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .with_context(|| format!("migrating the {} database", self.backend_name()))
    }

    /// Readiness: one round trip to the database.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let pinged = on_pool!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
        });
        pinged.with_context(|| format!("pinging the {} database", self.backend_name()))
    }

    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Closes the pool, waiting for connections in use to be returned (graceful shutdown).
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }
}

async fn connect_sqlite(url: &str) -> anyhow::Result<SqlitePool> {
    let options = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url).with_context(|| format!("bad SQLite URL `{url}`"))?
    } else {
        SqliteConnectOptions::new().filename(url)
    };
    let options = options
        .create_if_missing(true)
        // WAL lets readers proceed while one connection writes; NORMAL is durable in WAL mode
        // except for the last transactions on power loss, which is SQLite's recommended trade.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    create_parent_folder(options.get_filename())?;
    SqlitePoolOptions::new()
        .max_connections(SQLITE_MAX_CONNECTIONS)
        .connect_with(options)
        .await
        .with_context(|| format!("opening SQLite database `{url}`"))
}

/// SQLite creates a missing file but not a missing folder.
fn create_parent_folder(file: &Path) -> anyhow::Result<()> {
    // In-memory databases have a `file:` pseudo-name and no folder.
    if file.as_os_str().is_empty()
        || file.to_string_lossy().starts_with("file:")
        || file == Path::new(":memory:")
    {
        return Ok(());
    }
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the database folder `{}`", parent.display())),
        _ => Ok(()),
    }
}

async fn connect_postgres(url: &str) -> anyhow::Result<PgPool> {
    // Never echo the URL: it may carry a password.
    let options = PgConnectOptions::from_str(url).context("bad PostgreSQL URL")?;
    let target = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    );
    // A request spends most of its time waiting on the network round trip, not on the CPU, so
    // the pool is sized for waiting (several connections per core, at least 16): with one
    // connection per core, requests queue on the pool while the CPU idles (bench/, issue 9).
    let cores = std::thread::available_parallelism().map_or(4, std::num::NonZeroUsize::get);
    let max = u32::try_from(cores * 8).unwrap_or(u32::MAX).max(16);
    PgPoolOptions::new()
        .max_connections(max)
        .connect_with(options)
        .await
        .with_context(|| format!("connecting to PostgreSQL at {target}"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn migration_files(backend: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn both_backends_have_the_same_migration_files() {
        let sqlite = migration_files("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, migration_files("postgres"));
    }

    #[test]
    fn embedded_migrations_have_the_same_versions() {
        let versions = |m: sqlx::migrate::Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            versions(sqlx::migrate!("./migrations/sqlite")),
            versions(sqlx::migrate!("./migrations/postgres"))
        );
    }

    #[test]
    fn parent_folders_are_skipped_for_in_memory_databases() {
        create_parent_folder(Path::new("file:sqlx-in-memory-0")).unwrap();
        create_parent_folder(Path::new(":memory:")).unwrap();
        create_parent_folder(Path::new("portico.db")).unwrap();
    }

    #[tokio::test]
    async fn connect_creates_the_sqlite_file_and_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/portico.db");
        let store = SqlStore::connect(path.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        store.ping().await.unwrap();
        assert_eq!(store.backend_name(), "sqlite");
        assert!(path.exists());
        store.close().await;
        for url in [
            format!("sqlite:{}", dir.path().join("a/p.db").display()),
            format!("sqlite://{}", dir.path().join("b/p.db").display()),
        ] {
            let store = SqlStore::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            store.migrate().await.unwrap();
            store.close().await;
        }
        assert!(dir.path().join("a/p.db").exists());
        assert!(dir.path().join("b/p.db").exists());
    }

    #[tokio::test]
    async fn sqlite_data_survives_reconnecting() {
        use portico_core::store::KeyStore as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let store = SqlStore::connect(path.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        store.init_setting("k", "v").await.unwrap();
        store.close().await;
        let store = SqlStore::connect(path.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(store.get_setting("k").await.unwrap().as_deref(), Some("v"));
    }

    #[tokio::test]
    async fn sqlite_pragmas_are_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::connect(dir.path().join("p.db").to_str().unwrap())
            .await
            .unwrap();
        let Pool::Sqlite(pool) = &store.pool else {
            panic!("expected SQLite")
        };
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
        let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(busy, 5000);
    }
}
