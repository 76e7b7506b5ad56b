//! The setup audit trail (issue 3, "Every change to an app is recorded"; Salesforce's View Setup
//! Audit Trail): who changed what, when, field by field. Secrets are never written: consumer
//! secrets are not part of the settings, and a certificate is recorded by its fingerprint.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::UnixMillis;
use crate::ids::{KeyPrefix, SfId};

use super::AppSettings;

/// Values longer than this are cut in the trail (Salesforce cuts at 255 too).
const MAX_VALUE_CHARS: usize = 255;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// `0Ym…`, as Salesforce's SetupAuditTrail records.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: SfId,
    #[serde(skip)]
    pub org_id: SfId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub created_at: UnixMillis,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by_id: SfId,
    pub created_by_username: String,
    /// Machine-readable action, e.g. `connectedAppCreated`, `consumerSecretRotated`.
    pub action: String,
    /// The Setup area, e.g. `Connected Apps`, `Certificate and Key Management`.
    pub section: String,
    /// What was changed (an app's API name, a certificate's name).
    pub target: String,
    /// A sentence for people.
    pub display: String,
    pub changes: Vec<FieldChange>,
}

/// One field's old and new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// JSON path, e.g. `oauthConfig.callbackUrl`.
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

impl AuditEntry {
    /// A new entry by `who` at `at`.
    pub fn new(
        org_id: SfId,
        by: (SfId, String),
        at: UnixMillis,
        action: &str,
        section: &str,
        target: &str,
        display: String,
    ) -> Self {
        Self {
            id: SfId::generate(KeyPrefix::SetupAuditTrail),
            org_id,
            created_at: at,
            created_by_id: by.0,
            created_by_username: by.1,
            action: action.to_owned(),
            section: section.to_owned(),
            target: target.to_owned(),
            display,
            changes: Vec::new(),
        }
    }

    #[must_use]
    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Self {
        self.changes = changes;
        self
    }
}

/// The fields that differ between two versions of an app's settings (`None` = the app did not
/// exist), in path order.
pub fn diff_settings(old: Option<&AppSettings>, new: Option<&AppSettings>) -> Vec<FieldChange> {
    let flat = |s: Option<&AppSettings>| {
        let mut out = BTreeMap::new();
        if let Some(value) = s.and_then(|s| serde_json::to_value(s).ok()) {
            flatten("", &value, &mut out);
        }
        out
    };
    let (old, new) = (flat(old), flat(new));
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            old_value: old.get(k).cloned(),
            new_value: new.get(k).cloned(),
        })
        .collect()
}

fn flatten(path: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&join(k), v, out);
            }
        }
        // Lists of plain values read best as one line; lists of objects go element by element.
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            if !items.is_empty() {
                let text: Vec<String> = items.iter().map(scalar).collect();
                out.insert(path.to_owned(), cut(&text.join(", ")));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), v, out);
            }
        }
        Value::Null => {}
        other => {
            let text = if path == "oauthConfig.certificate" {
                certificate_summary(&scalar(other))
            } else {
                cut(&scalar(other))
            };
            out.insert(path.to_owned(), text);
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A certificate is long and not useful to read in a trail: its fingerprint identifies it.
fn certificate_summary(pem: &str) -> String {
    super::certificate::inspect_certificate(pem).map_or_else(
        |_| "(certificate)".to_owned(),
        |i| format!("certificate SHA-256 {}", i.sha256_fingerprint),
    )
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_VALUE_CHARS {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX_VALUE_CHARS - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connected_app::OAuthConfig;
    use crate::scope::ScopeSet;

    fn settings() -> AppSettings {
        AppSettings {
            full_name: "App".into(),
            label: "App".into(),
            contact_email: "a@example.com".into(),
            oauth_config: Some(OAuthConfig {
                callback_url: vec!["https://a.test/cb".into()],
                scopes: ScopeSet::parse("api").unwrap(),
                ..OAuthConfig::default()
            }),
            ..AppSettings::default()
        }
    }

    #[test]
    fn only_changed_fields_are_listed() {
        let old = settings();
        let mut new = old.clone();
        new.label = "New label".into();
        if let Some(o) = new.oauth_config.as_mut() {
            o.scopes = ScopeSet::parse("api openid").unwrap();
        }
        let changes = diff_settings(Some(&old), Some(&new));
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["label", "oauthConfig.scopes"]);
        assert_eq!(changes[1].old_value.as_deref(), Some("Api"));
        assert_eq!(changes[1].new_value.as_deref(), Some("Api, OpenID"));
    }

    #[test]
    fn creation_lists_every_set_field_and_long_values_are_cut() {
        let mut s = settings();
        s.description = Some("x".repeat(1000));
        let changes = diff_settings(None, Some(&s));
        assert!(changes.iter().all(|c| c.old_value.is_none()));
        let d = changes.iter().find(|c| c.field == "description").unwrap();
        assert_eq!(
            d.new_value.as_ref().unwrap().chars().count(),
            MAX_VALUE_CHARS
        );
    }
}
