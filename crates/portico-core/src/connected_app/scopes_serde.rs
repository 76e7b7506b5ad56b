//! Scopes in connected-app JSON: accepted as enum names or wire tokens, written as enum names
//! (CONTRACT §3).

use serde::{Deserialize, Deserializer, Serializer};

use crate::scope::ScopeSet;

pub(super) fn serialize<S: Serializer>(scopes: &ScopeSet, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(scopes.enum_names())
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ScopeSet, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    ScopeSet::parse_list(names.iter().map(String::as_str))
        .map_err(|bad| serde::de::Error::custom(format!("unknown OAuth scope `{bad}`")))
}
