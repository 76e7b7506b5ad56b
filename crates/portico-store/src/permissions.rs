//! Profiles and permission sets (one table, told apart by `kind`) and the assignment of
//! permission sets to users.

use async_trait::async_trait;
use portico_core::ids::SfId;
use portico_core::org::{
    PermissionBundle, custom_permissions_from_text, custom_permissions_to_text,
    permissions_from_text, permissions_to_text,
};
use portico_core::store::{BundleKind, PermissionStore, StoreResult};

use crate::SqlStore;
use crate::error::{expect_one, store_err};
use crate::rows;

#[derive(sqlx::FromRow)]
struct BundleRow {
    id: String,
    org_id: String,
    name: String,
    label: String,
    permissions: String,
    custom_permissions: String,
}

impl BundleRow {
    fn into_domain(self) -> StoreResult<PermissionBundle> {
        Ok(PermissionBundle {
            id: rows::id(self.id)?,
            org_id: rows::id(self.org_id)?,
            name: self.name,
            label: self.label,
            permissions: permissions_from_text(&self.permissions),
            custom_permissions: custom_permissions_from_text(&self.custom_permissions),
        })
    }
}

/// The stored `kind` value (the migration's CHECK constraint lists the same two).
const fn kind_text(kind: BundleKind) -> &'static str {
    match kind {
        BundleKind::Profile => "profile",
        BundleKind::PermissionSet => "permission_set",
    }
}

#[async_trait]
impl PermissionStore for SqlStore {
    async fn insert_bundle(&self, kind: BundleKind, bundle: &PermissionBundle) -> StoreResult<()> {
        let permissions = permissions_to_text(&bundle.permissions);
        let custom = custom_permissions_to_text(&bundle.custom_permissions);
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO permission_bundles \
                 (id, org_id, kind, name, label, permissions, custom_permissions) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(bundle.id.as_str())
            .bind(bundle.org_id.as_str())
            .bind(kind_text(kind))
            .bind(&bundle.name)
            .bind(&bundle.label)
            .bind(&permissions)
            .bind(&custom)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_err)
    }

    async fn update_bundle(&self, kind: BundleKind, bundle: &PermissionBundle) -> StoreResult<()> {
        let permissions = permissions_to_text(&bundle.permissions);
        let custom = custom_permissions_to_text(&bundle.custom_permissions);
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE permission_bundles SET name = $1, label = $2, permissions = $3, \
                 custom_permissions = $6 WHERE id = $4 AND kind = $5",
            )
            .bind(&bundle.name)
            .bind(&bundle.label)
            .bind(&permissions)
            .bind(bundle.id.as_str())
            .bind(kind_text(kind))
            .bind(&custom)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(changed)
    }

    async fn find_bundle(
        &self,
        kind: BundleKind,
        id: &SfId,
    ) -> StoreResult<Option<PermissionBundle>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, BundleRow>(
                "SELECT id, org_id, name, label, permissions, custom_permissions FROM permission_bundles \
                 WHERE id = $1 AND kind = $2",
            )
            .bind(id.as_str())
            .bind(kind_text(kind))
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(BundleRow::into_domain).transpose()
    }

    async fn find_bundle_by_name(
        &self,
        kind: BundleKind,
        org_id: &SfId,
        name: &str,
    ) -> StoreResult<Option<PermissionBundle>> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as::<_, BundleRow>(
                "SELECT id, org_id, name, label, permissions, custom_permissions FROM permission_bundles \
                 WHERE org_id = $1 AND kind = $2 AND name = $3",
            )
            .bind(org_id.as_str())
            .bind(kind_text(kind))
            .bind(name)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_err)?;
        row.map(BundleRow::into_domain).transpose()
    }

    async fn list_bundles(
        &self,
        kind: BundleKind,
        org_id: &SfId,
    ) -> StoreResult<Vec<PermissionBundle>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, BundleRow>(
                "SELECT id, org_id, name, label, permissions, custom_permissions FROM permission_bundles \
                 WHERE org_id = $1 AND kind = $2 ORDER BY name, id",
            )
            .bind(org_id.as_str())
            .bind(kind_text(kind))
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(BundleRow::into_domain).collect()
    }

    async fn assign_permission_set(
        &self,
        user_id: &SfId,
        permission_set_id: &SfId,
    ) -> StoreResult<()> {
        // Selecting the pair only when both exist (and the bundle is a permission set, not a
        // profile) turns a bad id into NotFound instead of a foreign-key error; a second
        // assignment hits the primary key and becomes Conflict("permissionSetId").
        let inserted = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO user_permission_sets (user_id, permission_set_id) \
                 SELECT u.id, b.id FROM users u, permission_bundles b \
                 WHERE u.id = $1 AND b.id = $2 AND b.kind = $3",
            )
            .bind(user_id.as_str())
            .bind(permission_set_id.as_str())
            .bind(kind_text(BundleKind::PermissionSet))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(inserted)
    }

    async fn unassign_permission_set(
        &self,
        user_id: &SfId,
        permission_set_id: &SfId,
    ) -> StoreResult<()> {
        let deleted = on_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM user_permission_sets WHERE user_id = $1 AND permission_set_id = $2",
            )
            .bind(user_id.as_str())
            .bind(permission_set_id.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(store_err)?;
        expect_one(deleted)
    }

    async fn user_permission_sets(&self, user_id: &SfId) -> StoreResult<Vec<PermissionBundle>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, BundleRow>(
                "SELECT b.id, b.org_id, b.name, b.label, b.permissions, b.custom_permissions \
                 FROM user_permission_sets a JOIN permission_bundles b ON b.id = a.permission_set_id \
                 WHERE a.user_id = $1 ORDER BY b.name, b.id",
            )
            .bind(user_id.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(store_err)?;
        rows.into_iter().map(BundleRow::into_domain).collect()
    }
}
