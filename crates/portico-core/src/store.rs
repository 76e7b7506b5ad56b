//! Storage contracts: narrow traits, one per aggregate, implemented once over SQLite and
//! PostgreSQL by `portico-store` (DESIGN §4). Protocol code takes the narrowest trait it needs.
//!
//! Consume-once operations (`take_code`, refresh-token rotation) are single conditional updates
//! in the implementation, so that two nodes sharing one database can never both succeed.

use async_trait::async_trait;

use crate::StoreError;
use crate::clock::UnixMillis;
use crate::connected_app::ConnectedApp;
use crate::connected_app::audit::AuditEntry;
use crate::connected_app::org_certificate::OrgCertificate;
use crate::device::{CodeGuesses, DeviceAuthorization, DeviceDecision};
use crate::ids::SfId;
use crate::keys::SigningKey;
use crate::org::{Org, PermissionBundle, User};
use crate::registration::ClientRegistration;
use crate::scope::ScopeSet;
use crate::secret::TokenHash;
use crate::session::Session;
use crate::token::{AccessTokenRecord, Approval, AuthorizationCode, RefreshTokenRecord};

pub type StoreResult<T> = Result<T, StoreError>;

/// Which of the two permission bundles a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleKind {
    Profile,
    PermissionSet,
}

#[async_trait]
pub trait OrgStore: Send + Sync {
    /// The server's org (Portico serves one org per database).
    async fn find_org(&self) -> StoreResult<Option<Org>>;
    async fn insert_org(&self, org: &Org) -> StoreResult<()>;
    async fn update_org(&self, org: &Org) -> StoreResult<()>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with `Conflict("username")` when the username is taken (across the server).
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn update_user(&self, user: &User) -> StoreResult<()>;
    async fn find_user(&self, id: &SfId) -> StoreResult<Option<User>>;
    /// Usernames are compared case-insensitively, as Salesforce does.
    async fn find_user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self, org_id: &SfId) -> StoreResult<Vec<User>>;
    /// Records a failed login; returns the new count. Locks the user until `lock_until` when the
    /// count reaches `threshold`.
    async fn record_login_failure(
        &self,
        user_id: &SfId,
        threshold: i32,
        lock_until: UnixMillis,
    ) -> StoreResult<i32>;
    async fn reset_login_failures(&self, user_id: &SfId) -> StoreResult<()>;
}

#[async_trait]
pub trait PermissionStore: Send + Sync {
    /// Fails with `Conflict("name")` when the name is taken in the org.
    async fn insert_bundle(&self, kind: BundleKind, bundle: &PermissionBundle) -> StoreResult<()>;
    async fn update_bundle(&self, kind: BundleKind, bundle: &PermissionBundle) -> StoreResult<()>;
    async fn find_bundle(
        &self,
        kind: BundleKind,
        id: &SfId,
    ) -> StoreResult<Option<PermissionBundle>>;
    async fn find_bundle_by_name(
        &self,
        kind: BundleKind,
        org_id: &SfId,
        name: &str,
    ) -> StoreResult<Option<PermissionBundle>>;
    async fn list_bundles(
        &self,
        kind: BundleKind,
        org_id: &SfId,
    ) -> StoreResult<Vec<PermissionBundle>>;
    /// Fails with `Conflict("permissionSetId")` when already assigned.
    async fn assign_permission_set(
        &self,
        user_id: &SfId,
        permission_set_id: &SfId,
    ) -> StoreResult<()>;
    /// Fails with `NotFound` when not assigned.
    async fn unassign_permission_set(
        &self,
        user_id: &SfId,
        permission_set_id: &SfId,
    ) -> StoreResult<()>;
    /// The permission sets assigned to a user.
    async fn user_permission_sets(&self, user_id: &SfId) -> StoreResult<Vec<PermissionBundle>>;
}

#[async_trait]
pub trait AppStore: Send + Sync {
    /// Fails with `Conflict("fullName")` or `Conflict("consumerKey")`.
    async fn insert_app(&self, app: &ConnectedApp) -> StoreResult<()>;
    async fn update_app(&self, app: &ConnectedApp) -> StoreResult<()>;
    async fn delete_app(&self, id: &SfId) -> StoreResult<()>;
    async fn find_app(&self, id: &SfId) -> StoreResult<Option<ConnectedApp>>;
    async fn find_app_by_consumer_key(
        &self,
        consumer_key: &str,
    ) -> StoreResult<Option<ConnectedApp>>;
    async fn find_app_by_name(
        &self,
        org_id: &SfId,
        full_name: &str,
    ) -> StoreResult<Option<ConnectedApp>>;
    async fn list_apps(&self, org_id: &SfId) -> StoreResult<Vec<ConnectedApp>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, session: &Session) -> StoreResult<()>;
    /// A live session (not expired at `now`).
    async fn find_session(
        &self,
        id_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<Option<Session>>;
    async fn delete_session(&self, id_hash: &TokenHash) -> StoreResult<()>;
    async fn delete_user_sessions(&self, user_id: &SfId) -> StoreResult<()>;
}

/// What retiring a refresh token found (see [`TokenStore::rotate_refresh_token`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateOutcome {
    Rotated,
    InGrace,
    Reused,
}

/// What taking an authorization code found.
#[derive(Debug)]
pub enum CodeTaken {
    /// First use: the code, now consumed.
    Fresh(AuthorizationCode),
    /// The code existed but was already used (a replay, RFC 6749 §4.1.2).
    AlreadyUsed(AuthorizationCode),
    NotFound,
}

#[async_trait]
pub trait CodeStore: Send + Sync {
    async fn insert_code(&self, code: &AuthorizationCode) -> StoreResult<()>;
    /// Marks the code used at `now` in one conditional update and returns it.
    async fn take_code(&self, hash: &TokenHash, now: UnixMillis) -> StoreResult<CodeTaken>;
}

#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn insert_access_token(&self, token: &AccessTokenRecord) -> StoreResult<()>;
    async fn find_access_token(&self, hash: &TokenHash) -> StoreResult<Option<AccessTokenRecord>>;
    /// Revokes one access token; returns whether it existed and was live.
    async fn revoke_access_token(&self, hash: &TokenHash, now: UnixMillis) -> StoreResult<bool>;

    /// Inserts an approval (an OAuth token record) together with its first refresh token.
    async fn insert_approval(
        &self,
        approval: &Approval,
        refresh: &RefreshTokenRecord,
    ) -> StoreResult<()>;
    async fn find_approval(&self, id: &SfId) -> StoreResult<Option<Approval>>;
    /// Adds a refresh token to an approval (a rotation's successor).
    async fn insert_refresh_token(&self, refresh: &RefreshTokenRecord) -> StoreResult<()>;
    /// Finds a refresh token (live or retired) with its approval (revoked or not).
    async fn find_refresh_token(
        &self,
        hash: &TokenHash,
    ) -> StoreResult<Option<(RefreshTokenRecord, Approval)>>;
    /// Retires a refresh token in one conditional update: `Rotated` when this call retired it,
    /// `InGrace` when it was already retired and `now` is before its grace end, `Reused` after.
    async fn rotate_refresh_token(
        &self,
        hash: &TokenHash,
        now: UnixMillis,
        grace_until: UnixMillis,
    ) -> StoreResult<RotateOutcome>;
    /// Live approvals of a user for an app, oldest first.
    async fn list_user_app_approvals(
        &self,
        user_id: &SfId,
        app_id: &SfId,
    ) -> StoreResult<Vec<Approval>>;
    /// Live approvals of a user for every app, newest use first (Setup's "OAuth Connected Apps"
    /// list on a user, and the user counts of "Connected Apps OAuth Usage").
    async fn list_user_approvals(&self, user_id: &SfId) -> StoreResult<Vec<Approval>>;
    /// Revokes an approval and every access token issued under it.
    async fn revoke_approval(&self, id: &SfId, now: UnixMillis) -> StoreResult<()>;
    /// Revokes every approval and access token of a user (deactivation, password reset).
    async fn revoke_user_tokens(&self, user_id: &SfId, now: UnixMillis) -> StoreResult<()>;
    /// Revokes every token issued from an authorization code (code replay, RFC 6749 §4.1.2).
    async fn revoke_tokens_from_code(
        &self,
        code_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<()>;
    /// The scopes a user has consented to for an app (self-authorize apps remember consent).
    async fn find_consent(&self, user_id: &SfId, app_id: &SfId) -> StoreResult<Option<ScopeSet>>;
    /// Records (or widens) a user's consent for an app.
    async fn save_consent(
        &self,
        user_id: &SfId,
        app_id: &SfId,
        scopes: &ScopeSet,
        now: UnixMillis,
    ) -> StoreResult<()>;
    /// Records a use of the approval's refresh token (Salesforce's `UseCount`, `LastUsedDate`).
    async fn touch_approval(&self, id: &SfId, now: UnixMillis) -> StoreResult<()>;
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKey>>;
    async fn insert_signing_key(&self, key: &SigningKey) -> StoreResult<()>;
    /// A server-wide setting (the generated data key when none is configured, …).
    async fn get_setting(&self, name: &str) -> StoreResult<Option<String>>;
    /// Sets a setting only if it has no value yet; returns the value that is stored afterwards,
    /// so that two nodes starting at once agree on one value.
    async fn init_setting(&self, name: &str, value: &str) -> StoreResult<String>;
}

#[async_trait]
pub trait CertificateStore: Send + Sync {
    /// Fails with `Conflict("name")` when the name is taken in the org.
    async fn insert_certificate(&self, cert: &OrgCertificate) -> StoreResult<()>;
    async fn find_certificate(&self, id: &SfId) -> StoreResult<Option<OrgCertificate>>;
    async fn find_certificate_by_name(
        &self,
        org_id: &SfId,
        name: &str,
    ) -> StoreResult<Option<OrgCertificate>>;
    /// The org's certificates by name.
    async fn list_certificates(&self, org_id: &SfId) -> StoreResult<Vec<OrgCertificate>>;
}

/// The setup audit trail: append-only.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn insert_audit_entry(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// The org's newest entries first, at most `limit`.
    async fn list_audit_entries(&self, org_id: &SfId, limit: u32) -> StoreResult<Vec<AuditEntry>>;
}

/// Device authorizations (RFC 8628). Every transition is one conditional update, so that two
/// nodes can never both approve, deny or redeem one authorization.
#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Stores a new authorization; `Conflict("userCode")` when a kept authorization already has
    /// that user code (the caller draws another). Also forgets authorizations that expired long
    /// before `now`.
    async fn insert_device_authorization(
        &self,
        auth: &DeviceAuthorization,
        now: UnixMillis,
    ) -> StoreResult<()>;
    async fn find_device_authorization(
        &self,
        device_code_hash: &TokenHash,
    ) -> StoreResult<Option<DeviceAuthorization>>;
    async fn find_device_authorization_by_user_code(
        &self,
        user_code_hash: &TokenHash,
    ) -> StoreResult<Option<DeviceAuthorization>>;
    /// Records a poll of a pending authorization with its (possibly grown) interval, only if no
    /// other poll was recorded since the caller read `seen_polls`; false otherwise.
    async fn record_device_poll(
        &self,
        device_code_hash: &TokenHash,
        seen_polls: i64,
        interval_secs: i64,
        now: UnixMillis,
    ) -> StoreResult<bool>;
    /// Pending → approved or denied, once and only before expiry; false when it was decided
    /// already, has expired, or does not exist.
    async fn decide_device_authorization(
        &self,
        user_code_hash: &TokenHash,
        decision: &DeviceDecision,
        now: UnixMillis,
    ) -> StoreResult<bool>;
    /// Approved → redeemed, once and only before expiry; false otherwise.
    async fn redeem_device_authorization(
        &self,
        device_code_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<bool>;
    /// Wrong user codes entered in a browser session (none recorded: zero, unlocked).
    async fn find_code_guesses(&self, session_hash: &TokenHash) -> StoreResult<CodeGuesses>;
    /// Counts a wrong user code; at `threshold` the session is locked until `lock_until`. A lock
    /// that has run out restarts the count.
    async fn record_wrong_code_guess(
        &self,
        session_hash: &TokenHash,
        threshold: i32,
        lock_until: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<CodeGuesses>;
}

/// One-time JWT ids (RFC 7523 §3 item 7, OIDC Core §9): kept in the database so that every node
/// sees a `jti` once it was used.
#[async_trait]
pub trait JtiStore: Send + Sync {
    /// Remembers `key` (a hash of issuer and `jti`) until `expires_at`; false when it is already
    /// remembered, i.e. a replay. Forgets keys whose time is up.
    async fn remember_jti(
        &self,
        key: &TokenHash,
        expires_at: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<bool>;
}

/// One asset token issuance (Salesforce's `AssetTokenEvent` platform event,
/// `reference/salesforce-oauth.md` §3.11): who got a token for which device, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetTokenEvent {
    /// The asset token's `jti`.
    pub id: String,
    pub org_id: SfId,
    pub app_id: SfId,
    pub user_id: SfId,
    /// The actor token's `did`.
    pub device_id: Option<String>,
    /// The actor token's `Name` (the asset token's display name).
    pub name: Option<String>,
    /// `Asset.Name` and `Asset.SerialNumber` of the actor token.
    pub asset_name: Option<String>,
    pub asset_serial_number: Option<String>,
    pub expires_at: UnixMillis,
    pub created_at: UnixMillis,
}

/// Asset token events: append-only.
#[async_trait]
pub trait AssetEventStore: Send + Sync {
    async fn insert_asset_token_event(&self, event: &AssetTokenEvent) -> StoreResult<()>;
    /// The org's newest events first, at most `limit`.
    async fn list_asset_token_events(
        &self,
        org_id: &SfId,
        limit: u32,
    ) -> StoreResult<Vec<AssetTokenEvent>>;
}

/// What logging out needs (OIDC Front-Channel and Back-Channel Logout 1.0): a session's apps
/// are the apps of the access tokens issued in it (`AccessTokenRecord::session_hash`), so no
/// separate record can drift from the tokens.
#[async_trait]
pub trait LogoutStore: Send + Sync {
    /// Live sessions of a user, newest first.
    async fn list_user_sessions(
        &self,
        user_id: &SfId,
        now: UnixMillis,
    ) -> StoreResult<Vec<Session>>;
    /// The distinct apps that received an access token in a session (live or not).
    async fn session_app_ids(&self, session_hash: &TokenHash) -> StoreResult<Vec<SfId>>;
    /// Revokes every live access token issued in a session and consumes its unredeemed
    /// authorization codes (security.md §3.8); returns how many tokens it revoked.
    async fn revoke_session_tokens(
        &self,
        session_hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<u64>;
}

/// Dynamic client registration (RFC 7591 / RFC 7592): registrars' initial access tokens and the
/// registrations of the apps they created. Tokens are stored as hashes only.
#[async_trait]
pub trait RegistrationStore: Send + Sync {
    /// Sets a registrar app's initial access token, replacing (and so invalidating) any earlier one.
    async fn set_initial_access_token(
        &self,
        app_id: &SfId,
        hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<()>;
    /// The app whose initial access token has this hash.
    async fn find_initial_access_token_app(&self, hash: &TokenHash) -> StoreResult<Option<SfId>>;
    /// Inserts or replaces the registration of a registered app (its app row must exist).
    async fn save_client_registration(&self, registration: &ClientRegistration) -> StoreResult<()>;
    async fn find_client_registration(
        &self,
        app_id: &SfId,
    ) -> StoreResult<Option<ClientRegistration>>;
}

/// Everything Portico stores.
pub trait Store:
    OrgStore
    + UserStore
    + PermissionStore
    + AppStore
    + CertificateStore
    + AuditStore
    + SessionStore
    + CodeStore
    + TokenStore
    + KeyStore
    + DeviceStore
    + JtiStore
    + AssetEventStore
    + LogoutStore
    + RegistrationStore
{
}

impl<T> Store for T where
    T: OrgStore
        + UserStore
        + PermissionStore
        + AppStore
        + CertificateStore
        + AuditStore
        + SessionStore
        + CodeStore
        + TokenStore
        + KeyStore
        + DeviceStore
        + JtiStore
        + RegistrationStore
        + AssetEventStore
        + LogoutStore
{
}
