//! Signing keys (private PEMs, rebuilt into `SigningKey` on read) and server-wide settings.

use async_trait::async_trait;
use portico_core::keys::SigningKey;
use portico_core::store::{KeyStore, StoreResult};

use crate::SqlStore;
use crate::error::{other, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct KeyRow {
    kid: String,
    private_pem: String,
    created_at: i64,
}

impl KeyRow {
    fn into_domain(self) -> StoreResult<SigningKey> {
        let kid = self.kid.clone();
        SigningKey::from_pem(self.kid, self.private_pem, rows::millis(self.created_at))
            .map_err(|e| other(format!("stored signing key {kid} does not load: {e}")))
    }
}

#[async_trait]
impl KeyStore for SqlStore {
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKey>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, KeyRow>(
                "SELECT kid, private_pem, created_at FROM signing_keys ORDER BY created_at, kid",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(KeyRow::into_domain).collect()
    }

    async fn insert_signing_key(&self, key: &SigningKey) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO signing_keys (kid, private_pem, created_at) VALUES ($1, $2, $3)",
            )
            .bind(&key.kid)
            .bind(&key.private_pem)
            .bind(key.created_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn get_setting(&self, name: &str) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await
        })
        .map_err(store_err)
    }

    async fn init_setting(&self, name: &str, value: &str) -> StoreResult<String> {
        // Insert-if-absent, then read: whichever node inserted first, every node reads the same
        // value back. Settings are never deleted, so the read always finds a row.
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(value)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)?;
        self.get_setting(name).await?.ok_or_else(|| {
            other(format!(
                "setting `{name}` vanished right after it was initialised"
            ))
        })
    }
}
