//! The setup audit trail (`AuditStore`, issue 3): append-only rows, listed newest first (by
//! insertion order, so that entries of the same millisecond keep their order). The
//! field changes are a JSON array in one TEXT column (portable, and never queried inside).

use async_trait::async_trait;
use portico_core::connected_app::audit::{AuditEntry, FieldChange};
use portico_core::ids::SfId;
use portico_core::store::{AuditStore, StoreResult};

use crate::SqlStore;
use crate::error::{other, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    org_id: String,
    created_at: i64,
    created_by_id: String,
    created_by_username: String,
    action: String,
    section: String,
    target: String,
    display: String,
    changes: String,
}

impl AuditRow {
    fn into_domain(self) -> StoreResult<AuditEntry> {
        let changes: Vec<FieldChange> = serde_json::from_str(&self.changes).map_err(|e| {
            other(format!(
                "stored changes of audit entry {} do not parse: {e}",
                self.id
            ))
        })?;
        Ok(AuditEntry {
            id: rows::id(self.id)?,
            org_id: rows::id(self.org_id)?,
            created_at: rows::millis(self.created_at),
            created_by_id: rows::id(self.created_by_id)?,
            created_by_username: self.created_by_username,
            action: self.action,
            section: self.section,
            target: self.target,
            display: self.display,
            changes,
        })
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn insert_audit_entry(&self, entry: &AuditEntry) -> StoreResult<()> {
        let changes = serde_json::to_string(&entry.changes).map_err(other)?;
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO setup_audit_trail (id, org_id, created_at, created_by_id, created_by_username, \
                 action, section, target, display, changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(entry.id.as_str())
            .bind(entry.org_id.as_str())
            .bind(entry.created_at.0)
            .bind(entry.created_by_id.as_str())
            .bind(&entry.created_by_username)
            .bind(&entry.action)
            .bind(&entry.section)
            .bind(&entry.target)
            .bind(&entry.display)
            .bind(&changes)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn list_audit_entries(&self, org_id: &SfId, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, AuditRow>(
                "SELECT id, org_id, created_at, created_by_id, created_by_username, action, section, target, \
                 display, changes FROM setup_audit_trail WHERE org_id = $1 \
                 ORDER BY seq DESC LIMIT $2",
            )
            .bind(org_id.as_str())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(AuditRow::into_domain).collect()
    }
}
