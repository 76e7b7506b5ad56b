//! Validation of a connected app (issue 3; `reference/salesforce-oauth.md` §9–§10; the seed):
//! the untrusted [`AppInput`] becomes [`AppSettings`], or a list of [`FieldError`]s that names
//! every bad field at once, each by its JSON path (`oauthConfig.callbackUrl`).
//!
//! Validation is pure: what it needs to know about the org comes in an [`OrgDirectory`] fetched
//! beforehand, and the time comes in [`Context::now`]. Permission checks are not made here: they
//! depend on who saves, and the admin API makes them.

mod oauth;
mod policies;

use std::collections::BTreeMap;

use serde_json::Value;

use super::directory::OrgDirectory;
use super::input::{AppInput, FieldError, parse_app_input};
use super::org_certificate::check_developer_name;
use super::{AppSettings, callback};
use crate::clock::UnixMillis;

/// Salesforce's length limits on the basic information fields.
const MAX_LABEL_CHARS: usize = 255;
const MAX_DESCRIPTION_CHARS: usize = 256;
const MAX_PHONE_CHARS: usize = 40;
const MAX_EMAIL_CHARS: usize = 80;
const MAX_URL_CHARS: usize = 1024;

/// What kind of save this is: the consumer key and secret may be set only when an app is
/// created (by the API or by importing a package).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Create,
    /// An update of an app whose consumer key is this.
    Update {
        consumer_key: String,
    },
    /// A packaged app from a metadata file: as create, but rules that Salesforce cannot deploy
    /// through metadata (the client credentials run-as user) are not demanded.
    Import,
}

/// Everything validation consults besides the input.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: UnixMillis,
    pub mode: &'a Mode,
    pub directory: &'a OrgDirectory,
    /// The settings being replaced, on update: a certificate saved before is kept even if it has
    /// expired since, so that editing another field does not fail on it.
    pub current: Option<&'a AppSettings>,
}

/// A valid app: its settings, and the consumer key and secret the administrator chose (create
/// only; `None` = generate).
#[derive(Clone, PartialEq)]
pub struct ValidatedApp {
    pub settings: AppSettings,
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
}

impl std::fmt::Debug for ValidatedApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidatedApp")
            .field("settings", &self.settings)
            .field("consumer_key", &self.consumer_key)
            .field(
                "consumer_secret",
                &self.consumer_secret.as_ref().map(|_| "…"),
            )
            .finish()
    }
}

/// Parses and validates JSON, reporting parse and rule errors together.
pub fn validate_json(json: Value, ctx: &Context<'_>) -> Result<ValidatedApp, Vec<FieldError>> {
    let (input, errors) = parse_app_input(json);
    validate_parsed(input, errors, ctx)
}

/// Validates what [`parse_app_input`] read, adding its errors to the rules' errors.
pub fn validate_parsed(
    input: Option<AppInput>,
    mut errors: Vec<FieldError>,
    ctx: &Context<'_>,
) -> Result<ValidatedApp, Vec<FieldError>> {
    let Some(input) = input else {
        return Err(errors);
    };
    match validate(input, ctx) {
        Ok(app) if errors.is_empty() => Ok(app),
        Ok(_) => Err(errors),
        Err(more) => {
            // A field removed for its type is then "missing": report it once, for its type.
            let parse_fields: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(more.into_iter().filter(|e| {
                !parse_fields
                    .iter()
                    .any(|p| e.field == *p || e.field.starts_with(&format!("{p}.")))
            }));
            Err(errors)
        }
    }
}

/// Validates an input.
pub fn validate(input: AppInput, ctx: &Context<'_>) -> Result<ValidatedApp, Vec<FieldError>> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let full_name = required(e, "fullName", input.full_name);
    if let Some(name) = full_name.as_deref()
        && let Err(msg) = check_developer_name(name)
    {
        e.push(FieldError::invalid(
            "fullName",
            msg.replace("unique name", "API name (fullName)"),
        ));
    }
    let label = required(e, "label", input.label);
    max_chars(e, "label", label.as_deref(), MAX_LABEL_CHARS);
    let contact_email = required(e, "contactEmail", input.contact_email);
    if let Some(email) = contact_email.as_deref()
        && !looks_like_email(email)
    {
        e.push(FieldError::invalid(
            "contactEmail",
            format!("`{email}` is not a valid email address"),
        ));
    }
    let contact_phone = optional(input.contact_phone);
    max_chars(e, "contactPhone", contact_phone.as_deref(), MAX_PHONE_CHARS);
    let description = optional(input.description);
    max_chars(
        e,
        "description",
        description.as_deref(),
        MAX_DESCRIPTION_CHARS,
    );
    let info_url = url_field(e, "infoUrl", input.info_url, callback::check_web_url);
    let logo_url = url_field(e, "logoUrl", input.logo_url, callback::check_https_url);
    let icon_url = url_field(e, "iconUrl", input.icon_url, callback::check_https_url);
    let start_url = optional(input.start_url);
    max_chars(e, "startUrl", start_url.as_deref(), MAX_URL_CHARS);
    let mobile_start_url = optional(input.mobile_start_url);
    max_chars(
        e,
        "mobileStartUrl",
        mobile_start_url.as_deref(),
        MAX_URL_CHARS,
    );

    let mut oauth_input = input.oauth_config;
    let (top_key, top_secret) = (
        optional(input.consumer_key),
        optional(input.consumer_secret),
    );
    let loose = match oauth_input.as_mut() {
        // A response's top-level `consumerKey` and `consumerSecret` mean the `oauthConfig` ones.
        Some(o) => {
            for (name, top, inner) in [
                ("consumerKey", top_key, &mut o.consumer_key),
                ("consumerSecret", top_secret, &mut o.consumer_secret),
            ] {
                match (top, inner.as_deref().map(str::trim)) {
                    (Some(t), Some(i)) if t != i => e.push(FieldError::integrity(
                        name,
                        format!("{name} and oauthConfig.{name} differ"),
                    )),
                    (Some(t), None) => *inner = Some(t),
                    _ => {}
                }
            }
            (None, None)
        }
        None => (
            oauth::credential(e, ctx.mode, "consumerKey", top_key, oauth::key_char),
            oauth::credential(
                e,
                ctx.mode,
                "consumerSecret",
                top_secret,
                oauth::secret_char,
            ),
        ),
    };
    let oauth = oauth_input.and_then(|o| oauth::validate(o, ctx, e));
    let admin_approved = oauth.as_ref().is_some_and(|o| o.config.is_admin_approved);
    let profile_name =
        policies::assignments(e, "profileName", input.profile_name, admin_approved, |n| {
            ctx.directory.has_profile(n)
        });
    let permission_set_name = policies::assignments(
        e,
        "permissionSetName",
        input.permission_set_name,
        admin_approved,
        |n| ctx.directory.has_permission_set(n),
    );
    let attributes = policies::attributes(e, input.attributes);
    let custom_permissions = policies::custom_permissions(e, input.custom_permissions);
    let ip_ranges = policies::ip_ranges(e, input.ip_ranges);
    let oauth_policy = policies::oauth_policy(e, input.oauth_policy);
    let session_policy = policies::session_policy(e, input.session_policy);

    let mut unmodeled = BTreeMap::new();
    for (name, value) in [
        ("samlConfig", input.saml_config),
        ("canvasConfig", input.canvas_config),
        ("mobileAppConfig", input.mobile_app_config),
        ("canvas", input.canvas),
        ("plugin", input.plugin),
        ("pluginExecutionUser", input.plugin_execution_user),
    ] {
        if let Some(v) = value.filter(|v| !v.is_null()) {
            unmodeled.insert(name.to_owned(), v);
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let (oauth_config, consumer_key, consumer_secret) = match oauth {
        Some(o) => (Some(o.config), o.consumer_key, o.consumer_secret),
        None => (None, loose.0, loose.1),
    };
    let settings = AppSettings {
        full_name: full_name.unwrap_or_default(),
        label: label.unwrap_or_default(),
        contact_email: contact_email.unwrap_or_default(),
        contact_phone,
        description,
        info_url,
        logo_url,
        icon_url,
        start_url,
        mobile_start_url,
        ip_ranges,
        attributes,
        custom_permissions,
        profile_name,
        permission_set_name,
        oauth_config,
        oauth_policy,
        session_policy,
        unmodeled,
    };
    Ok(ValidatedApp {
        settings,
        consumer_key,
        consumer_secret,
    })
}

/// A trimmed value, `None` when absent or blank.
fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn required(e: &mut Vec<FieldError>, field: &str, value: Option<String>) -> Option<String> {
    let value = optional(value);
    if value.is_none() {
        e.push(FieldError::missing(
            field,
            format!("Required fields are missing: [{field}]"),
        ));
    }
    value
}

fn max_chars(e: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value {
        let n = v.chars().count();
        if n > max {
            e.push(FieldError::invalid(
                field,
                format!("{field} is {n} characters long; at most {max} are allowed"),
            ));
        }
    }
}

fn url_field(
    e: &mut Vec<FieldError>,
    field: &str,
    value: Option<String>,
    check: fn(&str) -> Result<(), String>,
) -> Option<String> {
    let value = optional(value)?;
    max_chars(e, field, Some(&value), MAX_URL_CHARS);
    if let Err(msg) = check(&value) {
        e.push(FieldError::invalid(field, format!("{field}: {msg}")));
    }
    Some(value)
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && s.chars().count() <= MAX_EMAIL_CHARS
}

#[cfg(test)]
mod tests;
