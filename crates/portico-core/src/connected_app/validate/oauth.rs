//! Validation of "Enable OAuth Settings" (`oauthConfig`; the seed's steps and
//! `reference/salesforce-oauth.md` §9–§10): callback URLs and the device flow placeholder, the
//! certificate, scopes, consumer key and secret, the client credentials run-as user, single
//! logout, the ID token and asset token settings.

use super::super::input::{
    AssetTokenConfigInput, FieldError, IdTokenConfigInput, OAuthConfigInput,
};
use super::super::{
    AssetTokenConfig, DEVICE_FLOW_CALLBACK_PLACEHOLDER, IdTokenConfig, OAuthConfig, callback,
    certificate,
};
use super::{Context, Mode, optional};
use crate::scope::{Scope, ScopeSet};

const MIN_ID_TOKEN_MINUTES: i64 = 1;
const MAX_ID_TOKEN_MINUTES: i64 = 720;
const DEFAULT_ID_TOKEN_MINUTES: u32 = 2;
const CREDENTIAL_LEN: std::ops::RangeInclusive<usize> = 8..=256;

/// A valid OAuth configuration with the key and secret chosen on create.
pub(super) struct ValidOAuth {
    pub(super) config: OAuthConfig,
    pub(super) consumer_key: Option<String>,
    pub(super) consumer_secret: Option<String>,
}

pub(super) fn validate(
    input: OAuthConfigInput,
    ctx: &Context<'_>,
    e: &mut Vec<FieldError>,
) -> Option<ValidOAuth> {
    let device_flow = input.is_device_flow_enabled.unwrap_or(false);
    let callback_url = callback_urls(e, input.callback_url.as_deref(), device_flow);
    let saved = ctx
        .current
        .and_then(|c| c.oauth_config.as_ref())
        .and_then(|o| o.certificate.as_deref());
    let certificate = optional(input.certificate).and_then(|pem| {
        match certificate::validate_certificate(&pem, ctx.now) {
            Ok(valid) => Some(valid.pem),
            Err(_) if saved == Some(pem.as_str()) => Some(pem),
            Err(msg) => {
                e.push(FieldError::invalid(
                    "oauthConfig.certificate",
                    format!("oauthConfig.certificate: {msg}"),
                ));
                None
            }
        }
    });
    let scopes = scopes(e, input.scopes);
    let is_admin_approved = admin_approved(
        e,
        input.is_admin_approved,
        input.is_no_user_approval_required,
    );
    let consumer_key = credential(e, ctx.mode, "consumerKey", input.consumer_key, key_char);
    let consumer_secret = credential(
        e,
        ctx.mode,
        "consumerSecret",
        input.consumer_secret,
        secret_char,
    );
    let is_client_credential_enabled = input.is_client_credential_enabled.unwrap_or(false);
    let oauth_client_credential_user = run_as(
        e,
        ctx,
        optional(input.oauth_client_credential_user),
        is_client_credential_enabled,
    );
    let single_logout_url = optional(input.single_logout_url);
    if let Some(Err(msg)) = single_logout_url.as_deref().map(callback::check_logout_url) {
        e.push(FieldError::invalid(
            "oauthConfig.singleLogoutUrl",
            format!("the single logout URL {msg}"),
        ));
    }
    let backchannel_logout_url = optional(input.backchannel_logout_url);
    if let Some(Err(msg)) = backchannel_logout_url
        .as_deref()
        .map(callback::check_logout_url)
    {
        e.push(FieldError::invalid(
            "oauthConfig.backchannelLogoutUrl",
            format!("the back-channel logout URL {msg}"),
        ));
    }
    let id_token_config = input.id_token_config.and_then(|c| id_token(e, c));
    let asset_token_config = input
        .asset_token_config
        .and_then(|c| asset_token(e, ctx, c, &callback_url, &scopes));
    let config = OAuthConfig {
        callback_url: callback_url.unwrap_or_default(),
        certificate,
        scopes: scopes.unwrap_or_default(),
        is_admin_approved,
        is_consumer_secret_optional: input.is_consumer_secret_optional.unwrap_or(false),
        // Salesforce's default for "Require Secret for Refresh Token Flow" is on.
        is_secret_required_for_refresh_token: input
            .is_secret_required_for_refresh_token
            .unwrap_or(true),
        is_pkce_required: input.is_pkce_required.unwrap_or(false),
        is_introspect_all_tokens: input.is_introspect_all_tokens.unwrap_or(false),
        is_client_credential_enabled,
        oauth_client_credential_user,
        is_device_flow_enabled: device_flow,
        is_refresh_token_rotation_enabled: input.is_refresh_token_rotation_enabled.unwrap_or(false),
        is_named_user_jwt_enabled: input.is_named_user_jwt_enabled.unwrap_or(false),
        is_token_exchange_enabled: input.is_token_exchange_enabled.unwrap_or(false),
        is_secret_required_for_token_exchange: input
            .is_secret_required_for_token_exchange
            .unwrap_or(false),
        is_code_credential_enabled: input.is_code_credential_enabled.unwrap_or(false),
        is_code_credential_post_only: input.is_code_credential_post_only.unwrap_or(false),
        single_logout_url,
        backchannel_logout_url,
        id_token_config,
        asset_token_config,
    };
    Some(ValidOAuth {
        config,
        consumer_key,
        consumer_secret,
    })
}

/// Letters and digits; Salesforce's own generated keys also hold `.` and `_`, so that retrieved
/// metadata files import.
pub(super) const fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '_'
}

pub(super) const fn secret_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// The callback URLs; `None` when they are invalid. With device flow on and none given, the
/// placeholder is filled in (the seed).
fn callback_urls(
    e: &mut Vec<FieldError>,
    field: Option<&str>,
    device_flow: bool,
) -> Option<Vec<String>> {
    const FIELD: &str = "oauthConfig.callbackUrl";
    let urls = callback::split_callback_urls(field.unwrap_or_default());
    if urls.is_empty() {
        if device_flow {
            return Some(vec![DEVICE_FLOW_CALLBACK_PLACEHOLDER.to_owned()]);
        }
        e.push(FieldError::missing(
            FIELD,
            "Required fields are missing: [oauthConfig.callbackUrl]: a callback URL is required when OAuth is \
             enabled, unless Enable for Device Flow fills in a placeholder",
        ));
        return None;
    }
    let problems = callback::check_callback_urls(&urls);
    if problems.is_empty() {
        return Some(urls);
    }
    e.extend(
        problems
            .into_iter()
            .map(|p| FieldError::invalid(FIELD, format!("callbackUrl: {p}"))),
    );
    None
}

fn scopes(e: &mut Vec<FieldError>, input: Option<Vec<String>>) -> Option<ScopeSet> {
    const FIELD: &str = "oauthConfig.scopes";
    let names = input.unwrap_or_default();
    let mut set = ScopeSet::new();
    let mut bad = false;
    for name in names.iter().map(|n| n.trim()) {
        match Scope::parse(name) {
            Some(s) => set.insert(s),
            None => {
                bad = true;
                e.push(FieldError::invalid(
                    FIELD,
                    format!("unknown OAuth scope `{name}`"),
                ));
            }
        }
    }
    if names.is_empty() {
        e.push(FieldError::missing(
            FIELD,
            "Required fields are missing: [oauthConfig.scopes]: select at least one OAuth scope",
        ));
        return None;
    }
    (!bad).then_some(set)
}

/// The legacy "No user approval required for users in this organization" means admin-approved.
fn admin_approved(
    e: &mut Vec<FieldError>,
    approved: Option<bool>,
    no_user_approval: Option<bool>,
) -> bool {
    if no_user_approval == Some(true) {
        if approved == Some(false) {
            e.push(FieldError::integrity(
                "oauthConfig.isNoUserApprovalRequired",
                "\"No user approval required for users in this organization\" means admin-approved users are \
                 pre-authorized, which contradicts isAdminApproved: false",
            ));
        }
        return true;
    }
    approved.unwrap_or(false)
}

/// A consumer key or secret: settable on create (or import) only, 8–256 of the allowed characters.
pub(super) fn credential(
    e: &mut Vec<FieldError>,
    mode: &Mode,
    name: &str,
    value: Option<String>,
    allowed: fn(char) -> bool,
) -> Option<String> {
    let field = format!("oauthConfig.{name}");
    let value = value.filter(|v| !v.trim().is_empty())?;
    match mode {
        Mode::Update { consumer_key } if name == "consumerKey" && *consumer_key == value => None,
        Mode::Update { .. } => {
            let hint = if name == "consumerSecret" {
                "; rotate it with POST /api/v1/connected-apps/{fullName}/consumer-secret"
            } else {
                ""
            };
            e.push(FieldError::integrity(
                field,
                format!("{name} can be set only when the app is created{hint}"),
            ));
            None
        }
        Mode::Create | Mode::Import => {
            let n = value.chars().count();
            if !CREDENTIAL_LEN.contains(&n) || !value.chars().all(allowed) {
                e.push(FieldError::invalid(
                    field,
                    format!("{name} must be 8 to 256 letters and digits, without spaces or special characters"),
                ));
                return None;
            }
            Some(value)
        }
    }
}

fn run_as(
    e: &mut Vec<FieldError>,
    ctx: &Context<'_>,
    username: Option<String>,
    enabled: bool,
) -> Option<String> {
    const FIELD: &str = "oauthConfig.oauthClientCredentialUser";
    let Some(username) = username else {
        if enabled && *ctx.mode != Mode::Import {
            e.push(FieldError::missing(
                FIELD,
                "Required fields are missing: [oauthConfig.oauthClientCredentialUser]: the client credentials \
                 flow needs a run-as user",
            ));
        }
        return None;
    };
    if !enabled {
        e.push(FieldError::integrity(
            FIELD,
            "a run-as user needs isClientCredentialEnabled: true",
        ));
    }
    match ctx.directory.run_as_user(&username) {
        None => e.push(FieldError::invalid(
            FIELD,
            format!("no user with username `{username}` in the org"),
        )),
        Some(u) if !u.is_active => e.push(FieldError::invalid(
            FIELD,
            format!("the run-as user `{username}` is inactive"),
        )),
        Some(u) if !u.is_api_only => e.push(FieldError::invalid(
            FIELD,
            format!("the run-as user `{username}` must hold the API Only User permission"),
        )),
        Some(u) => return Some(u.username.clone()),
    }
    None
}

fn id_token(e: &mut Vec<FieldError>, input: IdTokenConfigInput) -> Option<IdTokenConfig> {
    let validity = match input.id_token_validity {
        None => DEFAULT_ID_TOKEN_MINUTES,
        Some(m) if (MIN_ID_TOKEN_MINUTES..=MAX_ID_TOKEN_MINUTES).contains(&m) => {
            u32::try_from(m).ok()?
        }
        Some(m) => {
            e.push(FieldError::invalid(
                "oauthConfig.idTokenConfig.idTokenValidity",
                format!("idTokenValidity is {m}; the ID token can be valid for 1 to 720 minutes"),
            ));
            return None;
        }
    };
    Some(IdTokenConfig {
        id_token_validity: validity,
        id_token_audience: optional(input.id_token_audience).unwrap_or_default(),
        id_token_include_standard_claims: input.id_token_include_standard_claims.unwrap_or(false),
        id_token_include_attributes: input.id_token_include_attributes.unwrap_or(false),
        id_token_include_custom_perms: input.id_token_include_custom_perms.unwrap_or(false),
    })
}

/// Asset tokens need all their fields, a certificate of the org, a callback URL and the `api` and
/// `openid` scopes; each missing piece is its own error.
fn asset_token(
    e: &mut Vec<FieldError>,
    ctx: &Context<'_>,
    input: AssetTokenConfigInput,
    callback_url: &Option<Vec<String>>,
    scopes: &Option<ScopeSet>,
) -> Option<AssetTokenConfig> {
    const PREFIX: &str = "oauthConfig.assetTokenConfig";
    let before = e.len();
    let missing = |e: &mut Vec<FieldError>, name: &str| {
        e.push(FieldError::missing(
            format!("{PREFIX}.{name}"),
            format!("Required fields are missing: [{PREFIX}.{name}]: asset tokens need {name}"),
        ));
    };
    let validity = match input.asset_validity_period {
        None => {
            missing(e, "assetValidityPeriod");
            0
        }
        Some(m) if m >= 1 => u32::try_from(m).unwrap_or(u32::MAX),
        Some(m) => {
            e.push(FieldError::invalid(
                format!("{PREFIX}.assetValidityPeriod"),
                format!("assetValidityPeriod is {m}; it must be at least 1 minute"),
            ));
            0
        }
    };
    let cert = optional(input.asset_signing_cert_id);
    match cert.as_deref() {
        None => missing(e, "assetSigningCertId"),
        Some(c) if ctx.directory.certificate(c).is_none() => e.push(FieldError::invalid(
            format!("{PREFIX}.assetSigningCertId"),
            format!("no certificate with id or name `{c}` in the org; create one with POST /api/v1/certificates"),
        )),
        Some(_) => {}
    }
    let audiences = optional(input.asset_audiences);
    if audiences
        .as_deref()
        .is_none_or(|a| super::super::split_audiences(a).is_empty())
    {
        missing(e, "assetAudiences");
    }
    let real_callback = callback_url
        .as_ref()
        .is_some_and(|urls| urls.iter().any(|u| u != DEVICE_FLOW_CALLBACK_PLACEHOLDER));
    if callback_url.is_some() && !real_callback {
        e.push(FieldError::integrity(
            "oauthConfig.callbackUrl",
            "asset tokens need a callback URL (the device flow placeholder does not count)",
        ));
    }
    if let Some(scopes) = scopes {
        for (scope, words) in [
            (Scope::Api, "Access and manage your data (api)"),
            (
                Scope::OpenId,
                "Allow access to your unique identifier (openid)",
            ),
        ] {
            if !scopes.contains(scope) {
                e.push(FieldError::integrity(
                    "oauthConfig.scopes",
                    format!("asset tokens need the {} scope: {words}", scope.token()),
                ));
            }
        }
    }
    (e.len() == before).then(|| AssetTokenConfig {
        asset_validity_period: validity,
        asset_signing_cert_id: cert.unwrap_or_default(),
        asset_audiences: audiences.unwrap_or_default(),
        asset_include_attributes: input.asset_include_attributes.unwrap_or(true),
        asset_include_custom_perms: input.asset_include_custom_perms.unwrap_or(true),
    })
}
