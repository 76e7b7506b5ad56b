//! Dynamic client registration (RFC 7591 / RFC 7592): registrars' initial access tokens and the
//! registrations of the apps they created, both keyed by app and removed with it (the foreign
//! keys cascade). Tokens are SHA-256 hex hashes; registered metadata is JSON text.

use async_trait::async_trait;
use portico_core::clock::UnixMillis;
use portico_core::ids::SfId;
use portico_core::registration::ClientRegistration;
use portico_core::secret::TokenHash;
use portico_core::store::{RegistrationStore, StoreResult};

use crate::SqlStore;
use crate::error::{other, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct RegistrationRow {
    app_id: String,
    registration_token_hash: String,
    metadata: String,
    created_at: i64,
    updated_at: i64,
}

impl RegistrationRow {
    fn into_domain(self) -> StoreResult<ClientRegistration> {
        let metadata = serde_json::from_str(&self.metadata).map_err(|e| {
            other(format!(
                "stored metadata of registered app {} does not parse: {e}",
                self.app_id
            ))
        })?;
        Ok(ClientRegistration {
            app_id: rows::id(self.app_id)?,
            registration_token_hash: rows::hash(self.registration_token_hash),
            metadata,
            created_at: rows::millis(self.created_at),
            updated_at: rows::millis(self.updated_at),
        })
    }
}

#[async_trait]
impl RegistrationStore for SqlStore {
    async fn set_initial_access_token(
        &self,
        app_id: &SfId,
        hash: &TokenHash,
        now: UnixMillis,
    ) -> StoreResult<()> {
        // One row per app: the upsert replaces the old hash, which invalidates the old token.
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO initial_access_tokens (app_id, token_hash, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (app_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
            )
            .bind(app_id.as_str())
            .bind(hash.as_str())
            .bind(now.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn find_initial_access_token_app(&self, hash: &TokenHash) -> StoreResult<Option<SfId>> {
        let app_id: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT app_id FROM initial_access_tokens WHERE token_hash = $1")
                .bind(hash.as_str())
                .fetch_optional(pool)
                .await
        })
        .map_err(store_err)?;
        app_id.map(rows::id).transpose()
    }

    async fn save_client_registration(&self, registration: &ClientRegistration) -> StoreResult<()> {
        let metadata = serde_json::to_string(&registration.metadata).map_err(other)?;
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO client_registrations \
                 (app_id, registration_token_hash, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (app_id) DO UPDATE SET registration_token_hash = excluded.registration_token_hash, \
                 metadata = excluded.metadata, updated_at = excluded.updated_at",
            )
            .bind(registration.app_id.as_str())
            .bind(registration.registration_token_hash.as_str())
            .bind(&metadata)
            .bind(registration.created_at.0)
            .bind(registration.updated_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn find_client_registration(
        &self,
        app_id: &SfId,
    ) -> StoreResult<Option<ClientRegistration>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, RegistrationRow>(
                "SELECT app_id, registration_token_hash, metadata, created_at, updated_at \
                 FROM client_registrations WHERE app_id = $1",
            )
            .bind(app_id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(RegistrationRow::into_domain).transpose()
    }
}
