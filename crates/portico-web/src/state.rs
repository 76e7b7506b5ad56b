//! The state every handler shares: the store, the clock, keys and settings. Built once by the
//! binary and cloned cheaply into each request (everything is behind `Arc`).

use std::sync::Arc;

use portico_core::clock::Clock;
use portico_core::grant::{GrantContext, TokenSettings};
use portico_core::keys::KeyRing;
use portico_core::secret::DataKey;
use portico_core::store::Store;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` (when the issuer is https).
    pub secure_cookies: bool,
    /// Browser session lifetime.
    pub session_secs: i64,
    /// Requests a minute per IP (token endpoint, login) and per client id (token endpoint).
    pub rate_limit_per_minute: u32,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<KeyRing>,
    pub data_key: Arc<DataKey>,
    pub tokens: Arc<TokenSettings>,
    pub web: Arc<WebSettings>,
}

impl AppState {
    /// The per-request context the core's grants take.
    pub fn grant_context(&self) -> GrantContext<'_> {
        GrantContext {
            clock: self.clock.as_ref(),
            store: self.store.as_ref(),
            keys: &self.keys,
            data_key: &self.data_key,
            settings: &self.tokens,
        }
    }
}
