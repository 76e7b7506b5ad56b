//! Authorization codes, consumed at most once: taking a code is one conditional update, so two
//! nodes racing on the same code cannot both get it.

use async_trait::async_trait;
use portico_core::clock::UnixMillis;
use portico_core::secret::TokenHash;
use portico_core::store::{CodeStore, CodeTaken, StoreResult};
use portico_core::token::AuthorizationCode;

use crate::SqlStore;
use crate::error::store_err;
use crate::rows;

#[derive(sqlx::FromRow)]
struct CodeRow {
    hash: String,
    app_id: String,
    user_id: String,
    redirect_uri: String,
    scopes: String,
    code_challenge: Option<String>,
    nonce: Option<String>,
    session_hash: Option<String>,
    auth_time: i64,
    created_at: i64,
    expires_at: i64,
}

impl CodeRow {
    fn into_domain(self) -> StoreResult<AuthorizationCode> {
        Ok(AuthorizationCode {
            hash: rows::hash(self.hash),
            app_id: rows::id(self.app_id)?,
            user_id: rows::id(self.user_id)?,
            redirect_uri: self.redirect_uri,
            scopes: rows::scopes(&self.scopes),
            code_challenge: self.code_challenge,
            nonce: self.nonce,
            session_hash: rows::opt_hash(self.session_hash),
            auth_time: rows::millis(self.auth_time),
            created_at: rows::millis(self.created_at),
            expires_at: rows::millis(self.expires_at),
        })
    }
}

#[async_trait]
impl CodeStore for SqlStore {
    async fn insert_code(&self, code: &AuthorizationCode) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO authorization_codes (hash, app_id, user_id, redirect_uri, scopes, \
                 code_challenge, nonce, session_hash, auth_time, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(code.hash.as_str())
            .bind(code.app_id.as_str())
            .bind(code.user_id.as_str())
            .bind(&code.redirect_uri)
            .bind(code.scopes.to_wire())
            .bind(code.code_challenge.as_deref())
            .bind(code.nonce.as_deref())
            .bind(code.session_hash.as_ref().map(TokenHash::as_str))
            .bind(code.auth_time.0)
            .bind(code.created_at.0)
            .bind(code.expires_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn take_code(&self, hash: &TokenHash, now: UnixMillis) -> StoreResult<CodeTaken> {
        // Expiry is the core's check (it compares `expires_at`), so an expired code is still
        // returned here and consumed: it can never be redeemed later either way.
        let fresh = on_pool!(self, |pool| {
            sqlx::query_as::<_, CodeRow>(
                "UPDATE authorization_codes SET consumed_at = $1 \
                 WHERE hash = $2 AND consumed_at IS NULL \
                 RETURNING hash, app_id, user_id, redirect_uri, scopes, code_challenge, nonce, \
                 session_hash, auth_time, created_at, expires_at",
            )
            .bind(now.0)
            .bind(hash.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        if let Some(row) = fresh {
            return Ok(CodeTaken::Fresh(row.into_domain()?));
        }
        // The update matched nothing: either the code was consumed before, or it never existed.
        let used = on_pool!(self, |pool| {
            sqlx::query_as::<_, CodeRow>(
                "SELECT hash, app_id, user_id, redirect_uri, scopes, code_challenge, nonce, \
                 session_hash, auth_time, created_at, expires_at \
                 FROM authorization_codes WHERE hash = $1",
            )
            .bind(hash.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        match used {
            Some(row) => Ok(CodeTaken::AlreadyUsed(row.into_domain()?)),
            None => Ok(CodeTaken::NotFound),
        }
    }
}
