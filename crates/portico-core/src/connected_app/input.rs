//! The untrusted shape of a connected app as an administrator sends it (CONTRACT §3: the Metadata
//! API `ConnectedApp` names, camelCase): every field optional, unknown fields refused. Only
//! [`super::validate`] turns it into [`super::AppSettings`].
//!
//! The read-only fields of a GET response (`id`, `isInstalled`, `certificateInfo`, …) are accepted
//! and ignored, so that a client can fetch an app, edit it and PUT it back.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppInput {
    /// API name, unique in the org: letters, digits and single underscores, starting with a letter.
    pub full_name: Option<String>,
    pub label: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub info_url: Option<String>,
    /// Must be https.
    pub logo_url: Option<String>,
    pub icon_url: Option<String>,
    pub start_url: Option<String>,
    pub mobile_start_url: Option<String>,
    pub attributes: Option<Vec<AttributeInput>>,
    pub custom_permissions: Option<Vec<String>>,
    /// Profiles assigned to an admin-approved app.
    pub profile_name: Option<Vec<String>>,
    /// Permission sets assigned to an admin-approved app.
    pub permission_set_name: Option<Vec<String>>,
    pub ip_ranges: Option<Vec<IpRangeInput>>,
    /// Present = "Enable OAuth Settings".
    pub oauth_config: Option<OAuthConfigInput>,
    pub oauth_policy: Option<OAuthPolicyInput>,
    pub session_policy: Option<SessionPolicyInput>,
    /// Stored and returned verbatim (not acted on).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub saml_config: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub canvas_config: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub mobile_app_config: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub canvas: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub plugin: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub plugin_execution_user: Option<Value>,
    // Read-only response fields, ignored.
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub id: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub consumer_key: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub is_installed: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub is_packaged: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub created_at: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub updated_at: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub certificate_info: Option<IgnoredAny>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttributeInput {
    pub key: Option<String>,
    /// `$User.<Field>`, `$Organization.<Field>`, string literals, `&`.
    pub formula: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IpRangeInput {
    pub start: Option<String>,
    pub end: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuthConfigInput {
    /// Callback URLs separated by line breaks.
    pub callback_url: Option<String>,
    /// "Use Digital Signatures": PEM, or base64 of a DER file; at most 4 KB.
    pub certificate: Option<String>,
    /// Settable on create only: 8–256 letters and digits (`.` and `_` as in Salesforce's keys).
    pub consumer_key: Option<String>,
    /// Settable on create only: 8–256 letters and digits.
    pub consumer_secret: Option<String>,
    /// Enum names (`Api`, `OpenID`, …) or wire tokens (`api`, `openid`, …).
    pub scopes: Option<Vec<String>>,
    pub is_admin_approved: Option<bool>,
    /// Before Spring '12: "No user approval required for users in this organization"; accepted
    /// on import and mapped to admin-approved.
    #[serde(alias = "noUserApprovalRequired")]
    pub is_no_user_approval_required: Option<bool>,
    pub is_consumer_secret_optional: Option<bool>,
    pub is_secret_required_for_refresh_token: Option<bool>,
    pub is_pkce_required: Option<bool>,
    pub is_introspect_all_tokens: Option<bool>,
    pub is_client_credential_enabled: Option<bool>,
    pub oauth_client_credential_user: Option<String>,
    pub is_device_flow_enabled: Option<bool>,
    pub is_refresh_token_rotation_enabled: Option<bool>,
    pub is_named_user_jwt_enabled: Option<bool>,
    pub is_token_exchange_enabled: Option<bool>,
    pub is_secret_required_for_token_exchange: Option<bool>,
    pub is_code_credential_enabled: Option<bool>,
    pub is_code_credential_post_only: Option<bool>,
    pub single_logout_url: Option<String>,
    pub id_token_config: Option<IdTokenConfigInput>,
    pub asset_token_config: Option<AssetTokenConfigInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdTokenConfigInput {
    /// Minutes, 1–720 (default 2).
    pub id_token_validity: Option<i64>,
    pub id_token_audience: Option<String>,
    pub id_token_include_standard_claims: Option<bool>,
    pub id_token_include_attributes: Option<bool>,
    pub id_token_include_custom_perms: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetTokenConfigInput {
    /// Minutes.
    pub asset_validity_period: Option<i64>,
    /// An org certificate's id or name.
    pub asset_signing_cert_id: Option<String>,
    pub asset_audiences: Option<String>,
    pub asset_include_attributes: Option<bool>,
    pub asset_include_custom_perms: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuthPolicyInput {
    /// ENFORCE, ENFORCE_RELAXREFRESH, BYPASS_2FACTOR or BYPASS.
    pub ip_relaxation: Option<String>,
    /// infinite, zero, specific_lifetime:N:HOURS|DAYS|MONTHS, specific_inactivity:N:….
    pub refresh_token_policy: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionPolicyInput {
    /// Minutes.
    pub session_timeout: Option<i64>,
    /// Block or RaiseSessionLevel.
    pub policy_action: Option<String>,
    /// STANDARD or HIGH_ASSURANCE.
    pub session_level: Option<String>,
}

/// A field that is wrong, as a JSON path (`oauthConfig.callbackUrl`, `attributes[1].formula`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    pub kind: FieldErrorKind,
}

/// Which of Salesforce's REST error codes a field error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// `REQUIRED_FIELD_MISSING`.
    Missing,
    /// `INVALID_FIELD`: the value itself is wrong.
    Invalid,
    /// `FIELD_INTEGRITY_EXCEPTION`: the value conflicts with other settings.
    Integrity,
}

impl FieldError {
    pub fn missing(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), kind: FieldErrorKind::Missing }
    }
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), kind: FieldErrorKind::Invalid }
    }
    pub fn integrity(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), kind: FieldErrorKind::Integrity }
    }
}

/// Reads the input from JSON, reporting every unknown or mistyped field at once: each failure is
/// recorded with its path, the offending value is removed, and parsing starts again (bounded, as
/// each round removes one value). Returns what could be read, without the bad values, so that the
/// rest can still be validated, and the errors.
pub fn parse_app_input(mut json: Value) -> (Option<AppInput>, Vec<FieldError>) {
    let mut errors = Vec::new();
    // Array elements removed so far (array path, index at removal), to report later elements of
    // the same array by their original index.
    let mut removed: Vec<(Vec<Segment>, usize)> = Vec::new();
    if !json.is_object() {
        errors.push(FieldError::invalid("(body)", "a connected app must be a JSON object"));
        return (None, errors);
    }
    for _ in 0..64 {
        match serde_path_to_error::deserialize::<_, AppInput>(&json) {
            Ok(input) => return (Some(input), errors),
            Err(e) => {
                let inner = e.inner().to_string();
                let mut segments: Vec<Segment> = e.path().iter().map(Segment::from).collect();
                // An unknown field is reported at its parent; serde names it in the message.
                if let Some(name) = unknown_field_name(&inner)
                    && segments.last().is_none_or(|s| *s != Segment::Key(name.clone()))
                {
                    segments.push(Segment::Key(name));
                }
                let field = path_text(&original_indexes(&segments, &removed));
                let message = if inner.starts_with("unknown field") {
                    format!("`{field}` is not a field of a connected app")
                } else {
                    format!("{field}: {inner}")
                };
                errors.push(FieldError::invalid(field, message));
                if let Some((Segment::Index(i), parent)) = segments.split_last() {
                    removed.push((parent.to_vec(), *i));
                }
                if !remove(&mut json, &segments) {
                    return (None, errors);
                }
            }
        }
    }
    (None, errors)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl From<&serde_path_to_error::Segment> for Segment {
    fn from(s: &serde_path_to_error::Segment) -> Self {
        match s {
            serde_path_to_error::Segment::Seq { index } => Self::Index(*index),
            serde_path_to_error::Segment::Map { key } => Self::Key(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Self::Key(variant.clone()),
            serde_path_to_error::Segment::Unknown => Self::Key(String::new()),
        }
    }
}

/// Maps an index in the current (shrunk) array back to the element's index in the input.
fn original_indexes(segments: &[Segment], removed: &[(Vec<Segment>, usize)]) -> Vec<Segment> {
    let mut out = segments.to_vec();
    for (pos, s) in segments.iter().enumerate() {
        let Segment::Index(current) = s else { continue };
        let parent = &segments[..pos];
        let mut gone: Vec<usize> = removed.iter().filter(|(p, _)| p == parent).map(|(_, i)| *i).collect();
        // Replay the removals in order: each was an index in the array as it was then.
        let mut original = *current;
        for r in gone.drain(..).rev() {
            if r <= original {
                original += 1;
            }
        }
        out[pos] = Segment::Index(original);
    }
    out
}

fn unknown_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(name, _)| name.to_owned())
}

fn path_text(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() { "(body)".to_owned() } else { out }
}

/// Removes the value at `path`; false when there is nothing to remove (the error is about the
/// whole document).
fn remove(json: &mut Value, path: &[Segment]) -> bool {
    let Some((last, parents)) = path.split_last() else { return false };
    let mut node = json;
    for s in parents {
        let next = match (s, node) {
            (Segment::Key(k), Value::Object(m)) => m.get_mut(k),
            (Segment::Index(i), Value::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match (last, node) {
        (Segment::Key(k), Value::Object(m)) => m.remove(k).is_some(),
        (Segment::Index(i), Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_unknown_and_mistyped_field_is_named() {
        let (input, errors) = parse_app_input(json!({
            "fullName": "A",
            "bogus": 1,
            "oauthConfig": {"isPkceRequired": "yes", "nope": true, "scopes": ["Api", 3, "Web", 4]},
            "attributes": [{"key": "k", "formula": "'x'", "extra": 1}],
        }));
        let input = input.unwrap();
        assert_eq!(input.oauth_config.unwrap().scopes.unwrap(), ["Api", "Web"]);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "bogus",
            "oauthConfig.isPkceRequired",
            "oauthConfig.nope",
            "oauthConfig.scopes[1]",
            "oauthConfig.scopes[3]",
            "attributes[0].extra",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert_eq!(errors.len(), 6, "{errors:?}");
    }

    #[test]
    fn read_only_response_fields_are_ignored() {
        let (input, errors) = parse_app_input(json!({
            "id": "0H4000000000001AAA", "consumerKey": "x", "isInstalled": true, "isPackaged": false,
            "createdAt": 1, "updatedAt": 2, "fullName": "A",
            "certificateInfo": {"subject": "CN=x"}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(input.unwrap().full_name.as_deref(), Some("A"));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_one_error() {
        let (input, errors) = parse_app_input(json!([1, 2]));
        assert!(input.is_none());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "(body)");
    }
}
