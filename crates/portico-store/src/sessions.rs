//! Browser sessions, keyed by the hash of the cookie's id.

use async_trait::async_trait;
use portico_core::clock::UnixMillis;
use portico_core::ids::SfId;
use portico_core::secret::TokenHash;
use portico_core::session::Session;
use portico_core::store::{SessionStore, StoreResult};

use crate::SqlStore;
use crate::error::store_err;
use crate::rows;

#[derive(sqlx::FromRow)]
struct SessionRow {
    id_hash: String,
    user_id: String,
    auth_time: i64,
    created_at: i64,
    expires_at: i64,
}

impl SessionRow {
    fn into_domain(self) -> StoreResult<Session> {
        Ok(Session {
            id_hash: rows::hash(self.id_hash),
            user_id: rows::id(self.user_id)?,
            auth_time: rows::millis(self.auth_time),
            created_at: rows::millis(self.created_at),
            expires_at: rows::millis(self.expires_at),
        })
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, auth_time, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(session.id_hash.as_str())
            .bind(session.user_id.as_str())
            .bind(session.auth_time.0)
            .bind(session.created_at.0)
            .bind(session.expires_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn find_session(
        &self,
        id_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<Option<Session>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, SessionRow>(
                "SELECT id_hash, user_id, auth_time, created_at, expires_at FROM sessions \
                 WHERE id_hash = $1 AND expires_at > $2",
            )
            .bind(id_hash.as_str())
            .bind(now.0)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(SessionRow::into_domain).transpose()
    }

    async fn delete_session(&self, id_hash: &TokenHash) -> StoreResult<()> {
        // Idempotent: logging out twice, or with an expired cookie, is not an error.
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash.as_str())
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn delete_user_sessions(&self, user_id: &SfId) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id.as_str())
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_err)
    }
}
