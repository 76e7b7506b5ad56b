//! `portico serve`: bind, open and migrate the store, bootstrap an empty database, load the keys,
//! then serve until SIGINT or SIGTERM, letting in-flight requests finish. Also `migrate` and
//! `keys rotate`, which share the store opening.

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use portico_core::bootstrap;
use portico_core::clock::{Clock, SystemClock};
use portico_core::grant::TokenSettings;
use portico_core::secret::{self, DataKey};
use portico_core::store::{KeyStore, Store};
use portico_store::SqlStore;
use portico_web::{AppState, WebSettings};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::{CommonConfig, DatabaseUrl, ServeConfig};
use crate::signing_keys;

/// How long requests may still run after a shutdown signal before the process exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// The setting holding the generated data key when none is configured.
const DATA_KEY_SETTING: &str = "data_key";

/// Connects and applies pending migrations.
async fn open_store(database: &DatabaseUrl) -> anyhow::Result<SqlStore> {
    let store = SqlStore::connect(database.as_str()).await?;
    store.migrate().await?;
    tracing::debug!(database = ?database, backend = store.backend_name(), "store ready");
    Ok(store)
}

/// `portico migrate`.
pub(crate) async fn migrate(config: CommonConfig) -> anyhow::Result<()> {
    let store = open_store(&config.database).await?;
    store.close().await;
    tracing::info!(database = ?config.database, "migrations applied");
    Ok(())
}

/// `portico keys rotate`.
pub(crate) async fn rotate_keys(config: CommonConfig) -> anyhow::Result<()> {
    let store = open_store(&config.database).await?;
    let kid = signing_keys::rotate(&store, &SystemClock).await?;
    store.close().await;
    println!(
        "added signing key {kid}; running servers publish it within {}s and sign with it after {}s; older keys stay published",
        portico_core::keys::RELOAD_INTERVAL_SECS,
        portico_core::keys::PUBLISH_BEFORE_SIGNING_SECS
    );
    Ok(())
}

/// `portico serve`.
pub(crate) async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let started = Instant::now();
    // Bind first: a taken port fails before the database is touched.
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    let base_url = format!("http://{bound}");

    let store = open_store(&config.common.database).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let outcome = bootstrap::bootstrap(&store, clock.as_ref(), &config.bootstrap)
        .await
        .context("bootstrapping")?;
    if outcome.ran {
        tracing::info!(admin = %config.bootstrap.admin_username, "bootstrapped an empty database");
    }
    let data_key = data_key(&store, config.data_key).await?;
    let keys = signing_keys::load_or_generate(&store, clock.as_ref()).await?;

    let issuer = config.issuer.unwrap_or_else(|| base_url.clone());
    if config.listen.ip().is_unspecified() && issuer == base_url {
        tracing::warn!(
            issuer,
            "listening on all interfaces without --issuer: set it to the public URL"
        );
    }
    let mut tokens = TokenSettings::new(
        issuer.clone(),
        config.instance_url.unwrap_or_else(|| issuer.clone()),
    );
    tokens.allow_password_flow = config.allow_password_flow;
    tokens.login = config.login;
    tokens.access_token_secs = config.access_token_secs;
    tokens.jwt_audiences = config.jwt_audiences.clone();
    let web = WebSettings {
        secure_cookies: issuer.starts_with("https://"),
        session_secs: config.session_secs,
        rate_limit_per_minute: config.rate_limit_per_minute,
    };
    let state = AppState {
        store: Arc::new(store.clone()) as Arc<dyn Store>,
        clock,
        keys: Arc::new(keys),
        data_key: Arc::new(data_key),
        tokens: Arc::new(tokens),
        web: Arc::new(web),
    };

    // Other nodes (or `portico keys rotate`) may add a signing key: publish it soon.
    let reload_store = store.clone();
    let ring = state.keys.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(
            portico_core::keys::RELOAD_INTERVAL_SECS,
        ));
        loop {
            every.tick().await;
            match reload_store.list_signing_keys().await {
                Ok(keys) => {
                    if ring.reload(keys) {
                        tracing::info!("signing keys reloaded");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not reload signing keys"),
            }
        }
    });

    // Handlers must be in place before anyone learns the address, or an early SIGTERM would
    // kill the process instead of stopping it.
    let (stop_tx, stop_rx) = watch::channel(false);
    let signals = Signals::install()?;
    tokio::spawn(async move {
        signals.recv().await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_tx.send(true);
    });

    // The generated password goes to stdout once and never into the logs.
    let mut out = std::io::stdout().lock();
    if let Some((username, password)) = &outcome.generated_password {
        writeln!(
            out,
            "generated password for {username}: {}",
            password.reveal()
        )?;
    }
    writeln!(out, "listening on {base_url}")?;
    out.flush()?;
    drop(out);
    tracing::info!(%issuer, jwt_audiences = ?config.jwt_audiences, ready_ms = started.elapsed().as_millis(), "ready");

    let graceful = portico_web::serve(listener, state, stopped(stop_rx.clone()));
    tokio::select! {
        served = graceful => served.context("serving HTTP")?,
        () = async { stopped(stop_rx).await; tokio::time::sleep(SHUTDOWN_GRACE).await } => {
            tracing::warn!(grace_secs = SHUTDOWN_GRACE.as_secs(), "requests still running after the grace period; exiting");
        }
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves once a shutdown signal has arrived.
async fn stopped(mut rx: watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it sent.
    let _ = rx.wait_for(|stop| *stop).await;
}

/// The configured data key, or the one kept in the database (created by the first node to
/// start) so that every node seals and opens secrets with the same key.
async fn data_key(store: &dyn KeyStore, configured: Option<DataKey>) -> anyhow::Result<DataKey> {
    if let Some(key) = configured {
        return Ok(key);
    }
    let fresh = base64::engine::general_purpose::STANDARD.encode(secret::random_bytes::<32>());
    let stored = store
        .init_setting(DATA_KEY_SETTING, &fresh)
        .await
        .context("storing the data key")?;
    tracing::warn!(
        "no --data-key / PORTICO_DATA_KEY: the key that encrypts consumer secrets is kept in the database beside them"
    );
    DataKey::from_base64(&stored)
        .map_err(|e| anyhow::anyhow!("the data key stored in the database is unusable: {e}"))
}

/// SIGINT and SIGTERM, registered when created (not when first awaited).
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                int: signal(SignalKind::interrupt()).context("installing the SIGINT handler")?,
                term: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    #[cfg(unix)]
    async fn recv(mut self) {
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn recv(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
