//! Driver errors into `StoreError`: a unique violation becomes `Conflict` naming the field as the
//! admin API names it; anything else becomes `Other` carrying only text, so no sqlx type reaches
//! the core.

use portico_core::StoreError;

/// A unique constraint of the schema and the field a conflict on it is reported as.
struct UniqueKey {
    /// The constraint name PostgreSQL reports (set explicitly in the migration).
    postgres: &'static str,
    /// The column list SQLite reports after "UNIQUE constraint failed: ".
    sqlite: &'static str,
    field: &'static str,
}

const fn key(postgres: &'static str, sqlite: &'static str, field: &'static str) -> UniqueKey {
    UniqueKey {
        postgres,
        sqlite,
        field,
    }
}

/// Every unique constraint in `migrations/`; keep in step with them.
const UNIQUE_KEYS: &[UniqueKey] = &[
    key("orgs_pkey", "orgs.id", "id"),
    key("permission_bundles_pkey", "permission_bundles.id", "id"),
    key(
        "permission_bundles_name_key",
        "permission_bundles.org_id, permission_bundles.kind, permission_bundles.name",
        "name",
    ),
    key("users_pkey", "users.id", "id"),
    key("users_username_key", "users.username_lower", "username"),
    key(
        "user_permission_sets_pkey",
        "user_permission_sets.user_id, user_permission_sets.permission_set_id",
        "permissionSetId",
    ),
    key("connected_apps_pkey", "connected_apps.id", "id"),
    key(
        "connected_apps_consumer_key_key",
        "connected_apps.consumer_key",
        "consumerKey",
    ),
    key(
        "connected_apps_full_name_key",
        "connected_apps.org_id, connected_apps.full_name",
        "fullName",
    ),
    key("sessions_pkey", "sessions.id_hash", "session"),
    key(
        "authorization_codes_pkey",
        "authorization_codes.hash",
        "code",
    ),
    key("approvals_pkey", "approvals.id", "id"),
    key("refresh_tokens_pkey", "refresh_tokens.hash", "refreshToken"),
    key("access_tokens_pkey", "access_tokens.hash", "accessToken"),
    key(
        "consents_pkey",
        "consents.user_id, consents.app_id",
        "appId",
    ),
    key("signing_keys_pkey", "signing_keys.kid", "kid"),
    key("settings_pkey", "settings.name", "name"),
    key("certificates_pkey", "certificates.id", "id"),
    key(
        "certificates_name_key",
        "certificates.org_id, certificates.name",
        "name",
    ),
    key("setup_audit_trail_pkey", "setup_audit_trail.seq", "id"),
    key("setup_audit_trail_id_key", "setup_audit_trail.id", "id"),
];

/// Converts a driver error, recognising unique violations.
pub(crate) fn store_err(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return StoreError::Conflict(conflict_field(db.constraint(), db.message()).to_owned());
        }
        if db.is_foreign_key_violation() {
            return StoreError::Other(anyhow::anyhow!(
                "a referenced record does not exist: {}",
                db.message()
            ));
        }
    }
    other(err)
}

/// Converts any error to `StoreError::Other` as text.
pub(crate) fn other(err: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("database error: {err}"))
}

fn conflict_field(constraint: Option<&str>, message: &str) -> &'static str {
    let sqlite_columns = message.strip_prefix("UNIQUE constraint failed: ");
    UNIQUE_KEYS
        .iter()
        .find(|k| constraint == Some(k.postgres) || sqlite_columns == Some(k.sqlite))
        .map_or_else(
            || {
                tracing::warn!(
                    constraint,
                    message,
                    "unique violation on an unmapped constraint"
                );
                "id"
            },
            |k| k.field,
        )
}

/// An update or delete of one row by key: no row changed means there was no such row.
pub(crate) fn expect_one(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_name_the_field_on_both_backends() {
        assert_eq!(
            conflict_field(Some("users_username_key"), "duplicate key value"),
            "username"
        );
        assert_eq!(
            conflict_field(None, "UNIQUE constraint failed: users.username_lower"),
            "username"
        );
        assert_eq!(
            conflict_field(
                None,
                "UNIQUE constraint failed: connected_apps.org_id, connected_apps.full_name"
            ),
            "fullName"
        );
        assert_eq!(conflict_field(Some("something_else"), "?"), "id");
    }

    /// All migrations of one backend, concatenated.
    fn schema(backend: &str) -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect()
    }

    #[test]
    fn every_unique_key_names_a_postgres_constraint() {
        // PostgreSQL reports constraint names, so a renamed constraint would silently stop
        // mapping; SQLite reports columns, which the conformance suite's conflicts exercise.
        let pg = schema("postgres");
        for k in UNIQUE_KEYS {
            assert!(
                pg.contains(&format!("CONSTRAINT {} ", k.postgres)),
                "{}",
                k.postgres
            );
        }
    }

    #[test]
    fn every_unique_constraint_is_mapped() {
        for backend in ["postgres", "sqlite"] {
            for line in schema(backend).lines() {
                let Some(rest) = line.trim().strip_prefix("CONSTRAINT ") else {
                    continue;
                };
                let name = rest.split_whitespace().next().unwrap();
                if rest.contains("PRIMARY KEY") || rest.contains("UNIQUE") {
                    assert!(
                        UNIQUE_KEYS.iter().any(|k| k.postgres == name),
                        "{backend}: {name} is not in UNIQUE_KEYS"
                    );
                }
            }
        }
    }
}
