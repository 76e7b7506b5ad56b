//! The untrusted shape of a connected app as an administrator sends it (CONTRACT §3: the Metadata
//! API `ConnectedApp` names, camelCase): every field optional, unknown fields refused. Only
//! [`super::validate`] turns it into [`super::AppSettings`].
//!
//! The read-only fields of a GET response (`id`, `isInstalled`, `certificateInfo`, …) are accepted
//! and ignored, so that a client can fetch an app, edit it and PUT it back.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

pub use super::parse::parse_app_input;

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
    /// The same as `oauthConfig.consumerKey` (as a response has it); settable on create only.
    pub consumer_key: Option<String>,
    /// The same as `oauthConfig.consumerSecret` (as a create response has it); create only.
    pub consumer_secret: Option<String>,
    // Read-only response fields: ignored here; the admin API refuses a value that differs from
    // the app's (`isInstalled` changes through `/install`).
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub id: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub is_installed: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub is_packaged: Option<IgnoredAny>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub registered_by: Option<IgnoredAny>,
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
    pub backchannel_logout_url: Option<String>,
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
        Self {
            field: field.into(),
            message: message.into(),
            kind: FieldErrorKind::Missing,
        }
    }
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            kind: FieldErrorKind::Invalid,
        }
    }
    pub fn integrity(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            kind: FieldErrorKind::Integrity,
        }
    }
}
