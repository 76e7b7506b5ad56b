//! Asset token events (`reference/salesforce-oauth.md` §3.11, Salesforce's `AssetTokenEvent`):
//! one append-only row per asset token issued, listed newest first.

use async_trait::async_trait;
use portico_core::ids::SfId;
use portico_core::store::{AssetEventStore, AssetTokenEvent, StoreResult};

use crate::SqlStore;
use crate::error::store_err;
use crate::rows;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    org_id: String,
    app_id: String,
    user_id: String,
    device_id: Option<String>,
    name: Option<String>,
    asset_name: Option<String>,
    asset_serial_number: Option<String>,
    expires_at: i64,
    created_at: i64,
}

impl EventRow {
    fn into_domain(self) -> StoreResult<AssetTokenEvent> {
        Ok(AssetTokenEvent {
            id: self.id,
            org_id: rows::id(self.org_id)?,
            app_id: rows::id(self.app_id)?,
            user_id: rows::id(self.user_id)?,
            device_id: self.device_id,
            name: self.name,
            asset_name: self.asset_name,
            asset_serial_number: self.asset_serial_number,
            expires_at: rows::millis(self.expires_at),
            created_at: rows::millis(self.created_at),
        })
    }
}

#[async_trait]
impl AssetEventStore for SqlStore {
    async fn insert_asset_token_event(&self, event: &AssetTokenEvent) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO asset_token_events (id, org_id, app_id, user_id, device_id, name, asset_name, \
                 asset_serial_number, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&event.id)
            .bind(event.org_id.as_str())
            .bind(event.app_id.as_str())
            .bind(event.user_id.as_str())
            .bind(event.device_id.as_deref())
            .bind(event.name.as_deref())
            .bind(event.asset_name.as_deref())
            .bind(event.asset_serial_number.as_deref())
            .bind(event.expires_at.0)
            .bind(event.created_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn list_asset_token_events(
        &self,
        org_id: &SfId,
        limit: u32,
    ) -> StoreResult<Vec<AssetTokenEvent>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, EventRow>(
                "SELECT id, org_id, app_id, user_id, device_id, name, asset_name, asset_serial_number, \
                 expires_at, created_at FROM asset_token_events WHERE org_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2",
            )
            .bind(org_id.as_str())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(EventRow::into_domain).collect()
    }
}
