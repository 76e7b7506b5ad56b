//! Browser sessions and the login rules: password check, lockout after repeated failures,
//! inactive users refused, and an error that never tells whether a username exists.

use crate::StoreError;
use crate::clock::{Clock, UnixMillis};
use crate::ids::SfId;
use crate::org::User;
use crate::secret::{self, TokenHash};
use crate::store::UserStore;

/// A logged-in browser session. The cookie holds the raw id; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: TokenHash,
    pub user_id: SfId,
    /// When the user last entered their password (OIDC `auth_time`).
    pub auth_time: UnixMillis,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

impl Session {
    /// A new session for a user; returns the raw id for the cookie and the record.
    pub fn start(user_id: SfId, now: UnixMillis, lifetime_secs: i64) -> (String, Self) {
        let raw = secret::random_token();
        let session = Self {
            id_hash: TokenHash::of(&raw),
            user_id,
            auth_time: now,
            created_at: now,
            expires_at: now.plus_secs(lifetime_secs),
        };
        (raw, session)
    }
}

/// Login policy, from configuration.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    /// Failed attempts before the user is locked out (Salesforce's default: 10).
    pub lockout_threshold: i32,
    /// How long a lockout lasts.
    pub lockout_secs: i64,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            lockout_threshold: 10,
            lockout_secs: 15 * 60,
        }
    }
}

/// Why a login failed. Every variant but `Store` is shown to the user with the same generic
/// text; they differ for the audit log and for the password grant's error codes.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("bad username or password")]
    BadCredentials,
    #[error("user is locked out")]
    LockedOut,
    #[error("user is inactive")]
    Inactive,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a username and password: counts failures toward lockout, refuses locked and inactive
/// users, and spends the same Argon2 time whether or not the username exists.
pub async fn check_password(
    users: &dyn UserStore,
    clock: &dyn Clock,
    policy: LoginPolicy,
    username: &str,
    password: &str,
) -> Result<User, LoginError> {
    let Some(user) = users.find_user_by_username(username.trim()).await? else {
        secret::verify_password(password, secret::dummy_password_hash());
        return Err(LoginError::BadCredentials);
    };
    let now = clock.now();
    match user.locked_until {
        Some(until) if until > now => {
            secret::verify_password(password, secret::dummy_password_hash());
            return Err(LoginError::LockedOut);
        }
        // An expired lockout starts the count afresh; otherwise one more mistake would lock again.
        Some(_) => users.reset_login_failures(&user.id).await?,
        None => {}
    }
    let ok = user
        .password_hash
        .as_deref()
        .is_some_and(|h| secret::verify_password(password, h));
    if !ok {
        let lock_until = now.plus_secs(policy.lockout_secs);
        users
            .record_login_failure(&user.id, policy.lockout_threshold, lock_until)
            .await?;
        return Err(LoginError::BadCredentials);
    }
    if !user.is_active {
        return Err(LoginError::Inactive);
    }
    if user.failed_logins > 0 || user.locked_until.is_some() {
        users.reset_login_failures(&user.id).await?;
    }
    Ok(user)
}
