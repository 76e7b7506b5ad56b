//! The org's certificates (`CertificateStore`, issue 3): names are unique per org, and the
//! private key is stored only as the data key sealed it.

use async_trait::async_trait;
use portico_core::StoreError;
use portico_core::connected_app::org_certificate::OrgCertificate;
use portico_core::ids::SfId;
use portico_core::store::{CertificateStore, StoreResult};

use crate::SqlStore;
use crate::error::store_err;
use crate::rows;

const COLUMNS: &str = "id, org_id, name, pem, private_key_sealed, subject, expires_at, created_at";

#[derive(sqlx::FromRow)]
struct CertificateRow {
    id: String,
    org_id: String,
    name: String,
    pem: String,
    private_key_sealed: String,
    subject: String,
    expires_at: i64,
    created_at: i64,
}

impl CertificateRow {
    fn into_domain(self) -> StoreResult<OrgCertificate> {
        Ok(OrgCertificate {
            id: rows::id(self.id)?,
            org_id: rows::id(self.org_id)?,
            name: self.name,
            pem: self.pem,
            private_key_sealed: self.private_key_sealed,
            subject: self.subject,
            expires_at: rows::millis(self.expires_at),
            created_at: rows::millis(self.created_at),
        })
    }
}

#[async_trait]
impl CertificateStore for SqlStore {
    async fn insert_certificate(&self, cert: &OrgCertificate) -> StoreResult<()> {
        let result = on_pool!(self, |pool| {
            sqlx::query(&format!(
                "INSERT INTO certificates ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .bind(cert.id.as_str())
            .bind(cert.org_id.as_str())
            .bind(&cert.name)
            .bind(&cert.pem)
            .bind(&cert.private_key_sealed)
            .bind(&cert.subject)
            .bind(cert.expires_at.0)
            .bind(cert.created_at.0)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err);
        // Ids are random and never collide in practice, so a unique violation is the name (the
        // shared constraint table in error.rs predates this table).
        match result {
            Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("name".to_owned())),
            other => other,
        }
    }

    async fn find_certificate(&self, id: &SfId) -> StoreResult<Option<OrgCertificate>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, CertificateRow>(&format!(
                "SELECT {COLUMNS} FROM certificates WHERE id = $1"
            ))
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(CertificateRow::into_domain).transpose()
    }

    async fn find_certificate_by_name(
        &self,
        org_id: &SfId,
        name: &str,
    ) -> StoreResult<Option<OrgCertificate>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, CertificateRow>(&format!(
                "SELECT {COLUMNS} FROM certificates WHERE org_id = $1 AND name = $2"
            ))
            .bind(org_id.as_str())
            .bind(name)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(CertificateRow::into_domain).transpose()
    }

    async fn list_certificates(&self, org_id: &SfId) -> StoreResult<Vec<OrgCertificate>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, CertificateRow>(&format!(
                "SELECT {COLUMNS} FROM certificates WHERE org_id = $1 ORDER BY name, id"
            ))
            .bind(org_id.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(CertificateRow::into_domain).collect()
    }
}
