//! The connected app: a client registration with its OAuth settings and policies, in the shape of
//! Salesforce's Metadata API `ConnectedApp` type (`reference/salesforce-oauth.md` §9, CONTRACT §3).
//!
//! [`ConnectedApp`] is the stored aggregate; [`AppSettings`] is everything an administrator sets,
//! serialized with the Metadata API's camelCase names. Settings reach this type only through
//! validation ([`validate`], from the untrusted [`input::AppInput`]), so flows can trust every
//! value. [`xml`] reads and writes `.connectedApp-meta.xml` files; [`certificate`] checks
//! uploaded X.509 certificates and [`org_certificate`] makes the org's own; [`formula`] evaluates
//! custom attributes; [`audit`] describes what a change did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::UnixMillis;
use crate::ids::SfId;
use crate::scope::ScopeSet;

pub mod audit;
pub mod callback;
pub mod certificate;
pub mod credentials;
pub mod directory;
pub mod formula;
pub mod input;
pub mod org_certificate;
mod parse;
mod policy;
mod scopes_serde;
pub mod validate;
pub mod xml;

pub use policy::{
    IpRange, IpRelaxation, OAuthPolicy, PolicyAction, RefreshTokenPolicy, SessionLevel,
    SessionPolicy, TimeUnit,
};

/// The callback URL stored when device flow is on and no callback URL is given (the seed: "the
/// value for the callback URL defaults to a placeholder"). A loopback URL, so that a redirect to
/// it can never carry a code off the user's machine.
pub const DEVICE_FLOW_CALLBACK_PLACEHOLDER: &str = "http://localhost/device-flow-placeholder";

/// Metadata sections that Portico stores and returns verbatim but does not act on; kept so that a
/// `.connectedApp-meta.xml` file round-trips.
pub const UNMODELED_SECTIONS: &[&str] = &[
    "samlConfig",
    "canvasConfig",
    "mobileAppConfig",
    "canvas",
    "plugin",
    "pluginExecutionUser",
];

/// A connected app as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectedApp {
    pub id: SfId,
    pub org_id: SfId,
    pub settings: AppSettings,
    /// The consumer key (OAuth `client_id`), unique across the server.
    pub consumer_key: String,
    /// The consumer secret, encrypted with the server's data key (see `crate::secret_box`);
    /// `None` for public clients such as the built-in `PorticoCLI`.
    pub consumer_secret_sealed: Option<String>,
    /// Apps created in the org are installed; packaged apps start uninstalled.
    pub is_installed: bool,
    pub is_packaged: bool,
    /// The app that registered this one through dynamic client registration (RFC 7591).
    pub registered_by: Option<SfId>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

impl ConnectedApp {
    pub fn full_name(&self) -> &str {
        &self.settings.full_name
    }

    /// The OAuth configuration, or `None` when OAuth is not enabled (then no flow accepts it).
    pub fn oauth(&self) -> Option<&OAuthConfig> {
        self.settings.oauth_config.as_ref()
    }

    /// True when the app has a consumer secret (a confidential client).
    pub fn has_secret(&self) -> bool {
        self.consumer_secret_sealed.is_some()
    }
}

/// Everything an administrator sets on a connected app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AppSettings {
    pub full_name: String,
    pub label: String,
    pub contact_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Reserved by Salesforce; kept for round-trips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_start_url: Option<String>,
    /// Trusted IP ranges (`ipRanges`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<IpRange>,
    /// Custom attributes: a key and a formula evaluated per user.
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    /// Custom permissions the app exposes (names; a user holds one through a permission set).
    #[serde(default)]
    pub custom_permissions: Vec<String>,
    /// Profiles assigned to an admin-approved app (by name).
    #[serde(default)]
    pub profile_name: Vec<String>,
    /// Permission sets assigned to an admin-approved app (by name).
    #[serde(default)]
    pub permission_set_name: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_config: Option<OAuthConfig>,
    #[serde(default)]
    pub oauth_policy: OAuthPolicy,
    #[serde(default)]
    pub session_policy: SessionPolicy,
    /// The [`UNMODELED_SECTIONS`] present, verbatim (SAML, canvas, mobile settings, …).
    #[serde(default, flatten, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub unmodeled: BTreeMap<String, serde_json::Value>,
}

/// A custom attribute: a key and a formula ([`formula`]) evaluated for each user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attribute {
    pub key: String,
    pub formula: String,
}

/// "Enable OAuth Settings" and everything under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OAuthConfig {
    /// Callback URLs, one per entry (line-separated on the wire).
    #[serde(with = "lines")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub callback_url: Vec<String>,
    /// PEM of the "Use Digital Signatures" certificate (JWT bearer, `private_key_jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Selected OAuth scopes, as Metadata API enum names (`Api`, `OpenID`, …).
    #[serde(with = "scopes_serde")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub scopes: ScopeSet,
    /// Permitted Users: `true` = admin-approved users are pre-authorized.
    #[serde(default)]
    pub is_admin_approved: bool,
    /// Inverse of "Require Secret for Web Server Flow".
    #[serde(default)]
    pub is_consumer_secret_optional: bool,
    /// "Require Secret for Refresh Token Flow" (Salesforce's default: on).
    #[serde(default = "yes")]
    pub is_secret_required_for_refresh_token: bool,
    #[serde(default)]
    pub is_pkce_required: bool,
    #[serde(default)]
    pub is_introspect_all_tokens: bool,
    #[serde(default)]
    pub is_client_credential_enabled: bool,
    /// Run-as username for the client credentials flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_client_credential_user: Option<String>,
    #[serde(default)]
    pub is_device_flow_enabled: bool,
    #[serde(default)]
    pub is_refresh_token_rotation_enabled: bool,
    /// "Issue JWT-based access tokens".
    #[serde(default)]
    pub is_named_user_jwt_enabled: bool,
    #[serde(default)]
    pub is_token_exchange_enabled: bool,
    /// "Require Secret for Token Exchange Flow".
    #[serde(default)]
    pub is_secret_required_for_token_exchange: bool,
    /// "Enable Authorization Code and Credentials Flow".
    #[serde(default)]
    pub is_code_credential_enabled: bool,
    /// "Require POST for Authorization Code and Credentials Flow".
    #[serde(default)]
    pub is_code_credential_post_only: bool,
    /// "Enable Single Logout": the app's Single Logout URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_logout_url: Option<String>,
    /// Portico's addition (OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`; Salesforce
    /// has none): where a `logout_token` is POSTed when a user of this app logs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_config: Option<IdTokenConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_token_config: Option<AssetTokenConfig>,
}

fn yes() -> bool {
    true
}

impl Default for OAuthConfig {
    /// OAuth enabled with nothing selected, and Salesforce's defaults for the rest ("Require
    /// Secret for Refresh Token Flow" on).
    fn default() -> Self {
        Self {
            callback_url: Vec::new(),
            certificate: None,
            scopes: ScopeSet::new(),
            is_admin_approved: false,
            is_consumer_secret_optional: false,
            is_secret_required_for_refresh_token: true,
            is_pkce_required: false,
            is_introspect_all_tokens: false,
            is_client_credential_enabled: false,
            oauth_client_credential_user: None,
            is_device_flow_enabled: false,
            is_refresh_token_rotation_enabled: false,
            is_named_user_jwt_enabled: false,
            is_token_exchange_enabled: false,
            is_secret_required_for_token_exchange: false,
            is_code_credential_enabled: false,
            is_code_credential_post_only: false,
            single_logout_url: None,
            backchannel_logout_url: None,
            id_token_config: None,
            asset_token_config: None,
        }
    }
}

impl OAuthConfig {
    /// Exact callback matching (RFC 9700 §4.1.3): simple string equality with a registered URL.
    /// The one relaxation is RFC 8252 §7.3: for a loopback IP literal (`127.0.0.1`, `[::1]`)
    /// registered over `http`, any port is accepted while scheme, host, path and query must be
    /// identical.
    pub fn matches_callback(&self, redirect_uri: &str) -> bool {
        self.callback_url.iter().any(|registered| {
            registered == redirect_uri || loopback_equivalent(registered, redirect_uri)
        })
    }
}

fn loopback_equivalent(registered: &str, requested: &str) -> bool {
    let (Ok(reg), Ok(req)) = (url::Url::parse(registered), url::Url::parse(requested)) else {
        return false;
    };
    let is_loopback_ip = |u: &url::Url| {
        u.scheme() == "http"
            && match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                _ => false,
            }
    };
    // Re-serialising the parsed URL would normalise case and dot segments, so compare the
    // requested string against the registered string with only the port swapped.
    if !(is_loopback_ip(&reg) && is_loopback_ip(&req))
        || req.username() != ""
        || req.password().is_some()
    {
        return false;
    }
    let mut rebuilt = reg;
    if rebuilt.set_port(req.port()).is_err() {
        return false;
    }
    rebuilt.as_str() == requested && req.as_str() == requested
}

/// "Configure ID Token".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IdTokenConfig {
    /// Minutes, 1–720 (default 2).
    pub id_token_validity: u32,
    /// Extra audiences, one per line (commas also separate).
    #[serde(default)]
    pub id_token_audience: String,
    #[serde(default)]
    pub id_token_include_standard_claims: bool,
    #[serde(default)]
    pub id_token_include_attributes: bool,
    #[serde(default)]
    pub id_token_include_custom_perms: bool,
}

impl Default for IdTokenConfig {
    fn default() -> Self {
        Self {
            id_token_validity: 2,
            id_token_audience: String::new(),
            id_token_include_standard_claims: false,
            id_token_include_attributes: false,
            id_token_include_custom_perms: false,
        }
    }
}

/// "Enable Asset Tokens".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AssetTokenConfig {
    /// Minutes.
    pub asset_validity_period: u32,
    /// The signing certificate: an org certificate's id (`0P1…`) or name, as the administrator
    /// gave it (kept as given so that metadata files round-trip); resolve it with
    /// [`directory::find_certificate`].
    pub asset_signing_cert_id: String,
    /// Audiences, one per line (commas also separate).
    pub asset_audiences: String,
    #[serde(default = "yes")]
    pub asset_include_attributes: bool,
    #[serde(default = "yes")]
    pub asset_include_custom_perms: bool,
}

/// Splits an audience list: one per line, commas also separate (CONTRACT §3).
pub fn split_audiences(s: &str) -> Vec<String> {
    s.split(['\n', '\r', ','])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Line-separated lists on the wire (`callbackUrl`), vectors in memory.
mod lines {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.join("\n"))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(callbacks: &[&str]) -> OAuthConfig {
        serde_json::from_value(serde_json::json!({
            "callbackUrl": callbacks.join("\n"),
            "scopes": ["Api"],
        }))
        .unwrap()
    }

    #[test]
    fn callback_matching_is_exact() {
        let c = config(&["https://app.test/cb", "myapp://callback"]);
        assert!(c.matches_callback("https://app.test/cb"));
        assert!(c.matches_callback("myapp://callback"));
        for bad in [
            "https://app.test/cb/",
            "https://app.test/CB",
            "https://APP.test/cb",
            "https://app.test/%63b",
            "https://app.test/cb/../cb",
            "https://app.test:443/cb",
            "https://app.test/cb?x=1",
            "https://app.test/cb#f",
            "https://user@app.test/cb",
            "https://app.test/cbx",
        ] {
            assert!(!c.matches_callback(bad), "{bad}");
        }
    }

    #[test]
    fn loopback_ip_callbacks_accept_any_port_only() {
        let c = config(&["http://127.0.0.1/cb", "http://localhost:1717/OauthRedirect"]);
        assert!(c.matches_callback("http://127.0.0.1:51004/cb"));
        assert!(!c.matches_callback("http://127.0.0.1:51004/cb2"));
        assert!(!c.matches_callback("http://127.0.0.1.evil.test/cb"));
        assert!(c.matches_callback("http://localhost:1717/OauthRedirect"));
        assert!(!c.matches_callback("http://localhost:1718/OauthRedirect"));
    }
}
