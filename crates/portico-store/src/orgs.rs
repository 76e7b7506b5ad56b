//! The org: one row per server (Portico serves one org per database).

use async_trait::async_trait;
use portico_core::org::{Edition, Org};
use portico_core::store::{OrgStore, StoreResult};

use crate::SqlStore;
use crate::error::{expect_one, other, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    name: String,
    edition: String,
    created_at: i64,
}

impl OrgRow {
    fn into_domain(self) -> StoreResult<Org> {
        Ok(Org {
            id: rows::id(self.id)?,
            name: self.name,
            edition: self.edition.parse::<Edition>().map_err(other)?,
            created_at: rows::millis(self.created_at),
        })
    }
}

#[async_trait]
impl OrgStore for SqlStore {
    async fn find_org(&self) -> StoreResult<Option<Org>> {
        // Should a second org ever be inserted, the first one stays the server's org.
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, OrgRow>(
                "SELECT id, name, edition, created_at FROM orgs ORDER BY created_at, id LIMIT 1",
            )
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(OrgRow::into_domain).transpose()
    }

    async fn insert_org(&self, org: &Org) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("INSERT INTO orgs (id, name, edition, created_at) VALUES ($1, $2, $3, $4)")
                .bind(org.id.as_str())
                .bind(&org.name)
                .bind(org.edition.as_str())
                .bind(org.created_at.0)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn update_org(&self, org: &Org) -> StoreResult<()> {
        let changed = on_pool!(self, |pool| {
            sqlx::query("UPDATE orgs SET name = $1, edition = $2 WHERE id = $3")
                .bind(&org.name)
                .bind(org.edition.as_str())
                .bind(org.id.as_str())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(changed)
    }
}
