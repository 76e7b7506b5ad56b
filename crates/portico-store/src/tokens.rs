//! Access tokens, approvals (one per refresh token) and remembered consent. Revocations that
//! span approvals and access tokens run in one transaction, so a reader never sees an approval
//! revoked while its access tokens still work.

use async_trait::async_trait;
use portico_core::clock::UnixMillis;
use portico_core::ids::SfId;
use portico_core::scope::ScopeSet;
use portico_core::secret::TokenHash;
use portico_core::store::{RotateOutcome, StoreResult, TokenStore};
use portico_core::token::{AccessTokenRecord, Approval, RefreshTokenRecord};

use crate::SqlStore;
use crate::error::{expect_one, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct AccessTokenRow {
    hash: String,
    org_id: String,
    app_id: String,
    user_id: String,
    scopes: String,
    approval_id: Option<String>,
    code_hash: Option<String>,
    session_hash: Option<String>,
    issued_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl AccessTokenRow {
    fn into_domain(self) -> StoreResult<AccessTokenRecord> {
        Ok(AccessTokenRecord {
            hash: rows::hash(self.hash),
            org_id: rows::id(self.org_id)?,
            app_id: rows::id(self.app_id)?,
            user_id: rows::id(self.user_id)?,
            scopes: rows::scopes(&self.scopes),
            approval_id: rows::opt_id(self.approval_id)?,
            code_hash: rows::opt_hash(self.code_hash),
            session_hash: rows::opt_hash(self.session_hash),
            issued_at: rows::millis(self.issued_at),
            expires_at: rows::millis(self.expires_at),
            revoked_at: rows::opt_millis(self.revoked_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct ApprovalRow {
    id: String,
    org_id: String,
    app_id: String,
    user_id: String,
    scopes: String,
    code_hash: Option<String>,
    nonce: Option<String>,
    auth_time: i64,
    created_at: i64,
    last_used_at: i64,
    use_count: i64,
    revoked_at: Option<i64>,
}

impl ApprovalRow {
    fn into_domain(self) -> StoreResult<Approval> {
        Ok(Approval {
            id: rows::id(self.id)?,
            org_id: rows::id(self.org_id)?,
            app_id: rows::id(self.app_id)?,
            user_id: rows::id(self.user_id)?,
            scopes: rows::scopes(&self.scopes),
            code_hash: rows::opt_hash(self.code_hash),
            nonce: self.nonce,
            auth_time: rows::millis(self.auth_time),
            created_at: rows::millis(self.created_at),
            last_used_at: rows::millis(self.last_used_at),
            use_count: self.use_count,
            revoked_at: rows::opt_millis(self.revoked_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct RefreshRow {
    hash: String,
    approval_id: String,
    r_created_at: i64,
    rotated_at: Option<i64>,
    grace_until: Option<i64>,
    #[sqlx(flatten)]
    approval: ApprovalRow,
}

impl RefreshRow {
    fn into_domain(self) -> StoreResult<(RefreshTokenRecord, Approval)> {
        let record = RefreshTokenRecord {
            hash: rows::hash(self.hash),
            approval_id: rows::id(self.approval_id)?,
            created_at: rows::millis(self.r_created_at),
            rotated_at: rows::opt_millis(self.rotated_at),
            grace_until: rows::opt_millis(self.grace_until),
        };
        Ok((record, self.approval.into_domain()?))
    }
}

const INSERT_REFRESH: &str = "INSERT INTO refresh_tokens (hash, approval_id, created_at, rotated_at, grace_until) \
     VALUES ($1, $2, $3, $4, $5)";

/// Binds a refresh token to [`INSERT_REFRESH`].
macro_rules! bind_refresh {
    ($refresh:expr) => {
        sqlx::query(INSERT_REFRESH)
            .bind($refresh.hash.as_str())
            .bind($refresh.approval_id.as_str())
            .bind($refresh.created_at.0)
            .bind($refresh.rotated_at.map(|t| t.0))
            .bind($refresh.grace_until.map(|t| t.0))
    };
}

#[async_trait]
impl TokenStore for SqlStore {
    async fn insert_access_token(&self, token: &AccessTokenRecord) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO access_tokens (hash, org_id, app_id, user_id, scopes, approval_id, code_hash, \
                 session_hash, issued_at, expires_at, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(token.hash.as_str())
            .bind(token.org_id.as_str())
            .bind(token.app_id.as_str())
            .bind(token.user_id.as_str())
            .bind(token.scopes.to_wire())
            .bind(token.approval_id.as_ref().map(SfId::as_str))
            .bind(token.code_hash.as_ref().map(TokenHash::as_str))
            .bind(token.session_hash.as_ref().map(TokenHash::as_str))
            .bind(token.issued_at.0)
            .bind(token.expires_at.0)
            .bind(token.revoked_at.map(|t| t.0))
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn find_access_token(&self, hash: &TokenHash) -> StoreResult<Option<AccessTokenRecord>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, AccessTokenRow>(
                "SELECT hash, org_id, app_id, user_id, scopes, approval_id, code_hash, session_hash, \
                 issued_at, expires_at, revoked_at FROM access_tokens WHERE hash = $1",
            )
            .bind(hash.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(AccessTokenRow::into_domain).transpose()
    }

    async fn revoke_access_token(&self, hash: &TokenHash, now: UnixMillis) -> StoreResult<bool> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE access_tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL",
            )
            .bind(now.0)
            .bind(hash.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        Ok(changed > 0)
    }

    async fn insert_approval(
        &self,
        approval: &Approval,
        refresh: &RefreshTokenRecord,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO approvals (id, org_id, app_id, user_id, scopes, code_hash, nonce, \
                 auth_time, created_at, last_used_at, use_count, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(approval.id.as_str())
            .bind(approval.org_id.as_str())
            .bind(approval.app_id.as_str())
            .bind(approval.user_id.as_str())
            .bind(approval.scopes.to_wire())
            .bind(approval.code_hash.as_ref().map(TokenHash::as_str))
            .bind(approval.nonce.as_deref())
            .bind(approval.auth_time.0)
            .bind(approval.created_at.0)
            .bind(approval.last_used_at.0)
            .bind(approval.use_count)
            .bind(approval.revoked_at.map(|t| t.0))
            .execute(&mut *tx)
            .await?;
            bind_refresh!(refresh).execute(&mut *tx).await?;
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn insert_refresh_token(&self, refresh: &RefreshTokenRecord) -> StoreResult<()> {
        on_pool!(self, |pool| bind_refresh!(refresh)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn find_refresh_token(
        &self,
        hash: &TokenHash,
    ) -> StoreResult<Option<(RefreshTokenRecord, Approval)>> {
        // Revoked approvals and retired tokens are returned too: the core tells reuse (possible
        // theft) from an unknown token.
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, RefreshRow>(
                "SELECT r.hash, r.approval_id, r.created_at AS r_created_at, r.rotated_at, r.grace_until, \
                 a.id, a.org_id, a.app_id, a.user_id, a.scopes, a.code_hash, a.nonce, a.auth_time, \
                 a.created_at, a.last_used_at, a.use_count, a.revoked_at \
                 FROM refresh_tokens r JOIN approvals a ON a.id = r.approval_id WHERE r.hash = $1",
            )
            .bind(hash.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(RefreshRow::into_domain).transpose()
    }

    async fn rotate_refresh_token(
        &self,
        hash: &TokenHash,
        now: UnixMillis,
        grace_until: UnixMillis,
    ) -> StoreResult<RotateOutcome> {
        // One conditional update decides which of two racing refreshes retired the token.
        let changed = on_pool!(self, |pool| {
            sqlx::query("UPDATE refresh_tokens SET rotated_at = $1, grace_until = $2 WHERE hash = $3 AND rotated_at IS NULL")
                .bind(now.0)
                .bind(grace_until.0)
                .bind(hash.as_str())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        if changed > 0 {
            return Ok(RotateOutcome::Rotated);
        }
        let grace: Option<Option<i64>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT grace_until FROM refresh_tokens WHERE hash = $1")
                .bind(hash.as_str())
                .fetch_optional(pool)
                .await
        })
        .map_err(store_err)?;
        match grace {
            None => Err(portico_core::StoreError::NotFound),
            Some(Some(until)) if now.0 < until => Ok(RotateOutcome::InGrace),
            Some(_) => Ok(RotateOutcome::Reused),
        }
    }

    async fn find_approval(&self, id: &SfId) -> StoreResult<Option<Approval>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, ApprovalRow>(
                "SELECT id, org_id, app_id, user_id, scopes, code_hash, nonce, auth_time, \
                 created_at, last_used_at, use_count, revoked_at FROM approvals WHERE id = $1",
            )
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(ApprovalRow::into_domain).transpose()
    }

    async fn list_user_app_approvals(
        &self,
        user_id: &SfId,
        app_id: &SfId,
    ) -> StoreResult<Vec<Approval>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, ApprovalRow>(
                "SELECT id, org_id, app_id, user_id, scopes, code_hash, nonce, auth_time, \
                 created_at, last_used_at, use_count, revoked_at FROM approvals \
                 WHERE user_id = $1 AND app_id = $2 AND revoked_at IS NULL ORDER BY created_at, id",
            )
            .bind(user_id.as_str())
            .bind(app_id.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(ApprovalRow::into_domain).collect()
    }

    async fn list_user_approvals(&self, user_id: &SfId) -> StoreResult<Vec<Approval>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, ApprovalRow>(
                "SELECT id, org_id, app_id, user_id, scopes, code_hash, nonce, auth_time, \
                 created_at, last_used_at, use_count, revoked_at FROM approvals \
                 WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_used_at DESC, id",
            )
            .bind(user_id.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(ApprovalRow::into_domain).collect()
    }

    async fn revoke_approval(&self, id: &SfId, now: UnixMillis) -> StoreResult<()> {
        // COALESCE keeps the first revocation time and still counts the row, so revoking twice
        // succeeds while an unknown id is NotFound.
        let found = on_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let found = sqlx::query("UPDATE approvals SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
                .bind(now.0)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("UPDATE access_tokens SET revoked_at = $1 WHERE approval_id = $2 AND revoked_at IS NULL")
                .bind(now.0)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(found)
        }
        .await)
        .map_err(store_err)?;
        expect_one(found)
    }

    async fn revoke_user_tokens(&self, user_id: &SfId, now: UnixMillis) -> StoreResult<()> {
        on_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE approvals SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now.0)
                .bind(user_id.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE access_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now.0)
                .bind(user_id.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn revoke_tokens_from_code(
        &self,
        code_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<()> {
        // Access tokens refreshed later from the code's approval do not carry the code hash, so
        // they are found through the approval (RFC 6749 §4.1.2: revoke all tokens "previously
        // issued based on that authorization code").
        on_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE access_tokens SET revoked_at = $1 WHERE revoked_at IS NULL \
                 AND (code_hash = $2 OR approval_id IN (SELECT id FROM approvals WHERE code_hash = $3))",
            )
            .bind(now.0)
            .bind(code_hash.as_str())
            .bind(code_hash.as_str())
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE approvals SET revoked_at = $1 WHERE code_hash = $2 AND revoked_at IS NULL")
                .bind(now.0)
                .bind(code_hash.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn find_consent(&self, user_id: &SfId, app_id: &SfId) -> StoreResult<Option<ScopeSet>> {
        let scopes = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, String>(
                "SELECT scopes FROM consents WHERE user_id = $1 AND app_id = $2",
            )
            .bind(user_id.as_str())
            .bind(app_id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        Ok(scopes.as_deref().map(rows::scopes))
    }

    async fn save_consent(
        &self,
        user_id: &SfId,
        app_id: &SfId,
        scopes: &ScopeSet,
        now: UnixMillis,
    ) -> StoreResult<()> {
        // The caller passes the full consented set (already widened), so the row is replaced.
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO consents (user_id, app_id, scopes, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (user_id, app_id) DO UPDATE SET scopes = excluded.scopes, \
                 updated_at = excluded.updated_at",
            )
            .bind(user_id.as_str())
            .bind(app_id.as_str())
            .bind(scopes.to_wire())
            .bind(now.0)
            .bind(now.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn touch_approval(&self, id: &SfId, now: UnixMillis) -> StoreResult<()> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE approvals SET use_count = use_count + 1, last_used_at = $1 WHERE id = $2",
            )
            .bind(now.0)
            .bind(id.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(changed)
    }
}
