//! The New / Edit Connected App form as data: what the user typed (kept as typed, so that a
//! page with errors shows it again), read from the multipart form, filled from a saved app, and
//! turned into the admin API's JSON (`ConnectedApp` Metadata API names, CONTRACT §3). Dependent
//! fields count only while their checkbox is on, as on Salesforce's page.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portico_core::connected_app::callback::{cumulative_chars, split_callback_urls};
use portico_core::connected_app::{AppSettings, DEVICE_FLOW_CALLBACK_PLACEHOLDER};
use serde_json::{Map, Value, json};

/// Every field of the form, as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct AppForm {
    pub(crate) label: String,
    pub(crate) full_name: String,
    pub(crate) contact_email: String,
    pub(crate) contact_phone: String,
    pub(crate) logo_url: String,
    pub(crate) info_url: String,
    pub(crate) description: String,
    pub(crate) oauth_enabled: bool,
    pub(crate) device_flow: bool,
    pub(crate) callback_url: String,
    pub(crate) use_digital_signatures: bool,
    /// The certificate to save: a new upload, or the one kept from before (a hidden field, so
    /// that a page shown again with errors does not lose the uploaded file).
    pub(crate) certificate: String,
    /// Scope enum names (`Api`, `OpenID`, …).
    pub(crate) scopes: Vec<String>,
    pub(crate) require_secret_web_server: bool,
    pub(crate) require_secret_refresh: bool,
    pub(crate) require_pkce: bool,
    pub(crate) introspect_all: bool,
    pub(crate) configure_id_token: bool,
    pub(crate) id_token_validity: String,
    pub(crate) id_token_audience: String,
    pub(crate) id_token_standard_claims: bool,
    pub(crate) id_token_attributes: bool,
    pub(crate) id_token_custom_perms: bool,
    pub(crate) asset_tokens: bool,
    pub(crate) asset_validity: String,
    pub(crate) asset_cert: String,
    pub(crate) asset_audiences: String,
    pub(crate) asset_attributes: bool,
    pub(crate) asset_custom_perms: bool,
    pub(crate) single_logout: bool,
    pub(crate) single_logout_url: String,
    pub(crate) client_credentials: bool,
    pub(crate) run_as: String,
    pub(crate) refresh_rotation: bool,
    pub(crate) jwt_access_tokens: bool,
}

impl AppForm {
    /// A new app: Salesforce's defaults (both secrets required, ID tokens valid 2 minutes, asset
    /// tokens carrying attributes and custom permissions).
    pub(crate) fn blank() -> Self {
        Self {
            require_secret_web_server: true,
            require_secret_refresh: true,
            id_token_validity: "2".to_owned(),
            asset_attributes: true,
            asset_custom_perms: true,
            ..Self::default()
        }
    }

    /// The form for a saved app.
    pub(crate) fn from_settings(s: &AppSettings) -> Self {
        let mut form = Self {
            label: s.label.clone(),
            full_name: s.full_name.clone(),
            contact_email: s.contact_email.clone(),
            contact_phone: s.contact_phone.clone().unwrap_or_default(),
            logo_url: s.logo_url.clone().unwrap_or_default(),
            info_url: s.info_url.clone().unwrap_or_default(),
            description: s.description.clone().unwrap_or_default(),
            ..Self::blank()
        };
        let Some(o) = &s.oauth_config else {
            return form;
        };
        form.oauth_enabled = true;
        form.device_flow = o.is_device_flow_enabled;
        // The placeholder is the server's own filler; the field shows it empty, as it was left.
        let shown: Vec<&str> = o
            .callback_url
            .iter()
            .map(String::as_str)
            .filter(|u| !(o.is_device_flow_enabled && *u == DEVICE_FLOW_CALLBACK_PLACEHOLDER))
            .collect();
        form.callback_url = shown.join("\n");
        form.use_digital_signatures = o.certificate.is_some();
        form.certificate = o.certificate.clone().unwrap_or_default();
        form.scopes = o
            .scopes
            .enum_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        form.require_secret_web_server = !o.is_consumer_secret_optional;
        form.require_secret_refresh = o.is_secret_required_for_refresh_token;
        form.require_pkce = o.is_pkce_required;
        form.introspect_all = o.is_introspect_all_tokens;
        if let Some(id) = &o.id_token_config {
            form.configure_id_token = true;
            form.id_token_validity = id.id_token_validity.to_string();
            form.id_token_audience.clone_from(&id.id_token_audience);
            form.id_token_standard_claims = id.id_token_include_standard_claims;
            form.id_token_attributes = id.id_token_include_attributes;
            form.id_token_custom_perms = id.id_token_include_custom_perms;
        }
        if let Some(asset) = &o.asset_token_config {
            form.asset_tokens = true;
            form.asset_validity = asset.asset_validity_period.to_string();
            form.asset_cert.clone_from(&asset.asset_signing_cert_id);
            form.asset_audiences.clone_from(&asset.asset_audiences);
            form.asset_attributes = asset.asset_include_attributes;
            form.asset_custom_perms = asset.asset_include_custom_perms;
        }
        form.single_logout = o.single_logout_url.is_some();
        form.single_logout_url = o.single_logout_url.clone().unwrap_or_default();
        form.client_credentials = o.is_client_credential_enabled;
        form.run_as = o.oauth_client_credential_user.clone().unwrap_or_default();
        form.refresh_rotation = o.is_refresh_token_rotation_enabled;
        form.jwt_access_tokens = o.is_named_user_jwt_enabled;
        form
    }

    /// An empty form as submitted: every checkbox off until the form says otherwise.
    pub(crate) fn submitted() -> Self {
        Self::default()
    }

    /// Takes one field of the submitted form. Checkboxes are present only when on.
    pub(crate) fn set(&mut self, name: &str, value: String) {
        let text = match name {
            "label" => &mut self.label,
            "full_name" => &mut self.full_name,
            "contact_email" => &mut self.contact_email,
            "contact_phone" => &mut self.contact_phone,
            "logo_url" => &mut self.logo_url,
            "info_url" => &mut self.info_url,
            "description" => &mut self.description,
            "callback_url" => &mut self.callback_url,
            "certificate" => &mut self.certificate,
            "id_token_validity" => &mut self.id_token_validity,
            "id_token_audience" => &mut self.id_token_audience,
            "asset_validity" => &mut self.asset_validity,
            "asset_cert" => &mut self.asset_cert,
            "asset_audiences" => &mut self.asset_audiences,
            "single_logout_url" => &mut self.single_logout_url,
            "run_as" => &mut self.run_as,
            "scopes" => {
                self.scopes.push(value);
                return;
            }
            other => {
                if let Some(flag) = self.checkbox(other) {
                    *flag = true;
                }
                return;
            }
        };
        *text = value;
    }

    fn checkbox(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "oauth_enabled" => &mut self.oauth_enabled,
            "device_flow" => &mut self.device_flow,
            "use_digital_signatures" => &mut self.use_digital_signatures,
            "require_secret_web_server" => &mut self.require_secret_web_server,
            "require_secret_refresh" => &mut self.require_secret_refresh,
            "require_pkce" => &mut self.require_pkce,
            "introspect_all" => &mut self.introspect_all,
            "configure_id_token" => &mut self.configure_id_token,
            "id_token_standard_claims" => &mut self.id_token_standard_claims,
            "id_token_attributes" => &mut self.id_token_attributes,
            "id_token_custom_perms" => &mut self.id_token_custom_perms,
            "asset_tokens" => &mut self.asset_tokens,
            "asset_attributes" => &mut self.asset_attributes,
            "asset_custom_perms" => &mut self.asset_custom_perms,
            "single_logout" => &mut self.single_logout,
            "client_credentials" => &mut self.client_credentials,
            "refresh_rotation" => &mut self.refresh_rotation,
            "jwt_access_tokens" => &mut self.jwt_access_tokens,
            _ => return None,
        })
    }

    /// An uploaded certificate file (Choose File): PEM text as is, DER as base64, which is how
    /// the API's JSON carries a binary certificate.
    pub(crate) fn upload_certificate(&mut self, bytes: &[u8]) {
        self.certificate = match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN") => text.trim().to_owned(),
            _ => STANDARD.encode(bytes),
        };
    }

    /// Characters the callback URLs take, counted as validation counts them against
    /// Salesforce's 2,000 (the page's counter).
    pub(crate) fn callback_chars(&self) -> usize {
        cumulative_chars(&split_callback_urls(&self.callback_url))
    }

    pub(crate) fn has_scope(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s == name)
    }

    /// What only the page can check: a checkbox turned on without the value it stands for
    /// (the API has no checkbox, only the value).
    pub(crate) fn page_problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if !self.oauth_enabled {
            return out;
        }
        if self.use_digital_signatures && self.certificate.trim().is_empty() {
            out.push((
                "certificate",
                "Use Digital Signatures is selected: choose the certificate file to upload.",
            ));
        }
        if self.single_logout && self.single_logout_url.trim().is_empty() {
            out.push((
                "single_logout_url",
                "Enable Single Logout is selected: enter the single logout URL (https://…).",
            ));
        }
        out
    }

    /// The app as the admin API takes it. Cleared fields are `null`, which a merge patch
    /// (RFC 7396) removes and a create leaves out ([`without_nulls`]).
    pub(crate) fn to_json(&self) -> Value {
        let mut app = json!({
            "label": text(&self.label),
            "fullName": text(&self.full_name),
            "contactEmail": text(&self.contact_email),
            "contactPhone": text(&self.contact_phone),
            "logoUrl": text(&self.logo_url),
            "infoUrl": text(&self.info_url),
            "description": text(&self.description),
            "oauthConfig": Value::Null,
        });
        if self.oauth_enabled {
            app["oauthConfig"] = self.oauth_json();
        }
        app
    }

    fn oauth_json(&self) -> Value {
        let on = |flag: bool, value: Value| if flag { value } else { Value::Null };
        let id_token = json!({
            "idTokenValidity": number(&self.id_token_validity),
            "idTokenAudience": self.id_token_audience.trim(),
            "idTokenIncludeStandardClaims": self.id_token_standard_claims,
            "idTokenIncludeAttributes": self.id_token_attributes,
            "idTokenIncludeCustomPerms": self.id_token_custom_perms,
        });
        let asset = json!({
            "assetValidityPeriod": number(&self.asset_validity),
            "assetSigningCertId": text(&self.asset_cert),
            "assetAudiences": text(&self.asset_audiences),
            "assetIncludeAttributes": self.asset_attributes,
            "assetIncludeCustomPerms": self.asset_custom_perms,
        });
        json!({
            "isDeviceFlowEnabled": self.device_flow,
            "callbackUrl": self.callback_url.trim(),
            "certificate": on(self.use_digital_signatures, text(&self.certificate)),
            "scopes": self.scopes,
            "isConsumerSecretOptional": !self.require_secret_web_server,
            "isSecretRequiredForRefreshToken": self.require_secret_refresh,
            "isPkceRequired": self.require_pkce,
            "isIntrospectAllTokens": self.introspect_all,
            "idTokenConfig": on(self.configure_id_token, id_token),
            "assetTokenConfig": on(self.asset_tokens, asset),
            "singleLogoutUrl": on(self.single_logout, text(&self.single_logout_url)),
            "isClientCredentialEnabled": self.client_credentials,
            "oauthClientCredentialUser": on(self.client_credentials, text(&self.run_as)),
            "isRefreshTokenRotationEnabled": self.refresh_rotation,
            "isNamedUserJwtEnabled": self.jwt_access_tokens,
        })
    }
}

/// Leaves out `null`s, for a create (where "absent" and "cleared" are the same).
pub(crate) fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

/// A trimmed text, `null` when blank.
fn text(s: &str) -> Value {
    let t = s.trim();
    if t.is_empty() {
        Value::Null
    } else {
        Value::String(t.to_owned())
    }
}

/// A whole number as a JSON number; anything else as typed, so that the API's own message
/// names the field; blank is `null` (the default).
fn number(s: &str) -> Value {
    let t = s.trim();
    if t.is_empty() {
        return Value::Null;
    }
    t.parse::<i64>()
        .map_or_else(|_| Value::String(t.to_owned()), Value::from)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{AppForm, without_nulls};

    #[test]
    fn dependent_fields_count_only_while_their_checkbox_is_on() {
        let mut form = AppForm::submitted();
        for (k, v) in [
            ("label", "Acme"),
            ("full_name", "Acme"),
            ("oauth_enabled", "on"),
            ("callback_url", "https://acme.test/cb"),
            ("scopes", "Api"),
            ("single_logout_url", "https://acme.test/logout"),
            ("run_as", "bot@acme.test"),
            ("id_token_validity", "721"),
            ("configure_id_token", "on"),
        ] {
            form.set(k, v.to_owned());
        }
        let app = form.to_json();
        let oauth = &app["oauthConfig"];
        assert_eq!(oauth["singleLogoutUrl"], json!(null));
        assert_eq!(oauth["oauthClientCredentialUser"], json!(null));
        assert_eq!(oauth["idTokenConfig"]["idTokenValidity"], json!(721));
        assert_eq!(oauth["isConsumerSecretOptional"], json!(true));
        assert!(without_nulls(app).get("description").is_none());
    }

    #[test]
    fn a_der_upload_travels_as_base64() {
        let mut form = AppForm::blank();
        form.upload_certificate(&[0x30, 0x82, 0x01]);
        assert_eq!(form.certificate, "MIIB");
        form.upload_certificate(b"-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n");
        assert!(form.certificate.ends_with("-----END CERTIFICATE-----"));
    }
}
