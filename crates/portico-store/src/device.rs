//! Device authorizations (RFC 8628) and the wrong-code count of the verification page. Every
//! state change is one conditional `UPDATE` (or an upsert), so nodes sharing a database cannot
//! both approve, both redeem, or lose a count.

use async_trait::async_trait;
use portico_core::StoreError;
use portico_core::clock::UnixMillis;
use portico_core::device::{CodeGuesses, DeviceAuthorization, DeviceDecision, DeviceStatus};
use portico_core::ids::SfId;
use portico_core::secret::TokenHash;
use portico_core::store::{DeviceStore, StoreResult};

use crate::SqlStore;
use crate::error::store_err;
use crate::rows;

/// Expired authorizations are kept this long, so that a device still polling learns
/// `expired_token` rather than `invalid_grant`; then the next insert forgets them.
const KEEP_EXPIRED_MILLIS: i64 = 60 * 60 * 1000;
/// Wrong-code counts untouched this long are forgotten (any lock has long run out).
const KEEP_GUESSES_MILLIS: i64 = 24 * 60 * 60 * 1000;

const COLUMNS: &str = "device_code_hash, user_code_hash, app_id, scopes, status, user_id, interval_secs, \
                       polls, last_polled_at, created_at, expires_at, decided_at";

#[derive(sqlx::FromRow)]
struct DeviceRow {
    device_code_hash: String,
    user_code_hash: String,
    app_id: String,
    scopes: String,
    status: String,
    user_id: Option<String>,
    interval_secs: i64,
    polls: i64,
    last_polled_at: Option<i64>,
    created_at: i64,
    expires_at: i64,
    decided_at: Option<i64>,
}

impl DeviceRow {
    fn into_domain(self) -> StoreResult<DeviceAuthorization> {
        let status = DeviceStatus::parse(&self.status).ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!(
                "stored device status `{}` is unknown",
                self.status
            ))
        })?;
        Ok(DeviceAuthorization {
            device_code_hash: rows::hash(self.device_code_hash),
            user_code_hash: rows::hash(self.user_code_hash),
            app_id: rows::id(self.app_id)?,
            scopes: rows::scopes(&self.scopes),
            status,
            user_id: rows::opt_id(self.user_id)?,
            interval_secs: self.interval_secs,
            polls: self.polls,
            last_polled_at: rows::opt_millis(self.last_polled_at),
            created_at: rows::millis(self.created_at),
            expires_at: rows::millis(self.expires_at),
            decided_at: rows::opt_millis(self.decided_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct GuessRow {
    failures: i32,
    locked_until: Option<i64>,
}

impl From<GuessRow> for CodeGuesses {
    fn from(row: GuessRow) -> Self {
        Self {
            failures: row.failures,
            locked_until: rows::opt_millis(row.locked_until),
        }
    }
}

impl SqlStore {
    async fn find_device_where(
        &self,
        column: &str,
        hash: &TokenHash,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        // `column` is one of two names fixed in this file, never input.
        let sql = format!("SELECT {COLUMNS} FROM device_authorizations WHERE {column} = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, DeviceRow>(&sql)
                .bind(hash.as_str())
                .fetch_optional(pool)
                .await
        })
        .map_err(store_err)?;
        row.map(DeviceRow::into_domain).transpose()
    }
}

#[async_trait]
impl DeviceStore for SqlStore {
    async fn insert_device_authorization(
        &self,
        auth: &DeviceAuthorization,
        now: UnixMillis,
    ) -> StoreResult<()> {
        let forget_before = now.0.saturating_sub(KEEP_EXPIRED_MILLIS);
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM device_authorizations WHERE expires_at < $1")
                .bind(forget_before)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_err)?;
        // Any key conflict (the 256-bit device code never collides; a user code may) is reported
        // by the affected-row count, not as an error.
        let sql = format!(
            "INSERT INTO device_authorizations ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING"
        );
        let inserted = on_pool!(self, |pool| {
            sqlx::query(&sql)
                .bind(auth.device_code_hash.as_str())
                .bind(auth.user_code_hash.as_str())
                .bind(auth.app_id.as_str())
                .bind(auth.scopes.to_wire())
                .bind(auth.status.as_str())
                .bind(auth.user_id.as_ref().map(SfId::as_str))
                .bind(auth.interval_secs)
                .bind(auth.polls)
                .bind(auth.last_polled_at.map(|t| t.0))
                .bind(auth.created_at.0)
                .bind(auth.expires_at.0)
                .bind(auth.decided_at.map(|t| t.0))
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        if inserted == 0 {
            Err(StoreError::Conflict("userCode".to_owned()))
        } else {
            Ok(())
        }
    }

    async fn find_device_authorization(
        &self,
        device_code_hash: &TokenHash,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        self.find_device_where("device_code_hash", device_code_hash)
            .await
    }

    async fn find_device_authorization_by_user_code(
        &self,
        user_code_hash: &TokenHash,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        self.find_device_where("user_code_hash", user_code_hash)
            .await
    }

    async fn record_device_poll(
        &self,
        device_code_hash: &TokenHash,
        seen_polls: i64,
        interval_secs: i64,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE device_authorizations SET polls = polls + 1, last_polled_at = $1, interval_secs = $2 \
                 WHERE device_code_hash = $3 AND polls = $4 AND status = 'pending'",
            )
            .bind(now.0)
            .bind(interval_secs)
            .bind(device_code_hash.as_str())
            .bind(seen_polls)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        Ok(changed == 1)
    }

    async fn decide_device_authorization(
        &self,
        user_code_hash: &TokenHash,
        decision: &DeviceDecision,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE device_authorizations SET status = $1, user_id = $2, decided_at = $3 \
                 WHERE user_code_hash = $4 AND status = 'pending' AND expires_at > $3",
            )
            .bind(decision.status().as_str())
            .bind(decision.user_id().as_str())
            .bind(now.0)
            .bind(user_code_hash.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        Ok(changed == 1)
    }

    async fn redeem_device_authorization(
        &self,
        device_code_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE device_authorizations SET status = 'redeemed' \
                 WHERE device_code_hash = $1 AND status = 'approved' AND expires_at > $2",
            )
            .bind(device_code_hash.as_str())
            .bind(now.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        Ok(changed == 1)
    }

    async fn find_code_guesses(&self, session_hash: &TokenHash) -> StoreResult<CodeGuesses> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, GuessRow>(
                "SELECT failures, locked_until FROM device_code_guesses WHERE session_hash = $1",
            )
            .bind(session_hash.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        Ok(row.map(CodeGuesses::from).unwrap_or_default())
    }

    async fn record_wrong_code_guess(
        &self,
        session_hash: &TokenHash,
        threshold: i32,
        lock_until: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<CodeGuesses> {
        let forget_before = now.0.saturating_sub(KEEP_GUESSES_MILLIS);
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM device_code_guesses WHERE updated_at < $1")
                .bind(forget_before)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_err)?;
        let first_lock = (threshold <= 1).then_some(lock_until.0);
        // One upsert, so concurrent wrong codes each count; the right-hand sides see the row as
        // it was. A lock that has run out restarts the count at this failure.
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, GuessRow>(
                "INSERT INTO device_code_guesses (session_hash, failures, locked_until, updated_at) \
                 VALUES ($1, 1, $2, $3) \
                 ON CONFLICT (session_hash) DO UPDATE SET \
                 failures = CASE WHEN device_code_guesses.locked_until <= $3 THEN 1 \
                     ELSE device_code_guesses.failures + 1 END, \
                 locked_until = CASE WHEN device_code_guesses.locked_until <= $3 THEN $2 \
                     WHEN device_code_guesses.failures + 1 >= $4 THEN $5 \
                     ELSE device_code_guesses.locked_until END, \
                 updated_at = $3 \
                 RETURNING failures, locked_until",
            )
            .bind(session_hash.as_str())
            .bind(first_lock)
            .bind(now.0)
            .bind(threshold)
            .bind(lock_until.0)
            .fetch_one(pool)
            .await
        })
        .map_err(store_err)?;
        Ok(row.into())
    }
}
