//! Users: usernames unique across the server case-insensitively (a lowercased copy carries the
//! unique constraint), and the failed-login counter behind lockout.

use async_trait::async_trait;
use portico_core::clock::UnixMillis;
use portico_core::ids::SfId;
use portico_core::org::User;
use portico_core::store::{StoreResult, UserStore};

use crate::SqlStore;
use crate::error::{expect_one, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    org_id: String,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    profile_id: String,
    is_active: bool,
    locale: String,
    time_zone: String,
    password_hash: Option<String>,
    failed_logins: i32,
    locked_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl UserRow {
    fn into_domain(self) -> StoreResult<User> {
        Ok(User {
            id: rows::id(self.id)?,
            org_id: rows::id(self.org_id)?,
            username: self.username,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            profile_id: rows::id(self.profile_id)?,
            is_active: self.is_active,
            locale: self.locale,
            time_zone: self.time_zone,
            password_hash: self.password_hash,
            failed_logins: self.failed_logins,
            locked_until: rows::opt_millis(self.locked_until),
            created_at: rows::millis(self.created_at),
            updated_at: rows::millis(self.updated_at),
        })
    }
}

/// The key usernames are unique and looked up by. Lowercasing in Rust rather than SQL keeps the
/// statements portable and the folding identical on both backends.
fn username_key(username: &str) -> String {
    username.to_lowercase()
}

#[async_trait]
impl UserStore for SqlStore {
    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        let key = username_key(&user.username);
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO users (id, org_id, username, username_lower, email, first_name, last_name, \
                 profile_id, is_active, locale, time_zone, password_hash, failed_logins, locked_until, \
                 created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(user.id.as_str())
            .bind(user.org_id.as_str())
            .bind(&user.username)
            .bind(&key)
            .bind(&user.email)
            .bind(&user.first_name)
            .bind(&user.last_name)
            .bind(user.profile_id.as_str())
            .bind(user.is_active)
            .bind(&user.locale)
            .bind(&user.time_zone)
            .bind(user.password_hash.as_deref())
            .bind(user.failed_logins)
            .bind(user.locked_until.map(|t| t.0))
            .bind(user.created_at.0)
            .bind(user.updated_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn update_user(&self, user: &User) -> StoreResult<()> {
        let key = username_key(&user.username);
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE users SET username = $1, username_lower = $2, email = $3, first_name = $4, \
                 last_name = $5, profile_id = $6, is_active = $7, locale = $8, time_zone = $9, \
                 password_hash = $10, failed_logins = $11, locked_until = $12, updated_at = $13 \
                 WHERE id = $14",
            )
            .bind(&user.username)
            .bind(&key)
            .bind(&user.email)
            .bind(&user.first_name)
            .bind(&user.last_name)
            .bind(user.profile_id.as_str())
            .bind(user.is_active)
            .bind(&user.locale)
            .bind(&user.time_zone)
            .bind(user.password_hash.as_deref())
            .bind(user.failed_logins)
            .bind(user.locked_until.map(|t| t.0))
            .bind(user.updated_at.0)
            .bind(user.id.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(changed)
    }

    async fn find_user(&self, id: &SfId) -> StoreResult<Option<User>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, org_id, username, email, first_name, last_name, profile_id, is_active, locale, \
                 time_zone, password_hash, failed_logins, locked_until, created_at, updated_at \
                 FROM users WHERE id = $1",
            )
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(UserRow::into_domain).transpose()
    }

    async fn find_user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let key = username_key(username);
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, org_id, username, email, first_name, last_name, profile_id, is_active, locale, \
                 time_zone, password_hash, failed_logins, locked_until, created_at, updated_at \
                 FROM users WHERE username_lower = $1",
            )
            .bind(&key)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(UserRow::into_domain).transpose()
    }

    async fn list_users(&self, org_id: &SfId) -> StoreResult<Vec<User>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, org_id, username, email, first_name, last_name, profile_id, is_active, locale, \
                 time_zone, password_hash, failed_logins, locked_until, created_at, updated_at \
                 FROM users WHERE org_id = $1 ORDER BY username_lower, id",
            )
            .bind(org_id.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(UserRow::into_domain).collect()
    }

    async fn record_login_failure(
        &self,
        user_id: &SfId,
        threshold: i32,
        lock_until: UnixMillis,
    ) -> StoreResult<i32> {
        // One statement, so concurrent failures each count and the one reaching the threshold
        // sets the lock: the right-hand sides all see the row as it was before this update.
        let count = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, i32>(
                "UPDATE users SET failed_logins = failed_logins + 1, \
                 locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END \
                 WHERE id = $3 RETURNING failed_logins",
            )
            .bind(threshold)
            .bind(lock_until.0)
            .bind(user_id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        count.ok_or(portico_core::StoreError::NotFound)
    }

    async fn reset_login_failures(&self, user_id: &SfId) -> StoreResult<()> {
        let changed = on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user_id.as_str())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(changed)
    }
}
