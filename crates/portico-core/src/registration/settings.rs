//! Registered metadata as connected-app settings: [`ClientMetadata`] is written into the
//! Metadata-API JSON an administrator would send and put through the same validation
//! ([`crate::connected_app::validate`]), so a registered client can hold nothing an administrator
//! could not save, and every later edit re-checks every rule (`reference/security.md` §3.5). The
//! validation's field errors are reported under the metadata names the client sent.

use serde_json::{Value, json};

use super::metadata::{AuthMethod, ClientMetadata, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN};
use crate::OAuthError;
use crate::clock::UnixMillis;
use crate::connected_app::AppSettings;
use crate::connected_app::directory::OrgDirectory;
use crate::connected_app::input::{FieldError, parse_app_input};
use crate::connected_app::validate::{Context, Mode, ValidatedApp, validate_parsed};
use crate::error::ErrorCode;
use crate::ids::SfId;
use crate::scope::{Scope, ScopeSet};
use crate::secret::random_token;
use crate::store::Store;

/// What the registering app bounds: the scopes a registered client may have and the contact
/// email used when the client names none.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds<'a> {
    pub(super) scopes: &'a ScopeSet,
    pub(super) contact_email: &'a str,
    pub(super) registrar_name: &'a str,
}

/// A unique API name for a registered app, readable after the client's name: `Dcr_<name>_<random>`.
pub(super) fn generated_full_name(client_name: Option<&str>) -> String {
    let mut base = String::new();
    for c in client_name.unwrap_or_default().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('_') && !base.is_empty() {
            base.push('_');
        }
        if base.len() >= 32 {
            break;
        }
    }
    let base = base.trim_end_matches('_');
    let suffix: String = random_token()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect();
    if base.is_empty() {
        format!("Dcr_{suffix}")
    } else {
        format!("Dcr_{base}_{suffix}")
    }
}

/// The scopes of the app: what the client asked for (else everything the registrar has), plus
/// `refresh_token` for the refresh_token grant type, as Salesforce issues refresh tokens by scope.
fn scopes(meta: &ClientMetadata, bounds: Bounds<'_>) -> Result<ScopeSet, OAuthError> {
    let mut scopes = meta.scope.clone().unwrap_or_else(|| bounds.scopes.clone());
    if meta.has_grant(GRANT_REFRESH_TOKEN) {
        scopes.insert(Scope::RefreshToken);
    }
    bounds.scopes.admits(&scopes).map_err(|missing| {
        let field = if meta.scope.as_ref().is_some_and(|s| s.contains(missing)) { "scope" } else { "grant_types" };
        OAuthError::new(
            ErrorCode::InvalidClientMetadata,
            format!(
                "{field}: the {} scope is not one of the registering app {}'s OAuth scopes, so it cannot grant it",
                missing.token(),
                bounds.registrar_name
            ),
        )
    })?;
    Ok(scopes)
}

/// The app settings JSON: `current` (on update) with the fields registration controls replaced.
pub(super) fn app_json(
    meta: &ClientMetadata,
    current: Option<&AppSettings>,
    full_name: &str,
    bounds: Bounds<'_>,
) -> Result<Value, OAuthError> {
    let scopes = scopes(meta, bounds)?;
    let mut app = match current {
        Some(settings) => serde_json::to_value(settings).map_err(|_| OAuthError::server_error())?,
        None => json!({}),
    };
    let Some(obj) = app.as_object_mut() else {
        return Err(OAuthError::server_error());
    };
    obj.insert("fullName".into(), json!(full_name));
    obj.insert(
        "label".into(),
        json!(
            meta.client_name
                .as_deref()
                .unwrap_or("Dynamically registered client")
        ),
    );
    obj.insert(
        "contactEmail".into(),
        json!(
            meta.contacts
                .first()
                .map_or(bounds.contact_email, String::as_str)
        ),
    );
    if current.is_none() {
        obj.insert(
            "description".into(),
            json!(format!(
                "Registered dynamically by {}",
                bounds.registrar_name
            )),
        );
    }
    let oauth = obj.entry("oauthConfig").or_insert_with(|| json!({}));
    let Some(oauth) = oauth.as_object_mut() else {
        return Err(OAuthError::server_error());
    };
    let public = meta.token_endpoint_auth_method == AuthMethod::None;
    oauth.insert("callbackUrl".into(), json!(meta.redirect_uris.join("\n")));
    oauth.insert(
        "scopes".into(),
        json!(scopes.iter().map(Scope::token).collect::<Vec<_>>()),
    );
    oauth.insert(
        "isDeviceFlowEnabled".into(),
        json!(meta.has_grant(GRANT_DEVICE_CODE)),
    );
    oauth.insert("isConsumerSecretOptional".into(), json!(false));
    // A public client proves possession of its code with PKCE instead of a secret (RFC 9700
    // §2.1.1); an administrator may still turn PKCE on for a confidential one.
    if public {
        oauth.insert("isPkceRequired".into(), json!(true));
    }
    match &meta.certificate {
        Some(pem) => oauth.insert("certificate".into(), json!(pem)),
        None => oauth.remove("certificate"),
    };
    Ok(app)
}

/// Validates the settings JSON as the admin API would, with the org's directory.
pub(super) async fn validate(
    store: &dyn Store,
    org_id: &SfId,
    json: Value,
    mode: &Mode,
    current: Option<&AppSettings>,
    now: UnixMillis,
) -> Result<ValidatedApp, OAuthError> {
    let (input, parse_errors) = parse_app_input(json);
    let directory = match &input {
        Some(i) => OrgDirectory::load(store, org_id, i).await?,
        None => OrgDirectory::default(),
    };
    let ctx = Context {
        now,
        mode,
        directory: &directory,
        current,
    };
    validate_parsed(input, parse_errors, &ctx).map_err(|errors| metadata_error(&errors))
}

/// Field errors of the settings, named as the client's metadata (RFC 7591 §3.2.2).
fn metadata_error(errors: &[FieldError]) -> OAuthError {
    let redirect = errors.iter().any(|e| e.field == "oauthConfig.callbackUrl");
    let described: Vec<String> = errors
        .iter()
        .map(|e| {
            let field = match e.field.as_str() {
                "oauthConfig.callbackUrl" => "redirect_uris",
                "label" | "fullName" => "client_name",
                "contactEmail" => "contacts",
                "oauthConfig.scopes" => "scope",
                "oauthConfig.certificate" => "jwks",
                other => other,
            };
            format!("{field}: {}", e.message)
        })
        .collect();
    let code = if redirect {
        ErrorCode::InvalidRedirectUri
    } else {
        ErrorCode::InvalidClientMetadata
    };
    OAuthError::new(code, described.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_are_valid_developer_names() {
        for name in [
            None,
            Some(""),
            Some("My App!"),
            Some("___"),
            Some("Ünïcode app 2"),
            Some(&"x".repeat(300)),
        ] {
            let full = generated_full_name(name);
            assert!(
                crate::connected_app::org_certificate::check_developer_name(&full).is_ok(),
                "{full}"
            );
            assert!(full.starts_with("Dcr_"), "{full}");
        }
        assert!(generated_full_name(Some("My App!")).starts_with("Dcr_My_App_"));
    }
}
