//! Connected apps. Settings are stored as JSON text (one column type that fits both backends);
//! the full name and consumer key are copied into their own columns so that they can be unique.

use async_trait::async_trait;
use portico_core::connected_app::{AppSettings, ConnectedApp};
use portico_core::ids::SfId;
use portico_core::store::{AppStore, StoreResult};

use crate::SqlStore;
use crate::error::{expect_one, other, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct AppRow {
    id: String,
    org_id: String,
    consumer_key: String,
    consumer_secret_sealed: Option<String>,
    settings: String,
    is_installed: bool,
    is_packaged: bool,
    registered_by: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl AppRow {
    fn into_domain(self) -> StoreResult<ConnectedApp> {
        let settings: AppSettings = serde_json::from_str(&self.settings).map_err(|e| {
            other(format!(
                "stored settings of app {} do not parse: {e}",
                self.id
            ))
        })?;
        Ok(ConnectedApp {
            id: rows::id(self.id)?,
            org_id: rows::id(self.org_id)?,
            settings,
            consumer_key: self.consumer_key,
            consumer_secret_sealed: self.consumer_secret_sealed,
            is_installed: self.is_installed,
            is_packaged: self.is_packaged,
            registered_by: rows::opt_id(self.registered_by)?,
            created_at: rows::millis(self.created_at),
            updated_at: rows::millis(self.updated_at),
        })
    }
}

fn settings_json(app: &ConnectedApp) -> StoreResult<String> {
    serde_json::to_string(&app.settings).map_err(other)
}

#[async_trait]
impl AppStore for SqlStore {
    async fn insert_app(&self, app: &ConnectedApp) -> StoreResult<()> {
        let settings = settings_json(app)?;
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO connected_apps (id, org_id, full_name, consumer_key, consumer_secret_sealed, \
                 settings, is_installed, is_packaged, registered_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(app.id.as_str())
            .bind(app.org_id.as_str())
            .bind(app.full_name())
            .bind(&app.consumer_key)
            .bind(app.consumer_secret_sealed.as_deref())
            .bind(&settings)
            .bind(app.is_installed)
            .bind(app.is_packaged)
            .bind(app.registered_by.as_ref().map(SfId::as_str))
            .bind(app.created_at.0)
            .bind(app.updated_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn update_app(&self, app: &ConnectedApp) -> StoreResult<()> {
        let settings = settings_json(app)?;
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE connected_apps SET full_name = $1, consumer_key = $2, consumer_secret_sealed = $3, \
                 settings = $4, is_installed = $5, is_packaged = $6, registered_by = $7, updated_at = $8 \
                 WHERE id = $9",
            )
            .bind(app.full_name())
            .bind(&app.consumer_key)
            .bind(app.consumer_secret_sealed.as_deref())
            .bind(&settings)
            .bind(app.is_installed)
            .bind(app.is_packaged)
            .bind(app.registered_by.as_ref().map(SfId::as_str))
            .bind(app.updated_at.0)
            .bind(app.id.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(changed)
    }

    async fn delete_app(&self, id: &SfId) -> StoreResult<()> {
        // Codes, approvals, access tokens and consents go with the app (ON DELETE CASCADE).
        let deleted = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM connected_apps WHERE id = $1")
                .bind(id.as_str())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(deleted)
    }

    async fn find_app(&self, id: &SfId) -> StoreResult<Option<ConnectedApp>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, AppRow>(
                "SELECT id, org_id, consumer_key, consumer_secret_sealed, settings, is_installed, \
                 is_packaged, registered_by, created_at, updated_at FROM connected_apps WHERE id = $1",
            )
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(AppRow::into_domain).transpose()
    }

    async fn find_app_by_consumer_key(
        &self,
        consumer_key: &str,
    ) -> StoreResult<Option<ConnectedApp>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, AppRow>(
                "SELECT id, org_id, consumer_key, consumer_secret_sealed, settings, is_installed, \
                 is_packaged, registered_by, created_at, updated_at FROM connected_apps \
                 WHERE consumer_key = $1",
            )
            .bind(consumer_key)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(AppRow::into_domain).transpose()
    }

    async fn find_app_by_name(
        &self,
        org_id: &SfId,
        full_name: &str,
    ) -> StoreResult<Option<ConnectedApp>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, AppRow>(
                "SELECT id, org_id, consumer_key, consumer_secret_sealed, settings, is_installed, \
                 is_packaged, registered_by, created_at, updated_at FROM connected_apps \
                 WHERE org_id = $1 AND full_name = $2",
            )
            .bind(org_id.as_str())
            .bind(full_name)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(AppRow::into_domain).transpose()
    }

    async fn list_apps(&self, org_id: &SfId) -> StoreResult<Vec<ConnectedApp>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, AppRow>(
                "SELECT id, org_id, consumer_key, consumer_secret_sealed, settings, is_installed, \
                 is_packaged, registered_by, created_at, updated_at FROM connected_apps \
                 WHERE org_id = $1 ORDER BY full_name, id",
            )
            .bind(org_id.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(AppRow::into_domain).collect()
    }
}
