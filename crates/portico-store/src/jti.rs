//! One-time JWT ids (RFC 7523 §3, OIDC Core §9): a used `jti` is a row until its `exp`, so every
//! node sharing the database refuses a replay.

use async_trait::async_trait;
use portico_core::clock::UnixMillis;
use portico_core::secret::TokenHash;
use portico_core::store::{JtiStore, StoreResult};

use crate::SqlStore;
use crate::error::store_err;

#[async_trait]
impl JtiStore for SqlStore {
    async fn remember_jti(
        &self,
        key: &TokenHash,
        expires_at: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        // Forget what has run out first, so an id may be used again once its assertion expired
        // (the assertion itself is then refused on `exp`), and the table stays small.
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM used_jtis WHERE expires_at <= $1")
                .bind(now.0)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_err)?;
        // The primary key decides between racing nodes: exactly one insert affects a row.
        let inserted = on_pool!(self, |pool| {
            sqlx::query("INSERT INTO used_jtis (key_hash, expires_at) VALUES ($1, $2) ON CONFLICT (key_hash) DO NOTHING")
                .bind(key.as_str())
                .bind(expires_at.0)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        Ok(inserted == 1)
    }
}
