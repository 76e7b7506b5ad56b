//! Decoding stored columns into domain values. Stored data is trusted but not blindly: an id
//! that does not parse is reported as an error rather than a panic.

use portico_core::StoreError;
use portico_core::clock::UnixMillis;
use portico_core::ids::SfId;
use portico_core::scope::{Scope, ScopeSet};
use portico_core::secret::TokenHash;

pub(crate) fn id(stored: String) -> Result<SfId, StoreError> {
    SfId::try_from(stored).map_err(|e| StoreError::Other(anyhow::anyhow!("stored {e}")))
}

pub(crate) fn opt_id(stored: Option<String>) -> Result<Option<SfId>, StoreError> {
    stored.map(id).transpose()
}

pub(crate) fn hash(stored: String) -> TokenHash {
    TokenHash::from_stored(stored)
}

pub(crate) fn opt_hash(stored: Option<String>) -> Option<TokenHash> {
    stored.map(TokenHash::from_stored)
}

pub(crate) fn millis(stored: i64) -> UnixMillis {
    UnixMillis(stored)
}

pub(crate) fn opt_millis(stored: Option<i64>) -> Option<UnixMillis> {
    stored.map(UnixMillis)
}

/// Space-separated scopes. A scope this version no longer knows is dropped (with a warning)
/// rather than failing the record: dropping narrows access, and a downgrade must not lock
/// every token out.
pub(crate) fn scopes(stored: &str) -> ScopeSet {
    stored
        .split_whitespace()
        .filter_map(|s| {
            let scope = Scope::parse(s);
            if scope.is_none() {
                tracing::warn!(scope = s, "ignoring an unknown stored scope");
            }
            scope
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_stored_scopes_are_dropped() {
        assert_eq!(
            scopes("api bogus refresh_token").to_wire(),
            "api refresh_token"
        );
        assert!(scopes("").is_empty());
    }

    #[test]
    fn bad_stored_ids_are_errors() {
        assert!(id("nope".to_owned()).is_err());
        assert!(opt_id(None).unwrap().is_none());
    }
}
