//! What logging out needs (OIDC Front-Channel / Back-Channel Logout 1.0): a user's live
//! sessions, the apps a session used (the apps of the access tokens issued in it) and revoking
//! everything issued in a session.

use async_trait::async_trait;
use portico_core::clock::UnixMillis;
use portico_core::ids::SfId;
use portico_core::secret::TokenHash;
use portico_core::session::Session;
use portico_core::store::{LogoutStore, StoreResult};

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

#[async_trait]
impl LogoutStore for SqlStore {
    async fn list_user_sessions(
        &self,
        user_id: &SfId,
        now: UnixMillis,
    ) -> StoreResult<Vec<Session>> {
        let found = on_pool!(self, |pool| {
            sqlx::query_as::<_, SessionRow>(
                "SELECT id_hash, user_id, auth_time, created_at, expires_at FROM sessions \
                 WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id_hash",
            )
            .bind(user_id.as_str())
            .bind(now.0)
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        found
            .into_iter()
            .map(|r| {
                Ok(Session {
                    id_hash: rows::hash(r.id_hash),
                    user_id: rows::id(r.user_id)?,
                    auth_time: rows::millis(r.auth_time),
                    created_at: rows::millis(r.created_at),
                    expires_at: rows::millis(r.expires_at),
                })
            })
            .collect()
    }

    async fn session_app_ids(&self, session_hash: &TokenHash) -> StoreResult<Vec<SfId>> {
        let ids: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT DISTINCT app_id FROM access_tokens WHERE session_hash = $1 ORDER BY app_id",
            )
            .bind(session_hash.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        ids.into_iter().map(rows::id).collect()
    }

    async fn revoke_session_tokens(
        &self,
        session_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<u64> {
        // Codes first: a code redeemed between the two statements would otherwise mint a token
        // after the token update ran.
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE authorization_codes SET consumed_at = $2 WHERE session_hash = $1 AND consumed_at IS NULL",
            )
            .bind(session_hash.as_str())
            .bind(now.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)?;
        on_pool!(self, |pool| {
            sqlx::query("UPDATE access_tokens SET revoked_at = $2 WHERE session_hash = $1 AND revoked_at IS NULL")
                .bind(session_hash.as_str())
                .bind(now.0)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(store_err)
    }
}
