//! Reading and checking client metadata field by field (RFC 7591 §2, §2.1, §3.2.2), for
//! [`super::metadata::ClientMetadata::parse`]: typed reads of optional strings and string arrays,
//! grant and response type consistency, the public-client rules, redirect URIs, keys, contacts
//! and the URLs that are only echoed. Each error's description starts with the field's name.

use serde_json::{Map, Value};

use super::keys::{certificate_from_jwks, check_jwks_uri};
use super::metadata::{
    AuthMethod, GRANT_AUTHORIZATION_CODE, GRANT_DEVICE_CODE, GRANT_IMPLICIT, GRANT_REFRESH_TOKEN,
};
use crate::ErrorCode;
use crate::OAuthError;
use crate::clock::UnixMillis;
use crate::connected_app::callback::{check_callback_url, check_callback_urls, check_https_url};

/// Grant types a registered client may have. The client credentials flow needs a run-as user and
/// the JWT bearer flow pre-authorized users, both of which only an administrator can set.
const GRANT_TYPES: &[&str] = &[
    GRANT_AUTHORIZATION_CODE,
    GRANT_IMPLICIT,
    GRANT_REFRESH_TOKEN,
    GRANT_DEVICE_CODE,
];

/// Echoed strings and URLs Portico stores but does not act on.
const ECHOED_URLS: &[&str] = &["logo_uri", "client_uri", "policy_uri", "tos_uri"];
const ECHOED_STRINGS: &[&str] = &["software_id", "software_version"];
pub(super) const MAX_STRING_CHARS: usize = 255;
const MAX_URL_CHARS: usize = 1024;
const MAX_CONTACTS: usize = 20;

pub(super) fn bad(field: &str, message: impl std::fmt::Display) -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidClientMetadata,
        format!("{field}: {message}"),
    )
}

/// An optional string field: absent, `null` and blank are absent; other types are an error.
pub(super) fn string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, OAuthError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.chars().count() > MAX_URL_CHARS => {
            Err(bad(field, format!("at most {MAX_URL_CHARS} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(bad(field, "must be a string")),
    }
}

/// An optional array of strings.
pub(super) fn strings(
    body: &Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<String>>, OAuthError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(field, "must be an array of strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad(field, "must be an array of strings")),
    }
}

/// Response types Portico's authorization endpoint implements, in canonical (sorted) form, with
/// the grant type each implies (RFC 7591 §2.1).
fn response_type_grant(value: &str) -> Option<&'static str> {
    let mut words: Vec<&str> = value.split_whitespace().collect();
    words.sort_unstable();
    match words.as_slice() {
        ["code"] => Some(GRANT_AUTHORIZATION_CODE),
        ["token"] | ["id_token", "token"] => Some(GRANT_IMPLICIT),
        _ => None,
    }
}

/// `response_types` and `grant_types` (defaults `code` and `authorization_code`), each known and
/// consistent with the other (RFC 7591 §2.1).
pub(super) fn types(body: &Map<String, Value>) -> Result<(Vec<String>, Vec<String>), OAuthError> {
    let response_types =
        strings(body, "response_types")?.unwrap_or_else(|| vec!["code".to_owned()]);
    let grant_types =
        strings(body, "grant_types")?.unwrap_or_else(|| vec![GRANT_AUTHORIZATION_CODE.to_owned()]);
    for grant in &grant_types {
        if !GRANT_TYPES.contains(&grant.as_str()) {
            let why = match grant.as_str() {
                "client_credentials" => {
                    "the client credentials flow needs a run-as user, which only an administrator can set"
                }
                "password" => "the username-password flow is never registered dynamically",
                _ => "not supported for registered clients",
            };
            return Err(bad(
                "grant_types",
                format!("`{grant}`: {why}; use {}", GRANT_TYPES.join(", ")),
            ));
        }
    }
    for rt in &response_types {
        let grant = response_type_grant(rt).ok_or_else(|| {
            bad(
                "response_types",
                format!("`{rt}` is not supported; use code, token or token id_token"),
            )
        })?;
        if !grant_types.iter().any(|g| g == grant) {
            return Err(bad(
                "grant_types",
                format!("response type `{rt}` needs the {grant} grant type (RFC 7591 §2.1)"),
            ));
        }
    }
    for grant in [GRANT_AUTHORIZATION_CODE, GRANT_IMPLICIT] {
        if grant_types.iter().any(|g| g == grant)
            && !response_types
                .iter()
                .any(|rt| response_type_grant(rt) == Some(grant))
        {
            let rt = if grant == GRANT_IMPLICIT {
                "token"
            } else {
                "code"
            };
            return Err(bad(
                "response_types",
                format!("the {grant} grant type needs the {rt} response type (RFC 7591 §2.1)"),
            ));
        }
    }
    Ok((response_types, grant_types))
}

/// A public client cannot keep a secret, so it gets no flow that returns tokens without PKCE or
/// relies on a secret (`reference/security.md` §3.5, ATK-70).
pub(super) fn check_public_client(
    method: AuthMethod,
    grant_types: &[String],
) -> Result<(), OAuthError> {
    if method == AuthMethod::None
        && let Some(g) = grant_types
            .iter()
            .find(|g| *g == GRANT_IMPLICIT || *g == "client_credentials")
    {
        return Err(bad(
            "token_endpoint_auth_method",
            format!(
                "a public client (none) cannot use the {g} grant type; register a confidential client"
            ),
        ));
    }
    Ok(())
}

/// `redirect_uris`: required for the browser flows; each URI passes the connected-app callback
/// rules (https, a custom scheme or loopback http; no fragment, no script scheme, no wildcard,
/// 2,000 characters in all), and a web client's implicit flow needs https on a real host (OIDC
/// Registration §2, `application_type`).
pub(super) fn redirect_uris(
    body: &Map<String, Value>,
    grant_types: &[String],
    native: bool,
) -> Result<Vec<String>, OAuthError> {
    let invalid =
        |m: String| OAuthError::new(ErrorCode::InvalidRedirectUri, format!("redirect_uris: {m}"));
    let uris = strings(body, "redirect_uris")
        .map_err(|_| invalid("must be an array of strings".to_owned()))?
        .unwrap_or_default();
    let browser = grant_types
        .iter()
        .any(|g| g == GRANT_AUTHORIZATION_CODE || g == GRANT_IMPLICIT);
    if uris.is_empty() && browser {
        return Err(invalid("at least one redirect URI is required for the authorization_code and implicit grant types".to_owned()));
    }
    for uri in &uris {
        check_callback_url(uri).map_err(invalid)?;
        if !native && grant_types.iter().any(|g| g == GRANT_IMPLICIT) {
            let https_host = url::Url::parse(uri)
                .is_ok_and(|u| u.scheme() == "https" && u.host_str() != Some("localhost"));
            if !https_host {
                return Err(invalid(format!(
                    "`{uri}`: a web client using the implicit grant type must use https on a host other than localhost"
                )));
            }
        }
    }
    if let Some(problem) = check_callback_urls(&uris).into_iter().next() {
        return Err(invalid(problem));
    }
    Ok(uris)
}

/// The client's key material.
pub(super) struct Keys {
    pub(super) jwks: Option<Value>,
    /// The certificate of `jwks`.
    pub(super) certificate: Option<String>,
    pub(super) jwks_uri: Option<String>,
}

/// `jwks` or `jwks_uri` (never both, RFC 7591 §2); `private_key_jwt` needs `jwks`, as Portico
/// never fetches `jwks_uri`.
pub(super) fn keys(
    body: &Map<String, Value>,
    method: AuthMethod,
    now: UnixMillis,
) -> Result<Keys, OAuthError> {
    let jwks = body.get("jwks").filter(|v| !v.is_null()).cloned();
    let jwks_uri = string(body, "jwks_uri")?;
    if jwks.is_some() && jwks_uri.is_some() {
        return Err(bad(
            "jwks",
            "jwks and jwks_uri must not both be present (RFC 7591 §2)",
        ));
    }
    if let Some(uri) = &jwks_uri {
        check_jwks_uri(uri).map_err(|m| bad("jwks_uri", m))?;
    }
    let certificate = jwks
        .as_ref()
        .map(|j| certificate_from_jwks(j, now).map_err(|m| bad("jwks", m)))
        .transpose()?;
    if method == AuthMethod::PrivateKeyJwt && certificate.is_none() {
        return Err(bad(
            "jwks",
            "private_key_jwt needs the client's key in jwks, with its X.509 certificate in x5c; Portico never fetches jwks_uri",
        ));
    }
    Ok(Keys {
        jwks,
        certificate,
        jwks_uri,
    })
}

pub(super) fn contacts(body: &Map<String, Value>) -> Result<Vec<String>, OAuthError> {
    let contacts = strings(body, "contacts")?.unwrap_or_default();
    if contacts.len() > MAX_CONTACTS {
        return Err(bad("contacts", format!("at most {MAX_CONTACTS} contacts")));
    }
    for (i, c) in contacts.iter().enumerate() {
        let Some((local, domain)) = c.split_once('@') else {
            return Err(bad(
                &format!("contacts[{i}]"),
                format!("`{c}` is not an email address"),
            ));
        };
        if local.is_empty()
            || !domain.contains('.')
            || c.contains(char::is_whitespace)
            || c.chars().count() > 80
        {
            return Err(bad(
                &format!("contacts[{i}]"),
                format!("`{c}` is not an email address"),
            ));
        }
    }
    Ok(contacts)
}

/// URLs that a user might see are https only (`reference/security.md` §3.5); Portico shows none
/// of them and never fetches them.
pub(super) fn echoed(body: &Map<String, Value>) -> Result<Map<String, Value>, OAuthError> {
    let mut out = Map::new();
    for field in ECHOED_URLS {
        if let Some(url) = string(body, field)? {
            check_https_url(&url).map_err(|m| bad(field, m))?;
            out.insert((*field).to_owned(), Value::String(url));
        }
    }
    for field in ECHOED_STRINGS {
        if let Some(s) = string(body, field)? {
            if s.chars().count() > MAX_STRING_CHARS {
                return Err(bad(field, format!("at most {MAX_STRING_CHARS} characters")));
            }
            out.insert((*field).to_owned(), Value::String(s));
        }
    }
    Ok(out)
}
